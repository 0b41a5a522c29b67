"""Measure where good blended 2-PID gains lie (dt-scaled units), to choose default bounds.

Small and time-boxed on purpose (about 1,000 rollouts): random candidates in a wide box
around the official PID's gains, tuned on a few segments, checked on held-out ones.
Prints markdown tables for docs/tuning-defaults.md.

    python benchmarks/bounds_measurement.py --model-path ../shared/tinyphysics/models/tinyphysics.onnx \
        --data-dir ../shared/tinyphysics/data -j 2
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_args import search_parser  # noqa: E402

from pidtune.config import RunConfig  # noqa: E402
from pidtune.controllers.pid import BlendedFamily, PIDFamily, OFFICIAL_PID_GAINS  # noqa: E402
from pidtune.search.space import LEGACY_SPACE, SearchSpace  # noqa: E402
from pidtune.session import open_evaluator, open_segments  # noqa: E402

OFFICIAL_BLENDED = np.array([0.195, 1.0, -0.0053] * 2)  # the official PID in dt-scaled units


def wide_samples(rng, n):
    """P and I log-uniform over 16x ranges around the official gains, D uniform across zero."""
    def log_uniform(lo, hi, size):
        return np.exp(rng.uniform(np.log(lo), np.log(hi), size))
    out = np.empty((n, 6))
    for speed in (0, 3):
        out[:, speed] = log_uniform(0.05, 0.8, n)
        out[:, speed + 1] = log_uniform(0.25, 4.0, n)
        out[:, speed + 2] = rng.uniform(-0.025, 0.005, n)
    return np.round(out, 4)


def main():
    parser = search_parser(__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=48)
    parser.add_argument("--legacy", type=int, default=8)
    parser.add_argument("--tune", type=int, default=16)
    parser.add_argument("--holdout", type=int, default=32)
    parser.add_argument("--box", default=None,
                        help="uniform candidates in 'lower6:upper6' (comma-separated gains) instead of the wide box")
    args = parser.parse_args()

    config = RunConfig(model_path=args.model_path, data_dir=args.data_dir, workers=args.workers)
    segments = open_segments(config)
    order = np.random.default_rng(args.seed).permutation(len(segments))
    tune, holdout = order[: args.tune], order[args.tune : args.tune + args.holdout]
    rng = np.random.default_rng(args.seed + 1)
    if args.box:
        lower, upper = ([float(x) for x in part.split(",")] for part in args.box.split(":"))
        wide = SearchSpace(tuple(lower), tuple(upper)).sample(rng, args.candidates, decimals=4)
    else:
        wide = wide_samples(rng, args.candidates)
    legacy = LEGACY_SPACE.sample(rng, args.legacy)
    start = time.time()
    with open_evaluator(config, segments) as evaluator:
        candidates = np.vstack([OFFICIAL_BLENDED, wide, legacy])
        tuned = evaluator.costs(BlendedFamily(), candidates, tune).mean_total
        rank = np.argsort(tuned, kind="stable")
        print(f"## Tuning: {len(candidates)} candidates on {len(tune)} segments\n")
        print("| rank | source | low P | low I | low D | high P | high I | high D | mean total |")
        print("|---|---|---|---|---|---|---|---|---|")
        for r, c in enumerate(rank):
            source = "official" if c == 0 else ("box" if args.box and c <= args.candidates else "wide" if c <= args.candidates else "legacy")
            g = candidates[c]
            print(f"| {r + 1} | {source} | " + " | ".join(f"{x:.4g}" for x in g) + f" | {tuned[c]:.2f} |")
        top = rank[:10]
        print("\nTop 10 span: " + ", ".join(f"{n} {candidates[top, i].min():.4g}..{candidates[top, i].max():.4g}"
                                          for i, n in enumerate(BlendedFamily.param_names)))
        best3 = [c for c in rank if c != 0][:3]
        held = evaluator.costs(BlendedFamily(), candidates[[0, *best3]], holdout).mean_total
        pid = evaluator.costs(PIDFamily(), np.array([OFFICIAL_PID_GAINS]), holdout).mean_total[0]
        print(f"\n## Held out: {len(holdout)} other segments\n")
        print("| candidate | tuning cost | held-out cost | vs official |")
        print("|---|---|---|---|")
        print(f"| official pid (non-scaled) | | {pid:.2f} | |")
        for c, h in zip([0, *best3], held):
            print(f"| #{c} {np.array2string(candidates[c], precision=4)} | {tuned[c]:.2f} | {h:.2f} | {100 * (h / held[0] - 1):+.1f}% |")
        print(f"\n{evaluator.rollouts_simulated} rollouts in {time.time() - start:.0f} s with {args.workers} worker(s)")


if __name__ == "__main__":
    main()
