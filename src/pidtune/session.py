"""Open what a command works on (segments, evaluator) from a RunConfig."""

from __future__ import annotations

from pidtune.assets import ensure_assets
from pidtune.config import RunConfig
from pidtune.evaluate import Evaluator
from pidtune.evaluate.cache import CostCache
from pidtune.evaluate.engine import ModelSpec
from pidtune.sim.model import TinyPhysicsModel
from pidtune.sim.segments import Segments, load_segments


def open_segments(config: RunConfig, num_segs: int | None = None) -> Segments:
    ensure_assets(config, data=True)
    return load_segments(config.data_dir, num_segs, seed_prefix=config.seed_prefix)


def open_evaluator(config: RunConfig, segments: Segments, cache: CostCache | None = None) -> Evaluator:
    ensure_assets(config, model=True)
    spec = ModelSpec(config.model_path, device=config.device)
    TinyPhysicsModel(spec.path, device=spec.device)  # fail here, with a clear message, not in a worker
    return Evaluator(spec, segments, workers=config.workers, cache=cache)
