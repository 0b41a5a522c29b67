"""A batch of rollouts gives exactly what the same rollouts give one at a time."""

from __future__ import annotations

import numpy as np

from pidtune.controllers.pid import OFFICIAL_PID_GAINS, BlendedFamily, PIDFamily
from pidtune.evaluate import Evaluator
from pidtune.evaluate.engine import ModelSpec
from pidtune.sim.rollout import rollout


def test_a_batch_of_64_equals_64_single_rollouts(model_path, segments):
    rng = np.random.default_rng(7)
    gains = np.array(OFFICIAL_PID_GAINS) * rng.uniform(0.5, 1.5, size=(8, 3))
    seg_ids = np.arange(8)
    spec = ModelSpec(model_path)
    with Evaluator(spec, segments, batch_size=64) as batched:
        together = batched.costs(PIDFamily(), gains, seg_ids)
    with Evaluator(spec, segments, batch_size=1) as single:
        alone = single.costs(PIDFamily(), gains, seg_ids)
    assert together.total.shape == (8, 8)
    for name in ("lataccel", "jerk", "total"):
        np.testing.assert_array_equal(getattr(together, name), getattr(alone, name))
    # the gains differ, so a batch that mixed rows up could not pass the check above
    assert len(np.unique(together.total)) == together.total.size


def test_trajectories_run_each_segment_to_its_own_end(model, segments):
    # segments of different lengths in one batch; costs equal the cost-only rollout's
    lengths = segments.lengths
    seg_ids = np.array([int(np.argmin(lengths)), int(np.argmax(lengths))])
    assert lengths[seg_ids[0]] != lengths[seg_ids[1]]
    gains = np.tile([0.3, 0.5, -0.01, 0.2, 0.8, -0.005], (2, 1))
    full = rollout(model, segments, seg_ids, BlendedFamily().build(gains), trajectories=True)
    cost_only = rollout(model, segments, seg_ids, BlendedFamily().build(gains))
    np.testing.assert_array_equal(full.total_cost, cost_only.total_cost)
    for row, s in enumerate(seg_ids):
        n = lengths[s]
        assert np.isfinite(full.lataccel[row, :n]).all()
        assert np.isnan(full.lataccel[row, n:]).all()
