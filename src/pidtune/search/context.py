"""What every stage works with: the evaluator, the run's data plan, its folder, and a reporter.

The reporter is how stages talk to the outside (progress bars, tables, per-round
notices) without knowing about the terminal; the CLI passes a Rich one.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pidtune.controllers.base import ControllerFamily
from pidtune.controllers.pid import BlendedFamily
from pidtune.evaluate import Evaluator
from pidtune.evaluate.evaluator import CostTable
from pidtune.search.data import DataPlan


class Reporter:
    """Silent by default; override what you want to show. Hooks run after state is saved."""

    @contextmanager
    def progress(self, description: str, total: int):
        yield lambda n=1: None

    def stage_done(self, stage: str, rows: list[dict]) -> None:
        pass

    def round_done(self, stage: str, round_index: int, rounds: int, best: dict) -> None:
        pass


@dataclass
class SearchContext:
    evaluator: Evaluator
    plan: DataPlan
    data_seed: int
    run_dir: Path
    reporter: Reporter = field(default_factory=Reporter)
    family: ControllerFamily = field(default_factory=BlendedFamily)

    def costs(self, params: np.ndarray, seg_ids: np.ndarray, advance, top_k: int | None = None,
              family: ControllerFamily | None = None) -> CostTable:
        """Costs of candidates on files; ``advance`` also counts rollouts skipped by pruning,
        so a stage's progress bar ends full."""
        counted = 0

        def count(n=1):
            nonlocal counted
            counted += n
            advance(n)

        table = self.evaluator.costs(family or self.family, params, seg_ids, top_k=top_k, progress=count)
        advance(params.shape[0] * len(seg_ids) - counted)
        return table
