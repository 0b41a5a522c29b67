"""Which segment files a run tunes on and which it holds out.

The data folder's files are shuffled with the data seed; the run's tuning pool is the
first ``pool_size`` of that order and the holdout the next ``holdout`` files, so the
holdout never overlaps what the run tuned on. Only those files are read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pidtune.assets import ensure_assets
from pidtune.config import RunConfig
from pidtune.search.seeds import derived_rng
from pidtune.sim.segments import Segments, list_segment_files, load_segment_files


@dataclass(frozen=True)
class DataPlan:
    """Loaded segments: indices 0..pool_size-1 are the tuning pool, the rest the holdout."""

    segments: Segments
    pool_size: int

    @property
    def pool(self) -> np.ndarray:
        return np.arange(self.pool_size)

    @property
    def holdout(self) -> np.ndarray:
        return np.arange(self.pool_size, len(self.segments))

    def names(self, seg_ids) -> list[str]:
        return [self.segments.names[i] for i in seg_ids]


def plan_data(config: RunConfig, data_seed: int, pool_size: int, holdout: int) -> DataPlan:
    ensure_assets(config, data=True)
    files = list_segment_files(config.data_dir)
    order = derived_rng(data_seed, "file-order").permutation(len(files))
    pool_size = min(pool_size, len(files))
    chosen = [files[i] for i in order[: pool_size + holdout]]
    return DataPlan(load_segment_files(config.data_dir, chosen, config.seed_prefix), pool_size)


def sample_files(pool: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """At most ``count`` files of the pool, sorted (the order does not change any cost)."""
    if count >= len(pool):
        return np.array(pool)
    return np.sort(rng.choice(pool, size=count, replace=False))
