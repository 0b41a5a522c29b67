"""Tournament and grid logic on a fake cost function (no simulation): elites, revival,
perturbation, seeding from an archive, determinism and resume."""

import json

import numpy as np
import pytest

from pidtune.search.grid import GridSettings, run_grid
from pidtune.search.results import read_seed_candidates
from pidtune.search.space import SearchSpace
from pidtune.search.tournament import ARCHIVE_FILE, TournamentSettings, _Archive, _revive, run_tournament

from search_fakes import BOWL, FakeContext, InterruptAfter

SPACE = SearchSpace((0.1, 0.5, -0.012, 0.1, 0.5, -0.012), (0.3, 1.5, 0.0, 0.3, 2.0, 0.0))
SETTINGS = TournamentSettings(name="t", rounds=4, pop_size=10, elite_pct=0.3, revive_pct=0.2, max_files=3,
                              perturb_scale=0.05, space=SPACE, init_seed=11)


def _archive(folder):
    return json.loads((folder / ARCHIVE_FILE).read_text())


def test_rounds_keep_elites_revive_and_fill_with_clipped_perturbations_of_the_best(tmp_path):
    ctx = FakeContext(tmp_path)
    run_tournament(ctx, SETTINGS, tmp_path)
    data = _archive(tmp_path)
    by_id = {c["id"]: c for c in data["candidates"] + data["pending"]}
    assert len(data["rounds"]) == 4 and len(ctx.calls) == 4
    for (params, files, top_k), record in zip(ctx.calls, data["rounds"]):
        assert len(params) == 10 and len(files) == 3 and top_k == 3
        costs = (((params - BOWL) * [10, 1, 1000, 10, 1, 1000]) ** 2).sum(axis=1)
        best3 = [record["population"][i] for i in np.argsort(costs, kind="stable")[:3]]
        assert record["elites"] == best3
    for before, after in zip(data["rounds"], data["rounds"][1:]):
        assert after["population"][:3] == before["elites"]  # elites first (they set the pruning bar)
        assert len(before["revived"]) == 2 and len(before["children"]) == 5
        dead = set(before["population"]) - set(before["elites"])
        earlier = {i for r in data["rounds"][: data["rounds"].index(before) + 1] for i in r["population"]}
        assert set(before["revived"]) <= earlier - set(before["elites"]) and dead & earlier
        best = np.array(by_id[before["best"]["id"]]["low_gains"] + by_id[before["best"]["id"]]["high_gains"])
        for cid in before["children"]:
            child = np.array(by_id[cid]["low_gains"] + by_id[cid]["high_gains"])
            assert np.all(child >= SPACE.lower) and np.all(child <= SPACE.upper)
            assert not np.array_equal(child, best)
            # perturbation of the best, scaled by each gain's bound width (5%: within 6 sigma)
            assert np.all(np.abs(child - best) <= 6 * 0.05 * SPACE.width + 1e-12)


def test_revival_lottery_favours_candidates_that_survived_more_rounds(tmp_path):
    archive = _Archive(tmp_path / "a.json", {})
    for survived in (0, 9):
        cid = archive.add(np.zeros(6), "random", 1)
        archive.candidates[cid].update(rounds_survived=survived, last_round=1)
    picks = [_revive(archive, set(), 1, np.random.default_rng(seed))[0] for seed in range(400)]
    share = picks.count(1) / len(picks)
    assert 0.85 < share < 0.97  # weights 1 + rounds survived: 10/11


def test_seeded_population_takes_the_best_half_from_the_archive(tmp_path):
    seeds = np.tile(BOWL, (8, 1)) + np.arange(8)[:, None] * 1e-3
    run_tournament(FakeContext(tmp_path), SETTINGS, tmp_path, seeds=seeds)
    first = _archive(tmp_path)["rounds"][0]["population"]
    candidates = {c["id"]: c for c in _archive(tmp_path)["candidates"]}
    origins = [candidates[i]["origin"] for i in first]
    assert origins == ["archive"] * 5 + ["random"] * 5
    assert [candidates[i]["low_gains"] + candidates[i]["high_gains"] for i in first[:5]] == seeds[:5].tolist()


def test_same_seeds_same_archive_and_other_seeds_differ(tmp_path):
    run_tournament(FakeContext(tmp_path / "a"), SETTINGS, tmp_path / "a")
    run_tournament(FakeContext(tmp_path / "b"), SETTINGS, tmp_path / "b")
    other = TournamentSettings(**{**SETTINGS.__dict__, "init_seed": 12})
    run_tournament(FakeContext(tmp_path / "c"), other, tmp_path / "c")
    assert _archive(tmp_path / "a")["candidates"] == _archive(tmp_path / "b")["candidates"]
    assert _archive(tmp_path / "a")["candidates"] != _archive(tmp_path / "c")["candidates"]


def test_interrupted_tournament_resumes_to_the_same_archive(tmp_path):
    whole = run_tournament(FakeContext(tmp_path / "whole"), SETTINGS, tmp_path / "whole")
    with pytest.raises(KeyboardInterrupt):
        run_tournament(FakeContext(tmp_path / "cut", reporter=InterruptAfter("t", 2)), SETTINGS, tmp_path / "cut")
    assert _archive(tmp_path / "cut")["state"]["next_round"] == 2
    ctx = FakeContext(tmp_path / "cut")
    resumed = run_tournament(ctx, SETTINGS, tmp_path / "cut")
    assert len(ctx.calls) == 2  # only the rounds not yet played
    assert resumed.best == whole.best
    assert _archive(tmp_path / "cut") == _archive(tmp_path / "whole")


def test_archive_of_other_settings_is_not_resumed(tmp_path):
    run_tournament(FakeContext(tmp_path), SETTINGS, tmp_path)
    ctx = FakeContext(tmp_path)
    run_tournament(ctx, TournamentSettings(**{**SETTINGS.__dict__, "rounds": 2}), tmp_path)
    assert len(ctx.calls) == 2 and len(_archive(tmp_path)["rounds"]) == 2


def test_archive_ranks_the_last_round_first_and_seeds_a_tournament(tmp_path):
    result = run_tournament(FakeContext(tmp_path), SETTINGS, tmp_path)
    data = _archive(tmp_path)
    last = data["rounds"][-1]
    assert [c["id"] for c in data["candidates"][:10]] == [c["id"] for c in result.rows[:10]]
    assert {c["id"] for c in data["candidates"][:10]} == set(last["population"])
    assert data["candidates"][0]["id"] == last["best"]["id"] == result.best["id"]
    assert read_seed_candidates(tmp_path / ARCHIVE_FILE).shape == (len(data["candidates"]), 6)


def test_grid_ranks_rounded_candidates_on_one_sample_of_files(tmp_path):
    settings = GridSettings(num_combinations=12, max_files_per_test=3, num_files=5, space=SPACE, seed=4, top_k=3)
    ctx = FakeContext(tmp_path, pool_size=8)
    result = run_grid(ctx, settings, tmp_path)
    [(params, files, top_k)] = ctx.calls
    assert params.shape == (12, 6) and np.array_equal(params, np.round(params, 3)) and top_k == 3
    assert len(files) == 3 and set(files) <= set(range(5))  # drawn from the first num_files of the pool
    costs = [row["mean_cost"] for row in result.rows]
    assert costs == sorted(costs) and len(result.rows) == 12
    assert result.rows[0]["std_cost"] == pytest.approx(np.std(files))
    again = run_grid(FakeContext(tmp_path, pool_size=8), settings, tmp_path)
    assert again.rows == result.rows
