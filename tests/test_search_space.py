"""Search bounds, sampling, seeds, and flags -> stage settings (no simulation)."""

import numpy as np
import pytest

from pidtune.errors import PidtuneUsageError
from pidtune.search.seeds import derive_seed
from pidtune.search.settings import pipeline_settings, space_from_flags
from pidtune.search.space import DEFAULT_SPACE, LEGACY_SPACE, SearchSpace


def test_samples_lie_in_bounds_rounded_to_three_decimals():
    values = DEFAULT_SPACE.sample(np.random.default_rng(0), 500)
    assert values.shape == (500, 6)
    assert np.all(values >= DEFAULT_SPACE.lower) and np.all(values <= DEFAULT_SPACE.upper)
    assert np.array_equal(values, np.round(values, 3))
    # uniform: every gain spreads over most of its range
    spread = (values.max(axis=0) - values.min(axis=0)) / DEFAULT_SPACE.width
    assert np.all(spread > 0.9)


def test_legacy_bounds_are_the_old_scripts():
    assert LEGACY_SPACE.triples() == {"low_min": (0.25, 0.01, -0.25), "low_max": (0.6, 0.12, -0.05),
                                      "high_min": (0.15, 0.005, -0.15), "high_max": (0.4, 0.08, -0.03)}


def test_default_bounds_hold_the_official_pid_in_dt_scaled_units():
    official = np.array([0.195, 1.0, -0.0053] * 2)
    assert np.all(official >= DEFAULT_SPACE.lower) and np.all(official <= DEFAULT_SPACE.upper)
    assert not (np.all(official >= LEGACY_SPACE.lower) and np.all(official <= LEGACY_SPACE.upper))


def test_min_above_max_names_the_flags():
    with pytest.raises(PidtuneUsageError, match=r"--t1-init-high-min is above --t1-init-high-max for I"):
        SearchSpace.from_pid((0, 0, 0), (1, 1, 1), (0, 2, 0), (1, 1, 1),
                             flags=("t1-init-low-min", "t1-init-low-max", "t1-init-high-min", "t1-init-high-max"))


def test_unset_bounds_take_defaults_or_legacy():
    flags = {"low_max": (0.5, 0.5, 0.0)}
    space = space_from_flags(flags)
    assert space.upper[:3] == (0.5, 0.5, 0.0) and space.lower == DEFAULT_SPACE.lower
    legacy = space_from_flags({"legacy_bounds": True})
    assert legacy == LEGACY_SPACE


def test_derived_seeds_are_stable_and_distinct():
    assert derive_seed(5, "grid") == derive_seed(5, "grid")
    assert len({derive_seed(5, "grid"), derive_seed(5, "t1"), derive_seed(6, "grid"), derive_seed(5, "t1", 1)}) == 4


def _pipeline_flags(**overrides):
    flags = dict(stage1_combinations=300, stage1_max_files=25, stage1_num_files=50, t1_rounds=12, t1_pop_size=25,
                 t1_max_files=30, t1_elite_pct=0.3, t1_revive_pct=0.2, t2_rounds=12, t2_pop_size=25, t2_max_files=50,
                 t2_elite_pct=0.3, t2_revive_pct=0.2, perturb_scale=0.05, seed=1, t1_init_seed=2, t2_init_seed=3,
                 no_prune=False, legacy_bounds=False)
    flags.update(overrides)
    return flags


def test_pipeline_pool_covers_the_largest_sample_and_grid_keeps_tournament_seeds_exact():
    settings = pipeline_settings(_pipeline_flags(t2_max_files=80, t1_pop_size=40))
    assert settings.pool_size == 80
    assert settings.grid.top_k == 20  # tournament 1 takes its best 40 // 2 from the grid
    assert pipeline_settings(_pipeline_flags(no_prune=True)).grid.top_k is None
