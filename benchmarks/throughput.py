"""Rollouts per second per core: pidtune's cost-only engine against an official-style loop.

Everything runs in one process invocation on the same segments and gains, so the
ratios are measured under the same machine load. Run from the project root:

    python benchmarks/throughput.py [--segments 8] [--candidates 8]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from official_loop import official_style_rollout  # noqa: E402

from pidtune.config import default_workers  # noqa: E402
from pidtune.controllers.pid import OFFICIAL_PID_GAINS, PIDFamily  # noqa: E402
from pidtune.evaluate import Evaluator  # noqa: E402
from pidtune.evaluate.engine import ModelSpec  # noqa: E402
from pidtune.sim.model import TinyPhysicsModel  # noqa: E402
from pidtune.sim.segments import load_segments  # noqa: E402

ASSETS = Path(__file__).resolve().parents[1].parent / "shared" / "tinyphysics"


def engine_rate(spec, segments, gains, workers, threads=1, batch_size=None):
    spec = ModelSpec(spec.path, threads=threads, fast_graph=spec.fast_graph)
    with Evaluator(spec, segments, workers=workers, batch_size=batch_size) as evaluator:
        evaluator.costs(PIDFamily(), gains[:1], [0])  # start workers and sessions outside the clock
        start = time.perf_counter()
        table = evaluator.costs(PIDFamily(), gains)
        elapsed = time.perf_counter() - start
    return table.total.size / elapsed, table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-path", type=Path, default=ASSETS / "models" / "tinyphysics.onnx")
    parser.add_argument("--data-dir", type=Path, default=ASSETS / "data")
    parser.add_argument("--segments", type=int, default=8)
    parser.add_argument("--candidates", type=int, default=8, help="gain sets per segment for the engine")
    args = parser.parse_args()

    segments = load_segments(args.data_dir, args.segments)
    rng = np.random.default_rng(0)
    gains = np.vstack([OFFICIAL_PID_GAINS, np.array(OFFICIAL_PID_GAINS) * rng.uniform(0.7, 1.3, (args.candidates - 1, 3))])
    cores = default_workers()
    print(f"{args.segments} segments, {args.candidates} candidates, {cores} cores")

    session = TinyPhysicsModel(args.model_path).session
    start = time.perf_counter()
    official = [official_style_rollout(session, segments, s, OFFICIAL_PID_GAINS) for s in range(len(segments))]
    base = len(segments) / (time.perf_counter() - start)
    print(f"official-style loop (1 process):           {base:7.2f} rollouts/s/core")

    rows = []
    for label, fast, workers, threads in [
        ("engine, full graph, 1 process", False, 1, 1),
        ("engine, last-position graph, 1 process", True, 1, 1),
        (f"engine, last-position graph, {cores} processes", True, cores, 1),
        (f"engine, last-position graph, 1 process x {cores} threads", True, 1, cores),
    ]:
        rate, table = engine_rate(ModelSpec(args.model_path, fast_graph=fast), segments, gains, workers, threads)
        if not np.array_equal(table.total[0], official):
            raise SystemExit(f"{label}: costs differ from the official-style loop")
        per_core = rate / max(workers, threads)
        rows.append((label, rate, per_core))
        print(f"{label:44s} {per_core:7.2f} rollouts/s/core  ({rate:.2f}/s total, x{per_core / base:.2f} per core)")
    print("costs identical to the official-style loop: yes")


if __name__ == "__main__":
    main()
