"""`pidtune eval` and the shared options, through Click's test runner."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from pidtune.cli import cli
from pidtune.config import RunConfig
from pidtune.sim import model as model_module


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_eval_reports_official_costs_and_writes_per_segment_rows(asset_env, tmp_path, reference_costs):
    out = tmp_path / "costs.json"
    result = run("eval", "pid", "--num-segs", "2", "--baseline", "zero", "--out", str(out), "-j", "1")
    assert result.exit_code == 0, result.output
    assert "Mean costs over 2 segments" in result.output
    rows = json.loads(out.read_text())
    assert [(r["segment"], r["controller"]) for r in rows] == [
        ("00000.csv", "pid"), ("00001.csv", "pid"), ("00000.csv", "zero"), ("00001.csv", "zero")]
    for row in rows:
        expected = reference_costs[row["controller"]][row["segment"]]
        for cost in ("lataccel_cost", "jerk_cost", "total_cost"):
            assert row[cost] == pytest.approx(expected[cost], rel=1e-9)


def test_eval_json_summary_and_csv_output(asset_env, tmp_path, reference_costs):
    out = tmp_path / "costs.csv"
    result = run("eval", "--num-segs", "1", "--json", "--out", str(out), "-q")
    summary = json.loads(result.output)
    assert summary["num_segs"] == 1
    assert summary["results"][0]["total_cost"] == pytest.approx(reference_costs["pid"]["00000.csv"]["total_cost"], rel=1e-9)
    with open(out) as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["segment", "controller", "lataccel_cost", "jerk_cost", "total_cost"]


def test_blended_from_flags_and_from_a_params_file_agree(asset_env, tmp_path):
    params = tmp_path / "best_params.json"
    params.write_text(json.dumps({"low_gains": [0.195, 1.0, -0.0053], "high_gains": [0.195, 1.0, -0.0053]}))
    a = json.loads(run("eval", "blended", "--params", str(params), "--num-segs", "1", "--json", "-q").output)
    b = json.loads(run("eval", "blended", "--low-gains", "0.195,1.0,-0.0053", "--high-gains", "0.195,1,-0.0053",
                       "--num-segs", "1", "--json", "-q").output)
    assert a["results"] == b["results"]


def test_shared_options_after_the_subcommand_win(monkeypatch, model_path, data_dir):
    seen = {}
    monkeypatch.setattr("pidtune.cli.eval_cmd.open_segments", lambda config, n: seen.setdefault("config", config) and 1 / 0)
    result = CliRunner().invoke(cli, ["--data-dir", "/group/value", "--seed", "3", "eval", "--data-dir", str(data_dir),
                                      "--model-path", str(model_path), "-j", "1"])
    config: RunConfig = seen["config"]
    assert config.data_dir == data_dir  # the subcommand's value wins
    assert config.seed == 3  # the group's value reaches the subcommand
    assert config.workers == 1 and config.model_path == model_path
    assert isinstance(result.exception, ZeroDivisionError)


def test_old_underscore_spellings_work_on_the_group(monkeypatch, model_path, data_dir):
    seen = {}
    monkeypatch.setattr("pidtune.cli.eval_cmd.open_segments", lambda config, n: seen.setdefault("config", config) and 1 / 0)
    CliRunner().invoke(cli, ["--model_path", str(model_path), "--data_dir", str(data_dir), "eval"])
    assert seen["config"].model_path == model_path and seen["config"].data_dir == data_dir


def test_environment_variables_set_asset_locations(monkeypatch, model_path, data_dir):
    seen = {}
    monkeypatch.setattr("pidtune.cli.eval_cmd.open_segments", lambda config, n: seen.setdefault("config", config) and 1 / 0)
    CliRunner().invoke(cli, ["eval"], env={"PIDTUNE_MODEL_PATH": str(model_path), "PIDTUNE_DATA_DIR": str(data_dir)})
    assert seen["config"].model_path == model_path and seen["config"].data_dir == data_dir


def test_version_and_module_entry_point():
    import subprocess
    import sys

    from pidtune import __version__

    assert __version__ in run("--version").output
    done = subprocess.run([sys.executable, "-m", "pidtune", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and __version__ in done.stdout


@pytest.mark.parametrize("args, code, message", [
    (["eval", "nosuch"], 2, "unknown controller 'nosuch'"),
    (["eval", "--num-segs", "0"], 2, "'--num-segs': 0 is not in the range"),
    (["eval", "pid", "--gains", "1,2"], 2, "--gains wants three numbers"),
    (["eval", "blended"], 2, "controller blended needs --params FILE"),
    (["eval", "--num-segs", "1", "--out", "costs.txt"], 2, "use a .json or .csv file name"),
])
def test_bad_eval_input_is_one_line_and_non_zero(asset_env, args, code, message):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output


def test_cuda_is_refused_clearly_without_the_gpu_runtime(asset_env, monkeypatch):
    monkeypatch.setattr("onnxruntime.get_available_providers", lambda: ["CPUExecutionProvider"])
    result = CliRunner().invoke(cli, ["--device", "cuda", "eval", "--num-segs", "1"])
    assert result.exit_code == 2
    assert "--device cuda: onnxruntime's CUDA provider is not available" in result.output


def test_cuda_provider_is_selected_when_available(monkeypatch):
    monkeypatch.setattr("onnxruntime.get_available_providers", lambda: ["CUDAExecutionProvider", "CPUExecutionProvider"])
    assert model_module.providers_for("cuda") == ["CUDAExecutionProvider", "CPUExecutionProvider"]
    assert model_module.providers_for("cpu") == ["CPUExecutionProvider"]


def test_gpu_gets_larger_batches(model_path, segments):
    from pidtune.evaluate import Evaluator
    from pidtune.evaluate.engine import ModelSpec

    cpu = Evaluator(ModelSpec(model_path), segments)
    gpu = Evaluator(ModelSpec(model_path, device="cuda"), segments)
    assert gpu.batch_size > cpu.batch_size


def test_a_rerun_reuses_the_cost_cache(asset_env, monkeypatch, tmp_path):
    monkeypatch.setenv("PIDTUNE_CACHE_DIR", str(tmp_path / "cache"))
    args = ["eval", "pid", "--gains", "0.2,0.1,-0.05", "--num-segs", "2", "--json", "-q", "-j", "1"]
    first = run(*args).output

    def no_simulation(self, chunk):
        raise AssertionError("a cached cost was simulated again")

    monkeypatch.setattr("pidtune.evaluate.engine.Engine.run", no_simulation)
    assert run(*args).output == first
    with pytest.raises(AssertionError, match="simulated again"):
        run(*args, "--no-cache")
