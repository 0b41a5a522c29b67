"""pidtune grid / tournament / pipeline / export through Click, on the shared segments at tiny sizes."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from pidtune.cli import cli
from pidtune.search import pipeline as pipeline_module
from pidtune.search import tournament as tournament_module
from pidtune.search.space import LEGACY_SPACE

TINY = ["--stage1-combinations", "6", "--stage1-max-files", "2", "--stage1-num-files", "3",
        "--t1-rounds", "2", "--t1-pop-size", "4", "--t1-max-files", "2", "--t1-revive-pct", "0.25",
        "--t2-rounds", "2", "--t2-pop-size", "4", "--t2-max-files", "3",
        "--holdout", "2", "--seed", "1", "--data-seed", "2", "-q"]
RESULT_FILES = ("best_params.json", "grid/grid_results.json", "tournament1/archive.json", "tournament2/archive.json")


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def read(path):
    return json.loads(Path(path).read_text())


def same_results(a, b):
    for name in RESULT_FILES:
        assert read(a / name) == read(b / name), name


def same_outcome(a, b):
    """Same tuned gains, grid top and tournament rounds (who played, who stayed, who won).

    Ranks and pruning marks below the exact top may differ when one run found more costs
    in its cache (a rerun of a stage): a cached cost is exact, so nothing is pruned there.
    """
    assert read(a / "best_params.json") == read(b / "best_params.json")
    top = read(a / "config.json")["stages"]["grid"]["top_k"] or 10**9
    assert read(a / RESULT_FILES[1])["candidates"][:top] == read(b / RESULT_FILES[1])["candidates"][:top]
    for name in RESULT_FILES[2:]:
        keys = ("round", "files", "population", "elites", "best", "revived", "children")
        rounds = [[{k: r.get(k) for k in keys} for r in read(folder / name)["rounds"]] for folder in (a, b)]
        assert rounds[0] == rounds[1], name


@pytest.fixture(scope="module")
def pipeline_run(tmp_path_factory, model_path, data_dir):
    """One tiny pipeline with one worker: the reference other runs must reproduce."""
    folder = tmp_path_factory.mktemp("runs") / "ref"
    result = CliRunner(env={"PIDTUNE_MODEL_PATH": str(model_path), "PIDTUNE_DATA_DIR": str(data_dir)}).invoke(
        cli, ["pipeline", *TINY, "-j", "1", "--output-dir", str(folder), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return folder, json.loads(result.stdout)


def test_pipeline_end_to_end(pipeline_run, reference_costs):
    folder, summary = pipeline_run
    best = read(folder / "best_params.json")
    assert summary["output_dir"] == str(folder) and summary["cost"] == best["cost"]
    assert len(best["low_gains"]) == 3 and len(best["high_gains"]) == 3 and best["stage"] == "tournament2"
    # the official PID's cost is the official tool's, on the same files
    official = np.mean([reference_costs["pid"][name]["total_cost"] for name in best["files"]])
    assert best["official_pid_cost"] == pytest.approx(official, rel=1e-9)
    holdout = best["holdout"]
    assert len(holdout["files"]) == 2 and not set(holdout["files"]) & set(best["files"])
    assert holdout["official_pid_cost"] == pytest.approx(
        np.mean([reference_costs["pid"][n]["total_cost"] for n in holdout["files"]]), rel=1e-9)
    grid = read(folder / "grid" / "grid_results.json")
    assert len(grid["candidates"]) == 6 and len(grid["files"]) == 2
    t1, t2 = read(folder / "tournament1" / "archive.json"), read(folder / "tournament2" / "archive.json")
    assert [len(t["rounds"]) for t in (t1, t2)] == [2, 2]
    assert [len(r["files"]) for r in t2["rounds"]] == [3, 3]
    assert t1["rounds"][0]["revived"] and all(len(r["population"]) == 4 for r in t1["rounds"] + t2["rounds"])
    # tournament 1's best half came from the grid's top, tournament 2's from tournament 1's archive
    first = {c["id"]: c for c in t1["candidates"]}
    seeded = [first[i] for i in t1["rounds"][0]["population"][:2]]
    assert [c["low_gains"] + c["high_gains"] for c in seeded] == [
        c["low_gains"] + c["high_gains"] for c in grid["candidates"][:2]]
    assert best["low_gains"] + best["high_gains"] == t2["candidates"][0]["low_gains"] + t2["candidates"][0]["high_gains"]
    config = read(folder / "config.json")
    assert config["flags"]["t1_rounds"] == 2 and config["stages"]["tournament2"]["max_files"] == 3
    assert (folder / "costs.sqlite").is_file()


def test_pruned_candidates_show_their_lower_bound(pipeline_run):
    folder, _ = pipeline_run
    history = [h for c in read(folder / "tournament2" / "archive.json")["candidates"] for h in c["history"]]
    pruned = [h for h in history if h["pruned"]]
    assert pruned, "the tiny run should prune someone, or this test checks nothing"
    assert all(h["mean_cost"] is None and h["cost_lower_bound"] > 0 for h in pruned)


def test_no_prune_and_two_workers_give_the_same_run(pipeline_run, asset_env, tmp_path):
    reference, _ = pipeline_run
    assert invoke("pipeline", *TINY, "-j", "2", "--output-dir", tmp_path / "j2").exit_code == 0
    same_results(reference, tmp_path / "j2")
    assert invoke("pipeline", *TINY, "--no-prune", "-j", "1", "--output-dir", tmp_path / "full").exit_code == 0
    same_outcome(reference, tmp_path / "full")


def test_interrupted_pipeline_resumes_to_the_same_result(pipeline_run, asset_env, tmp_path, monkeypatch):
    reference, _ = pipeline_run
    play = tournament_module._play_round

    def interrupt_after_first_round(ctx, settings, archive, r, advance):
        files = play(ctx, settings, archive, r, advance)
        if settings.name == "tournament1" and r == 0:
            raise KeyboardInterrupt
        return files

    monkeypatch.setattr(tournament_module, "_play_round", interrupt_after_first_round)
    folder = tmp_path / "cut"
    result = invoke("pipeline", *TINY, "-j", "1", "--output-dir", folder)
    assert result.exit_code == 130 and f"pidtune pipeline --resume {folder}" in result.output
    assert read(folder / "tournament1" / "archive.json")["state"]["next_round"] == 1
    monkeypatch.setattr(tournament_module, "_play_round", play)
    assert invoke("pipeline", "--resume", folder, "-q").exit_code == 0
    same_results(reference, folder)
    refused = invoke("pipeline", "--resume", folder, "--t1-rounds", "3")
    assert refused.exit_code == 2 and "drop --t1-rounds" in refused.output


def test_from_stage_reuses_earlier_stages_and_stage_needs_them(pipeline_run, asset_env, tmp_path):
    reference, _ = pipeline_run
    copy = tmp_path / "copy"
    shutil.copytree(reference, copy)
    (copy / "tournament2" / "archive.json").unlink()
    assert invoke("pipeline", *TINY, "--output-dir", copy, "--from-stage", "3").exit_code == 0
    same_outcome(reference, copy)
    missing = invoke("pipeline", *TINY, "--output-dir", tmp_path / "empty", "--stage", "3")
    assert missing.exit_code == 2 and "stage 3 needs stage 2's results" in missing.output


def test_exported_controller_reproduces_the_costs(pipeline_run, asset_env, tmp_path):
    reference, _ = pipeline_run
    out = tmp_path / "controllers" / "tuned.py"
    assert invoke("export", reference / "best_params.json", "--out", out).exit_code == 0
    text = out.read_text()
    assert "from . import BaseController" in text and "class Controller(BaseController):" in text
    assert "def update(self, target_lataccel, current_lataccel, state, future_plan):" in text
    assert invoke("eval", out, "--num-segs", 3, "-j", 1, "-q", "--out", tmp_path / "file.json").exit_code == 0
    assert invoke("eval", "blended", "--params", reference / "best_params.json", "--num-segs", 3, "-j", 1, "-q",
                  "--out", tmp_path / "blended.json").exit_code == 0
    file_costs, blended_costs = read(tmp_path / "file.json"), read(tmp_path / "blended.json")
    assert [r["total_cost"] for r in file_costs] == [r["total_cost"] for r in blended_costs]  # bit-identical
    assert [r["jerk_cost"] for r in file_costs] == [r["jerk_cost"] for r in blended_costs]


def test_grid_pruning_keeps_the_top_exact(asset_env, tmp_path):
    args = ["grid", "--num-combinations", 8, "--max-files-per-test", 2, "--num-files", 2, "--keep-top", 2,
            "--holdout", 0, "--seed", 3, "--data-seed", 4, "-q", "-j", 1]
    assert invoke(*args, "--output-dir", tmp_path / "pruned").exit_code == 0
    assert invoke(*args, "--no-prune", "--output-dir", tmp_path / "full").exit_code == 0
    pruned = read(tmp_path / "pruned" / "grid_results.json")["candidates"]
    full = read(tmp_path / "full" / "grid_results.json")["candidates"]
    assert pruned[:2] == full[:2]
    assert any(row["pruned"] for row in pruned), "nothing pruned: the test would check nothing"
    true_cost = {row["candidate"]: row["mean_cost"] for row in full}
    for row in pruned:
        if row["pruned"]:
            assert row["mean_cost"] is None and row["cost_lower_bound"] <= true_cost[row["candidate"]]
    assert read(tmp_path / "pruned" / "best_params.json") == read(tmp_path / "full" / "best_params.json")


def test_old_underscore_spellings_work(model_path, data_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("PIDTUNE_MODEL_PATH", raising=False)
    monkeypatch.delenv("PIDTUNE_DATA_DIR", raising=False)
    grid = tmp_path / "grid"
    assert invoke("grid", "--num_combinations", 2, "--max_files_per_test", 1, "--num_files", 1, "--holdout", 0,
                  "--model_path", model_path, "--data_dir", data_dir, "-q", "-j", 1, "--output-dir", grid).exit_code == 0
    config = read(grid / "config.json")
    assert (config["flags"]["num_combinations"], config["flags"]["max_files_per_test"], config["flags"]["num_files"]) == (2, 1, 1)
    assert config["run"]["model_path"] == str(model_path) and config["run"]["data_dir"] == str(data_dir)
    tour = tmp_path / "tour"
    assert invoke("tournament", "--pop_size", 2, "--max_files", 1, "--num_files", 1, "--perturb_scale", 0.1,
                  "--seed_from_archive", grid / "grid_results.json", "--rounds", 1, "--holdout", 0,
                  "--model_path", model_path, "--data_dir", data_dir, "-q", "-j", 1, "--output-dir", tour).exit_code == 0
    flags = read(tour / "config.json")["flags"]
    assert (flags["pop_size"], flags["max_files"], flags["perturb_scale"]) == (2, 1, 0.1)
    assert flags["seed_from_archive"] == str(grid / "grid_results.json")
    first = read(tour / "archive.json")["rounds"][0]["population"][0]
    assert read(tour / "archive.json")["candidates"][0]["origin"] in ("archive", "random") and first == 0


@pytest.mark.parametrize("args, flag", [
    (["grid", "--num-combinations", "0"], "--num-combinations"),
    (["grid", "--max-files-per-test", "-1"], "--max-files-per-test"),
    (["grid", "--low-min", "0.5,1,0", "--low-max", "0.1,1,0"], "--low-min is above --low-max"),
    (["grid", "--high-max", "1,2"], "--high-max"),
    (["tournament", "--elite-pct", "1.5"], "--elite-pct"),
    (["tournament", "--revive-pct", "-0.1"], "--revive-pct"),
    (["tournament", "--perturb-scale", "-1"], "--perturb-scale"),
    (["tournament", "--seed-from-archive", "missing.json"], "--seed-from-archive"),
    (["pipeline", "--t1-elite-pct", "0"], "--t1-elite-pct"),
    (["pipeline", "--t2-revive-pct", "2"], "--t2-revive-pct"),
    (["pipeline", "--t1-elite-pct", "0.8", "--t1-revive-pct", "0.5"], "--t1-elite-pct plus --t1-revive-pct"),
    (["pipeline", "--stage1-high-max", "abc"], "--stage1-high-max"),
    (["pipeline", "--t2-pop-size", "0"], "--t2-pop-size"),
    (["pipeline", "--holdout", "-1"], "--holdout"),
    (["pipeline", "--stage", "4"], "--stage"),
    (["pipeline", "--stage", "2", "--from-stage", "3"], "--stage or --from-stage"),
])
def test_invalid_values_are_usage_errors_naming_the_flag(asset_env, tmp_path, args, flag):
    result = invoke(*args, "--output-dir", tmp_path / "run")
    assert result.exit_code == 2, result.output
    assert flag in result.output
    assert not (tmp_path / "run").exists()  # nothing ran


def test_wrong_archives_and_folders_are_usage_errors(asset_env, tmp_path):
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"low_gains": [1, 2, 3], "high_gains": [1, 2, 3]}))
    result = invoke("tournament", "--seed-from-archive", wrong, "--output-dir", tmp_path / "t")
    assert result.exit_code == 2 and f"--seed-from-archive {wrong}: not a pidtune grid results file" in result.output
    result = invoke("pipeline", "--resume", tmp_path)
    assert result.exit_code == 2 and "--resume" in result.output and "config.json" in result.output
    (tmp_path / "config.json").write_text(json.dumps({"command": "grid"}))
    result = invoke("pipeline", "--resume", tmp_path)
    assert result.exit_code == 2 and "holds a 'grid' run" in result.output
    result = invoke("grid", "--output-dir", tmp_path)
    assert result.exit_code == 2 and "already holds a run" in result.output


ALL_FLAGS = {
    "--stage1-combinations": ("grid", "num_combinations", "7"),
    "--stage1-max-files": ("grid", "max_files_per_test", "3"),
    "--stage1-num-files": ("grid", "num_files", "9"),
    "--t1-rounds": ("t1", "rounds", "5"), "--t1-pop-size": ("t1", "pop_size", "6"),
    "--t1-max-files": ("t1", "max_files", "4"), "--t1-elite-pct": ("t1", "elite_pct", "0.4"),
    "--t1-revive-pct": ("t1", "revive_pct", "0.1"), "--t1-init-seed": ("t1", "init_seed", "21"),
    "--t2-rounds": ("t2", "rounds", "8"), "--t2-pop-size": ("t2", "pop_size", "11"),
    "--t2-max-files": ("t2", "max_files", "10"), "--t2-elite-pct": ("t2", "elite_pct", "0.35"),
    "--t2-revive-pct": ("t2", "revive_pct", "0.15"), "--t2-init-seed": ("t2", "init_seed", "22"),
}
BOUNDS = {"stage1-": "grid", "t1-init-": "t1", "t2-init-": "t2"}


def test_each_pipeline_flag_reaches_its_stage(asset_env, tmp_path, monkeypatch):
    seen = {}

    def fake_grid(ctx, settings, folder):
        seen["grid"], seen["data_seed"] = settings, ctx.data_seed
        seen["pool"], seen["holdout"] = ctx.plan.pool_size, len(ctx.plan.holdout)
        raise _Stop

    class _Stop(Exception):
        pass

    def fake_tournament(ctx, settings, folder, seeds):
        seen[{"tournament1": "t1", "tournament2": "t2"}[settings.name]] = settings
        raise _Stop

    monkeypatch.setattr(pipeline_module, "run_grid", fake_grid)
    monkeypatch.setattr(pipeline_module, "run_tournament", fake_tournament)
    monkeypatch.setattr(pipeline_module, "_seeds_from", lambda run_dir, stage, limit=None: None)
    args = [x for flag, (_, _, value) in ALL_FLAGS.items() for x in (flag, value)]
    for i, (prefix, stage) in enumerate(BOUNDS.items()):
        args += [f"--{prefix}low-min", f"0.1{i},0.5{i},-0.01{i}", f"--{prefix}low-max", f"0.3{i},1.5{i},0.00{i}",
                 f"--{prefix}high-min", f"0.2{i},0.6{i},-0.02{i}", f"--{prefix}high-max", f"0.4{i},2.{i},0.01{i}"]
    args += ["--perturb-scale", "0.07", "--data-seed", "5", "--holdout", "3", "--seed", "13", "-q"]
    for stages in (["--stage", "1"], ["--stage", "2"], ["--from-stage", "3"]):
        with pytest.raises(_Stop):
            CliRunner().invoke(cli, ["pipeline", *args, *stages, "--output-dir", str(tmp_path / "run")],
                               catch_exceptions=False)
    for flag, (stage, field, value) in ALL_FLAGS.items():
        assert getattr(seen[stage], field) == type(getattr(seen[stage], field))(value), flag
    for i, (prefix, stage) in enumerate(BOUNDS.items()):
        space = seen[stage].space
        assert space.lower == (float(f"0.1{i}"), float(f"0.5{i}"), float(f"-0.01{i}"),
                               float(f"0.2{i}"), float(f"0.6{i}"), float(f"-0.02{i}")), prefix
        assert space.upper == (float(f"0.3{i}"), float(f"1.5{i}"), float(f"0.00{i}"),
                               float(f"0.4{i}"), float(f"2.{i}"), float(f"0.01{i}")), prefix
    assert seen["t1"].perturb_scale == seen["t2"].perturb_scale == 0.07
    assert seen["t1"].prune and seen["grid"].top_k == 10
    assert (seen["data_seed"], seen["holdout"], seen["grid"].seed, seen["pool"]) == (5, 3, 13, 10)
    stages = read(tmp_path / "run" / "config.json")["stages"]
    assert stages["tournament1"]["rounds"] == 5 and stages["grid"]["num_combinations"] == 7


def test_legacy_bounds_and_no_prune_reach_the_stages(asset_env, tmp_path, monkeypatch):
    seen = {}

    class _Stop(Exception):
        pass

    def fake_grid(ctx, settings, folder):
        seen["grid"] = settings
        raise _Stop

    monkeypatch.setattr(pipeline_module, "run_grid", fake_grid)
    with pytest.raises(_Stop):
        CliRunner().invoke(cli, ["pipeline", "--legacy-bounds", "--no-prune", "-q", "--output-dir", str(tmp_path)],
                           catch_exceptions=False)
    assert seen["grid"].space == LEGACY_SPACE and seen["grid"].top_k is None


def test_help_lists_every_flag_with_its_default():
    for command, flags in {
        "grid": ["--num-combinations", "--max-files-per-test", "--num-files", "--data-seed", "--low-min",
                 "--high-max", "--legacy-bounds", "--holdout", "--resume", "--json", "--seed", "--model-path"],
        "tournament": ["--rounds", "--pop-size", "--elite-pct", "--revive-pct", "--max-files", "--perturb-scale",
                       "--seed-from-archive", "--init-low-min", "--init-high-max", "--init-seed", "--data-seed"],
        "pipeline": [*ALL_FLAGS, "--perturb-scale", "--stage", "--from-stage", "--t1-init-low-min",
                     "--t2-init-high-max", "--stage1-low-min", "--data-seed", "--resume", "--holdout"],
    }.items():
        text = CliRunner().invoke(cli, [command, "--help"], terminal_width=200).output
        for flag in flags:
            assert flag in text, (command, flag)
        assert "[default: 300" in text or command != "grid"
        assert "[default: 12" in text or command == "grid"
