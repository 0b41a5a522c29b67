"""Loading a data folder: parsing every CSV with pandas against the parsed-array cache.

Builds a folder of N segment files (copies of the shared segments) in a temporary
directory and times, in one run: a parse without cache, the first cached load (parse
and write), and a cached load. Run from the project root:

    python benchmarks/segment_load.py [--files 2000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

ASSETS = Path(__file__).resolve().parents[1].parent / "shared" / "tinyphysics"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--source", type=Path, default=ASSETS / "data")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        folder.mkdir()
        sources = sorted(args.source.glob("*.csv"))
        for i in range(args.files):
            shutil.copy(sources[i % len(sources)], folder / f"{i:05d}.csv")
        os.environ["PIDTUNE_CACHE_DIR"] = str(Path(tmp) / "cache")
        from pidtune.sim.segments import load_segments

        timings = {}
        for label, use_cache in (("parse every CSV (no cache)", False), ("first load (parse, write cache)", True),
                                 ("cached load", True)):
            start = time.perf_counter()
            load_segments(folder, use_cache=use_cache)
            timings[label] = time.perf_counter() - start
        for label, seconds in timings.items():
            print(f"{args.files} files, {label:32s} {seconds:7.2f} s")
        print(f"cached load is {timings['parse every CSV (no cache)'] / timings['cached load']:.0f}x faster")


if __name__ == "__main__":
    main()
