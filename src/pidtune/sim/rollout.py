"""The batched rollout loop: every rollout steps together, one model call per row.

Follows ../shared/SIMULATOR.md row by row. Rows before CONTROL_START never call the
model (their prediction is discarded) but still consume their random draw; a
cost-only rollout stops after row COST_END - 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np

from pidtune.controllers.base import BatchController, BatchFuturePlan, BatchState
from pidtune.sim.constants import (
    CONTEXT,
    CONTROL_START,
    COST_END,
    DT,
    LATACCEL_COST_MULTIPLIER,
    MAX_ACC_DELTA,
    STEER_RANGE,
    encode,
)
from pidtune.sim.model import TinyPhysicsModel, decode, sample_tokens
from pidtune.sim.segments import Segments


@dataclass
class RolloutResult:
    """Per-rollout costs [B]; NaN for pruned rollouts. ``lataccel`` is [B, rows] when asked.

    ``partial_cost`` is each rollout's total cost accumulated row by row up to where it
    stopped (tracked only with a pruner): a lower bound of the total it would have had.
    """

    lataccel_cost: np.ndarray
    jerk_cost: np.ndarray
    total_cost: np.ndarray
    pruned: np.ndarray
    partial_cost: np.ndarray
    lataccel: np.ndarray | None = None
    target: np.ndarray | None = None


@lru_cache(maxsize=4096)
def segment_draws(seed: int, rows: int) -> np.ndarray:
    """The random draw of rows CONTEXT .. rows - 1 of a segment (column k - CONTEXT).

    One legacy RandomState per segment, seeded as the official tool seeds it; drawing
    n values at once yields the same stream as n single draws.
    """
    draws = np.random.RandomState(seed).random_sample(rows - CONTEXT)
    draws.flags.writeable = False
    return draws


def costs_from_history(target: np.ndarray, lataccel: np.ndarray):
    """Official costs over rows CONTROL_START .. COST_END - 1 of [B, rows] histories."""
    t = target[:, CONTROL_START:COST_END]
    p = lataccel[:, CONTROL_START:COST_END]
    lat = np.mean((t - p) ** 2, axis=1) * 100
    jerk = np.mean((np.diff(p, axis=1) / DT) ** 2, axis=1) * 100
    return lat, jerk, lat * LATACCEL_COST_MULTIPLIER + jerk


# A pruner sees, after each simulated row, the rows still in the batch and their partial
# cost sums so far, and returns a boolean mask of rows to drop as hopeless.
Pruner = Callable[[np.ndarray, np.ndarray], np.ndarray]


def rollout(
    model: TinyPhysicsModel,
    segments: Segments,
    seg_index,
    controller: BatchController,
    *,
    trajectories: bool = False,
    pruner: Pruner | None = None,
) -> RolloutResult:
    """Run B rollouts (rollout b on segment ``seg_index[b]``) with one batched controller."""
    seg_index = np.asarray(seg_index, dtype=np.int64)
    n = len(seg_index)
    lengths = segments.lengths[seg_index]
    end = int(lengths.max()) if trajectories else COST_END
    seeds = segments.seeds
    uniforms = np.stack([segment_draws(int(seeds[s]), end) for s in seg_index])

    target = segments.target[seg_index, :end]
    roll = segments.roll_lataccel[seg_index, :end]
    v_ego = segments.v_ego[seg_index, :end]
    a_ego = segments.a_ego[seg_index, :end]
    sim_states = np.stack([roll, v_ego, a_ego], axis=-1).astype(np.float32)
    actions = np.zeros((n, end))
    actions[:, :CONTEXT] = segments.steer[seg_index, :CONTEXT]
    lataccel = np.full((n, end), np.nan)
    lataccel[:, :CONTEXT] = target[:, :CONTEXT]
    tokens = np.zeros((n, end), dtype=np.int64)
    tokens[:, :CONTEXT] = encode(lataccel[:, :CONTEXT])
    logged_steer = segments.steer[seg_index, :end]
    pruned = np.zeros(n, dtype=bool)
    partial = np.zeros(n)  # lower bound on each rollout's cost sum, for the pruner

    rows = np.arange(n)  # rollouts still stepping
    current = lataccel[:, CONTEXT - 1].copy()
    model_input = np.empty((n, CONTEXT, 4), dtype=np.float32)
    for k in range(CONTEXT, end):
        if trajectories:
            ended = lengths[rows] <= k
            if ended.any():
                rows, current = rows[~ended], current[~ended]
                controller.keep(np.flatnonzero(~ended))
        seg_rows = seg_index[rows]
        state = BatchState(roll[rows, k], v_ego[rows, k], a_ego[rows, k])
        future = BatchFuturePlan(segments, seg_rows, k)
        action = controller.update(target[rows, k], current, state, future)
        if k < CONTROL_START:
            action = logged_steer[rows, k]
        actions[rows, k] = np.clip(action, *STEER_RANGE)
        if k < CONTROL_START:
            current = target[rows, k]
        else:
            m = len(rows)
            model_input[:m, :, 0] = actions[rows, k - CONTEXT + 1 : k + 1]
            model_input[:m, :, 1:] = sim_states[rows, k - CONTEXT + 1 : k + 1]
            logits = model.last_logits(model_input[:m], np.ascontiguousarray(tokens[rows, k - CONTEXT : k]))
            pred = decode(sample_tokens(logits, uniforms[rows, k - CONTEXT]))
            current = np.clip(pred, current - MAX_ACC_DELTA, current + MAX_ACC_DELTA)
        lataccel[rows, k] = current
        tokens[rows, k] = encode(current)
        if pruner is not None and CONTROL_START <= k < COST_END:
            partial[rows] += _row_cost_terms(target[rows, k], current, lataccel[rows, k - 1], k)
            drop = pruner(rows, partial[rows])
            if drop.any():
                pruned[rows[drop]] = True
                rows, current = rows[~drop], current[~drop]
                controller.keep(np.flatnonzero(~drop))
        if len(rows) == 0:
            break

    lat, jerk, total = costs_from_history(target, lataccel)
    for cost in (lat, jerk, total):
        cost[pruned] = np.nan
    result = RolloutResult(lat, jerk, total, pruned, partial)
    if trajectories:
        result.lataccel, result.target = lataccel, target
    return result


def _row_cost_terms(target_k, current, previous, k):
    """This row's non-negative contribution to the total cost (scaled like total_cost)."""
    window = COST_END - CONTROL_START
    term = LATACCEL_COST_MULTIPLIER * 100 * (target_k - current) ** 2 / window
    if k > CONTROL_START:
        term = term + 100 * ((current - previous) / DT) ** 2 / (window - 1)
    return term
