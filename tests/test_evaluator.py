"""Evaluator: exact pruning, the cost cache, and independence from the worker count."""

from __future__ import annotations

import numpy as np
import pytest

from pidtune.controllers.pid import OFFICIAL_PID_GAINS, PIDFamily
from pidtune.evaluate import Evaluator
from pidtune.evaluate.cache import CostCache
from pidtune.evaluate.engine import ModelSpec

TOP_K = 2


@pytest.fixture(scope="module")
def candidates():
    # the official gains plus spreads that make some candidates far worse than others
    rng = np.random.default_rng(3)
    return np.vstack([OFFICIAL_PID_GAINS, np.array(OFFICIAL_PID_GAINS) * rng.uniform(0.2, 3.0, size=(9, 3))])


@pytest.fixture(scope="module")
def full_and_pruned(model_path, segments, candidates):
    spec = ModelSpec(model_path)
    seg_ids = np.arange(3)
    with Evaluator(spec, segments, workers=1) as ev:
        ev.wave_rollouts = 6  # two candidates a wave: thresholds tighten several times
        full = ev.costs(PIDFamily(), candidates, seg_ids)
        pruned = ev.costs(PIDFamily(), candidates, seg_ids, top_k=TOP_K)
    with Evaluator(spec, segments, workers=2) as ev:
        ev.wave_rollouts = 6
        pruned_two_workers = ev.costs(PIDFamily(), candidates, seg_ids, top_k=TOP_K)
    return full, pruned, pruned_two_workers


def test_pruning_keeps_the_top_k_exact(full_and_pruned):
    full, pruned, _ = full_and_pruned
    assert pruned.pruned.any(), "the candidates are chosen so that some must be pruned"
    best_full = np.argsort(full.cost_sum, kind="stable")[:TOP_K]
    best_pruned = np.argsort(pruned.cost_sum, kind="stable")[:TOP_K]
    np.testing.assert_array_equal(best_full, best_pruned)
    kept = ~pruned.pruned
    np.testing.assert_array_equal(pruned.total[kept], full.total[kept])


def test_pruned_candidates_carry_a_true_lower_bound(full_and_pruned):
    full, pruned, _ = full_and_pruned
    kth_best = np.sort(full.cost_sum)[TOP_K - 1]
    for c in np.flatnonzero(pruned.pruned):
        assert np.isnan(pruned.total[c]).all()
        assert kth_best < pruned.cost_sum[c] <= full.cost_sum[c] * (1 + 1e-12)


def test_results_do_not_depend_on_the_worker_count(full_and_pruned):
    _, one, two = full_and_pruned
    np.testing.assert_array_equal(one.pruned, two.pruned)
    np.testing.assert_array_equal(one.cost_sum, two.cost_sum)
    np.testing.assert_array_equal(one.total, two.total)


def test_the_cache_serves_what_was_simulated(model_path, segments, candidates, tmp_path):
    spec = ModelSpec(model_path)
    cache_file = tmp_path / "costs.sqlite"
    with Evaluator(spec, segments, cache=CostCache(cache_file)) as ev:
        first = ev.costs(PIDFamily(), candidates[:2], [0, 1])
        assert ev.rollouts_simulated == 4
    with Evaluator(spec, segments, cache=CostCache(cache_file)) as ev:  # a rerun, later stage or --resume
        again = ev.costs(PIDFamily(), candidates[:3], [0, 1])
        assert ev.rollouts_simulated == 2  # only the new candidate
    np.testing.assert_array_equal(again.total[:2], first.total)
    np.testing.assert_array_equal(again.lataccel[:2], first.lataccel)
    np.testing.assert_array_equal(again.jerk[:2], first.jerk)
