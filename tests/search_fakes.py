"""A cheap stand-in for the simulator: costs from a quadratic bowl, so stage logic tests run in milliseconds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pidtune.evaluate.evaluator import CostTable
from pidtune.search.context import Reporter, SearchContext

BOWL = np.array([0.2, 1.0, -0.005, 0.15, 1.4, -0.003])  # the fake optimum
SCALE = np.array([10.0, 1.0, 1000.0, 10.0, 1.0, 1000.0])


@dataclass
class FakePlan:
    pool_size: int
    holdout_size: int = 0

    @property
    def pool(self):
        return np.arange(self.pool_size)

    @property
    def holdout(self):
        return np.arange(self.pool_size, self.pool_size + self.holdout_size)

    def names(self, seg_ids):
        return [f"{i:05d}.csv" for i in seg_ids]


class FakeContext(SearchContext):
    """Cost of candidate c on file s: a bowl around BOWL plus a per-file offset (no pruning)."""

    def __init__(self, run_dir, pool_size=6, reporter=None, data_seed=7):
        super().__init__(evaluator=None, plan=FakePlan(pool_size), data_seed=data_seed, run_dir=run_dir,
                         reporter=reporter or Reporter())
        self.calls = []

    def costs(self, params, seg_ids, advance, top_k=None, family=None):
        self.calls.append((np.array(params), np.array(seg_ids), top_k))
        bowl = (((np.asarray(params) - BOWL) * SCALE) ** 2).sum(axis=1)
        total = 50 + bowl[:, None] + np.asarray(seg_ids, dtype=float)[None, :]
        nan = np.full_like(total, np.nan)
        advance(total.size)
        return CostTable(nan, nan.copy(), total, np.zeros(len(total), dtype=bool), total.sum(axis=1))


class InterruptAfter(Reporter):
    """Raises KeyboardInterrupt after the given round of a stage has been saved."""

    def __init__(self, stage, round_index):
        self.stage, self.round_index = stage, round_index

    def round_done(self, stage, round_index, rounds, best):
        if (stage, round_index) == (self.stage, self.round_index):
            raise KeyboardInterrupt
