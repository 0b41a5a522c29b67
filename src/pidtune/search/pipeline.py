"""The pipeline: grid, then tournament 1 seeded from the grid, then tournament 2 seeded from
tournament 1's archive, each stage in its own folder of the run.

A stage whose saved results (or archive) were made with the same settings and inputs
continues from them instead of starting over, which is what ``--resume`` relies on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pidtune.errors import PidtuneUsageError
from pidtune.search.context import SearchContext
from pidtune.search.grid import RESULTS_FILE, GridSettings, run_grid
from pidtune.search.report import write_best_params
from pidtune.search.results import gains_array, read_seed_candidates
from pidtune.search.tournament import ARCHIVE_FILE, TournamentSettings, run_tournament

STAGES = {1: "grid", 2: "tournament1", 3: "tournament2"}


@dataclass(frozen=True)
class PipelineSettings:
    grid: GridSettings
    t1: TournamentSettings
    t2: TournamentSettings

    @property
    def pool_size(self) -> int:
        """Files the stages draw from: enough for the largest per-round sample."""
        return max(self.grid.num_files, self.t1.max_files, self.t2.max_files)

    def as_dict(self) -> dict:
        return {"grid": self.grid.as_dict(), "tournament1": self.t1.as_dict(), "tournament2": self.t2.as_dict()}


def stage_dir(run_dir: Path, stage: int) -> Path:
    return Path(run_dir) / STAGES[stage]


def _seeds_from(run_dir: Path, stage: int, limit: int | None = None) -> np.ndarray:
    """Ranked candidates saved by ``stage`` (the input of stage + 1). A tournament's archive
    lists its last round first, whose ranks are exact (``final_top``)."""
    path = stage_dir(run_dir, stage) / (RESULTS_FILE if stage == 1 else ARCHIVE_FILE)
    if not path.is_file():
        raise PidtuneUsageError(f"stage {stage + 1} needs stage {stage}'s results, and {path} does not exist "
                                f"(run stage {stage} first, or pass --resume with a run that has it)")
    return read_seed_candidates(path, flag=f"stage {stage} results")[:limit]


def run_pipeline(ctx: SearchContext, settings: PipelineSettings, stages=(1, 2, 3)) -> dict:
    """Run the given stages (consecutive); return best_params of the last one."""
    run_dir = ctx.run_dir
    for stage in stages:
        folder = stage_dir(run_dir, stage)
        if stage == 1:
            result = run_grid(ctx, settings.grid, folder)
            best, files = result.params[0], result.files
        else:
            tournament = settings.t1 if stage == 2 else settings.t2
            # of tournament 1's archive, only its last round is ranked exactly
            limit = settings.t1.pop_size if stage == 3 else None
            outcome = run_tournament(ctx, tournament, folder, seeds=_seeds_from(run_dir, stage - 1, limit))
            best, files = gains_array(outcome.best), outcome.files
    return write_best_params(ctx, best, files, STAGES[stages[-1]])
