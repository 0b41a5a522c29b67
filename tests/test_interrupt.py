"""A real Ctrl-C (SIGINT to the whole process group, as a terminal sends it) mid-run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

SMALL = ["--stage1-combinations", "6", "--stage1-max-files", "3", "--stage1-num-files", "6",
         "--t1-rounds", "3", "--t1-pop-size", "6", "--t1-max-files", "4",
         "--t2-rounds", "1", "--t2-pop-size", "3", "--t2-max-files", "3", "--holdout", "1", "--seed", "5", "-j", "2"]


@pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT are POSIX")
def test_ctrl_c_stops_cleanly_and_the_run_resumes(tmp_path, model_path, data_dir):
    env = dict(os.environ, PIDTUNE_MODEL_PATH=str(model_path), PIDTUNE_DATA_DIR=str(data_dir))
    run_dir = tmp_path / "run"
    command = [sys.executable, "-m", "pidtune", "pipeline", *SMALL, "--output-dir", str(run_dir)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while not (run_dir / "grid" / "grid_results.json").exists():  # tournament 1 is now running
        assert proc.poll() is None and time.monotonic() < deadline, "the run ended before it could be interrupted"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    output, _ = proc.communicate(timeout=60)

    assert proc.returncode == 130
    assert f"pidtune pipeline --resume {run_dir}" in output
    assert "Traceback" not in output and "ForkPoolWorker" not in output
    assert not (run_dir / "best_params.json").exists()
    json.loads((run_dir / "grid" / "grid_results.json").read_text())  # what was written stays valid

    resumed = subprocess.run([sys.executable, "-m", "pidtune", "pipeline", "--resume", str(run_dir), "-q", "--json"],
                             env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    fresh = subprocess.run([sys.executable, "-m", "pidtune", "pipeline", *SMALL, "--output-dir", str(tmp_path / "fresh"),
                            "-q", "--json"], env=env, capture_output=True, text=True, timeout=300)
    a, b = json.loads(resumed.stdout), json.loads(fresh.stdout)
    assert (a["low_gains"], a["high_gains"], a["cost"]) == (b["low_gains"], b["high_gains"], b["cost"])
