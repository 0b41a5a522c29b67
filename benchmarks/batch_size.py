"""Model rows per second against batch size (single thread), for the full and last-position graphs.

Justifies the evaluator's CPU batch size: ONNX Runtime's CPU throughput is flat or
falling beyond small batches. Run from the project root:

    python benchmarks/batch_size.py
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from pidtune.evaluate.engine import ModelSpec

ASSETS = Path(__file__).resolve().parents[1].parent / "shared" / "tinyphysics"


def rows_per_second(model, batch: int, rng) -> float:
    states = rng.uniform(-1, 1, size=(batch, 20, 4)).astype(np.float32)
    tokens = rng.integers(0, 1024, size=(batch, 20))
    model.last_logits(states, tokens)
    calls = max(3, 1500 // batch)
    start = time.perf_counter()
    for _ in range(calls):
        model.last_logits(states, tokens)
    return batch * calls / (time.perf_counter() - start)


def main():
    path = ASSETS / "models" / "tinyphysics.onnx"
    models = {"full graph": ModelSpec(path, fast_graph=False).open(), "last-position graph": ModelSpec(path).open()}
    rng = np.random.default_rng(0)
    print(f"{'batch':>6} " + " ".join(f"{name:>22}" for name in models))
    for batch in (1, 8, 16, 32, 64, 128, 256, 512, 1024):
        print(f"{batch:6d} " + " ".join(f"{rows_per_second(m, batch, rng):15.0f} rows/s" for m in models.values()))


if __name__ == "__main__":
    main()
