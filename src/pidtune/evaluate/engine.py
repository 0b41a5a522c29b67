"""What one process needs to simulate: the model session and the loaded segments.

Worker processes build their own ``Engine`` once (ONNX sessions are not shared
across processes) and then run chunks of rollouts sent to them.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pidtune.controllers.base import ControllerFamily
from pidtune.errors import PidtuneError
from pidtune.sim.constants import CONTEXT, VOCAB
from pidtune.sim.model import TinyPhysicsModel
from pidtune.sim.rollout import RolloutResult, rollout
from pidtune.sim.segments import Segments

PRUNE_MARGIN = 1e-9  # relative: partial sums and the final mean round differently


@dataclass(frozen=True)
class ModelSpec:
    """How to open the model: picklable, so each worker opens its own session."""

    path: Path
    device: str = "cpu"
    threads: int = 1
    fast_graph: bool = True

    def open(self) -> TinyPhysicsModel:
        model = TinyPhysicsModel(self.path, device=self.device, threads=self.threads)
        if not self.fast_graph:
            return model
        try:
            from pidtune.sim.graph import last_position_model

            derived = last_position_model(self.path.read_bytes(), source=self.path)
        except PidtuneError:  # onnx not installed, or a graph we do not know how to cut
            return model
        fast = TinyPhysicsModel(self.path, device=self.device, threads=self.threads, model_bytes=derived)
        # Exactness rests on the runtime computing each remaining row as before; check it
        # here, on this machine and provider, and keep the full graph if it does not hold.
        states, tokens = _probe_inputs()
        if not np.array_equal(model.last_logits(states, tokens), fast.last_logits(states, tokens)):
            return model
        return fast


def _probe_inputs(n: int = 16):
    rng = np.random.default_rng(0)
    low, high = np.array([-2.0, -1.0, 0.0, -3.0]), np.array([2.0, 1.0, 40.0, 3.0])
    states = rng.uniform(low, high, size=(n, CONTEXT, 4)).astype(np.float32)
    return states, rng.integers(0, VOCAB, size=(n, CONTEXT), dtype=np.int64)


@dataclass
class Chunk:
    """Rollouts of whole candidates: row r runs ``params[r]`` on segment ``seg_index[r]``.

    ``candidate[r]`` numbers the chunk's candidates 0..n-1; ``base[c]`` is what candidate
    c's already-known costs add to its sum, and ``threshold`` the sum above which a
    candidate cannot enter the top k (inf: never prune).
    """

    family: ControllerFamily
    params: np.ndarray
    seg_index: np.ndarray
    candidate: np.ndarray
    base: np.ndarray
    threshold: float = np.inf
    # where the results go in the caller's [candidates, segments] table
    table_candidates: np.ndarray | None = None
    table_cols: np.ndarray | None = None


class Engine:
    def __init__(self, model: TinyPhysicsModel, segments: Segments):
        self.model = model
        self.segments = segments

    def run(self, chunk: Chunk) -> tuple[RolloutResult, np.ndarray]:
        """The chunk's rollout results and each candidate's cost sum (for a pruned
        candidate, the partial sum that exceeded the threshold: a lower bound)."""
        pruner = None
        if np.isfinite(chunk.threshold):
            limit = chunk.threshold * (1 + PRUNE_MARGIN) + PRUNE_MARGIN
            n_candidates = len(chunk.base)

            def pruner(rows, partial):
                sums = chunk.base + np.bincount(chunk.candidate[rows], weights=partial, minlength=n_candidates)
                return sums[chunk.candidate[rows]] > limit

        controller = chunk.family.build(chunk.params)
        result = rollout(self.model, self.segments, chunk.seg_index, controller, pruner=pruner)
        per_rollout = np.where(result.pruned, result.partial_cost, result.total_cost)
        sums = chunk.base + np.bincount(chunk.candidate, weights=per_rollout, minlength=len(chunk.base))
        return result, sums


# Per-process engine for worker processes (set by ``init_worker``).
_WORKER_ENGINE: Engine | None = None


def init_worker(model_spec: ModelSpec, segments: Segments) -> None:
    global _WORKER_ENGINE
    # Ctrl-C reaches the whole process group: the parent handles it (and stops the pool)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_ENGINE = Engine(model_spec.open(), segments)


def run_in_worker(chunk: Chunk):
    return _WORKER_ENGINE.run(chunk)
