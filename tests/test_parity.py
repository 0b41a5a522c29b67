"""pidtune's costs against the numbers the official evaluation printed (reference_costs.json)."""

from __future__ import annotations

import numpy as np
import pytest

from pidtune.controllers.pid import OFFICIAL_PID_GAINS, PIDFamily, ZeroFamily
from pidtune.evaluate import Evaluator
from pidtune.evaluate.engine import ModelSpec

COST_NAMES = ("lataccel_cost", "jerk_cost", "total_cost")


@pytest.mark.parametrize("name, family, gains", [("pid", PIDFamily(), OFFICIAL_PID_GAINS), ("zero", ZeroFamily(), ())])
def test_every_shared_segment_matches_the_official_costs(name, family, gains, model_path, segments, reference_costs):
    assert len(segments) == len(reference_costs[name]) == 100
    with Evaluator(ModelSpec(model_path), segments, workers=2) as evaluator:
        table = evaluator.costs(family, np.array([gains], dtype=float).reshape(1, -1))
    ours = dict(zip(COST_NAMES, (table.lataccel[0], table.jerk[0], table.total[0])))
    for s, segment in enumerate(segments.names):
        for cost in COST_NAMES:
            expected = reference_costs[name][segment][cost]
            assert ours[cost][s] == pytest.approx(expected, rel=1e-9, abs=0), (segment, cost)


def test_uncut_graph_matches_the_official_costs_too(model_path, segments, reference_costs):
    """The original graph (used for trajectories and when the fast graph is unavailable)."""
    subset = np.arange(0, 100, 25)
    with Evaluator(ModelSpec(model_path, fast_graph=False), segments) as evaluator:
        table = evaluator.costs(PIDFamily(), np.array([OFFICIAL_PID_GAINS]), subset)
    for col, s in enumerate(subset):
        expected = reference_costs["pid"][segments.names[s]]["total_cost"]
        assert table.total[0, col] == pytest.approx(expected, rel=1e-9, abs=0)
