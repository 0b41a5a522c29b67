"""Stage 1, grid: uniform random candidates in the bounds, ranked by mean total cost.

Every candidate is tested on the same files (a sample of the pool), so their costs
compare (common random numbers). With ``top_k`` the best k are exact and the rest may
be stopped early, marked pruned with a lower bound of their cost.
"""

from __future__ import annotations

import json

from dataclasses import asdict, dataclass, field

import numpy as np

from pidtune.io import atomic_write_json
from pidtune.search.context import SearchContext
from pidtune.search.data import sample_files
from pidtune.search.results import (GRID_KIND, FORMAT_VERSION, cost_summary, gains_array, gains_dict, normalized,
                                    ranking)
from pidtune.search.seeds import derived_rng
from pidtune.search.space import DEFAULT_SPACE, SearchSpace, space_dict

RESULTS_FILE = "grid_results.json"


@dataclass(frozen=True)
class GridSettings:
    num_combinations: int = 300
    max_files_per_test: int = 25
    num_files: int = 50  # the pool the test files are drawn from
    space: SearchSpace = field(default=DEFAULT_SPACE)
    seed: int = 0  # candidate sampling
    top_k: int | None = 20  # exact ranks guaranteed for the best k; None: no pruning

    def as_dict(self) -> dict:
        out = asdict(self)
        out["space"] = space_dict(self.space)
        return out


@dataclass(frozen=True)
class GridResult:
    params: np.ndarray  # [C, 6] ranked best first
    rows: list[dict]  # ranked, as in the results file
    files: list[str]


def grid_candidates(settings: GridSettings) -> np.ndarray:
    return settings.space.sample(derived_rng(settings.seed, "grid-candidates"), settings.num_combinations)


def grid_files(ctx: SearchContext, settings: GridSettings) -> np.ndarray:
    pool = ctx.plan.pool[: settings.num_files]
    return sample_files(pool, settings.max_files_per_test, derived_rng(ctx.data_seed, "grid-files"))


def run_grid(ctx: SearchContext, settings: GridSettings, stage_dir) -> GridResult:
    """Evaluate the grid, or read it back if this folder holds it for the same settings and
    files (cached costs are reused, so a rerun after Ctrl-C only simulates what is missing)."""
    params = grid_candidates(settings)
    files = grid_files(ctx, settings)
    done = _load_done(stage_dir / RESULTS_FILE, settings, ctx.plan.names(files))
    if done is not None:
        ctx.reporter.stage_done("grid", done.rows)
        return done
    with ctx.reporter.progress("grid", len(params) * len(files)) as advance:
        table = ctx.costs(params, files, advance, top_k=settings.top_k)
    order = ranking(table)
    names = ctx.plan.names(files)
    rows = [{"rank": r + 1, "candidate": int(c), **gains_dict(params[c]), **cost_summary(table, c),
             "files_tested": len(files)} for r, c in enumerate(order)]
    atomic_write_json(stage_dir / RESULTS_FILE, {
        "kind": GRID_KIND, "version": FORMAT_VERSION, "settings": normalized(settings.as_dict()),
        "files": names, "candidates": rows,
    })
    ctx.reporter.stage_done("grid", rows)
    return GridResult(params[order], rows, names)


def _load_done(path, settings: GridSettings, names: list[str]) -> GridResult | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    if data.get("kind") != GRID_KIND or data.get("settings") != normalized(settings.as_dict()) or data.get("files") != names:
        return None
    rows = data["candidates"]
    return GridResult(np.array([gains_array(r) for r in rows]), rows, names)
