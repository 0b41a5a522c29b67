"""Wall time of `pidtune pipeline` at small (or, with --defaults, default) settings, and the rollouts per second it sustained.

Runs the real command in-process (Click's runner) and counts rollouts actually simulated
(cached and pruned ones excluded) through Evaluator.rollouts_simulated.

    python benchmarks/pipeline_bench.py --model-path ../shared/tinyphysics/models/tinyphysics.onnx \
        --data-dir ../shared/tinyphysics/data -j 2
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_args import search_parser  # noqa: E402

from pidtune.cli import cli  # noqa: E402
from pidtune.evaluate import evaluator as evaluator_module  # noqa: E402

SMALL = ["--stage1-combinations", "16", "--stage1-max-files", "16", "--stage1-num-files", "16",
         "--t1-rounds", "3", "--t1-pop-size", "8", "--t1-max-files", "16",
         "--t2-rounds", "3", "--t2-pop-size", "8", "--t2-max-files", "16", "--holdout", "32"]


def main():
    parser = search_parser(__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, default=None, help="keep the run here (default: a temporary folder)")
    parser.add_argument("--defaults", action="store_true", help="run the default pipeline (no small settings)")
    parser.add_argument("extra", nargs="*", help="more pipeline flags (after --), replacing the small defaults")
    args = parser.parse_args()

    simulated = []
    original = evaluator_module.Evaluator.close

    def count_and_close(self):  # every evaluator is closed at the end of a run
        simulated.append(self.rollouts_simulated)
        original(self)

    evaluator_module.Evaluator.close = count_and_close
    folder = args.output_dir or Path(tempfile.mkdtemp()) / "run"
    settings = ([] if args.defaults else SMALL) + args.extra
    command = ["--model-path", str(args.model_path), "--data-dir", str(args.data_dir), "pipeline", *settings,
               "-j", str(args.workers), "--seed", str(args.seed), "-q", "--json", "--output-dir", str(folder)]
    start = time.perf_counter()
    result = CliRunner().invoke(cli, command, catch_exceptions=False)
    wall = time.perf_counter() - start
    if result.exit_code != 0:
        raise SystemExit(result.output)
    best = json.loads(result.stdout)
    rollouts = max(simulated)  # close() may run twice (exit and cleanup): same evaluator, same count
    print(f"pidtune pipeline {' '.join(settings) or '(defaults)'} -j {args.workers}")
    print(f"wall time {wall:.1f} s; {rollouts} rollouts simulated; {rollouts / wall:.2f} rollouts/s sustained")
    print(f"tuned cost {best['cost']:.3f} vs official PID {best['official_pid_cost']:.3f} on {len(best['files'])} tuning files")
    if best["holdout"]:
        h = best["holdout"]
        print(f"held out: tuned {h['cost']:.3f} vs official PID {h['official_pid_cost']:.3f} on {len(h['files'])} files "
              f"({100 * (h['cost'] / h['official_pid_cost'] - 1):+.1f}%)")
    print(f"low gains {best['low_gains']}, high gains {best['high_gains']}; run folder {folder}")


if __name__ == "__main__":
    main()
