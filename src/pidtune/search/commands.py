"""What the grid, tournament and pipeline commands do, below the CLI: resolve flags, prepare
the run folder (or reopen one to resume), run the stages, return best_params."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pidtune.config import RunConfig
from pidtune.errors import PidtuneUsageError
from pidtune.search.context import Reporter
from pidtune.search.grid import run_grid
from pidtune.search.pipeline import STAGES, PipelineSettings, run_pipeline
from pidtune.search.report import write_best_params
from pidtune.search.results import gains_array, read_seed_candidates
from pidtune.search.run import CONFIG_FILE, default_run_dir, open_search, read_config, write_config
from pidtune.search.settings import (check_percentages, grid_settings, pipeline_settings, resolve_seeds,
                                     tournament_settings)
from pidtune.search.tournament import run_tournament


def _prepare(command: str, config: RunConfig, flags: dict, resume: Path | None, stage_seeds: tuple[str, ...],
             reuse_folder: bool = False):
    """(config, flags, run_dir): fresh, with seeds filled in, or as saved in the run to resume.

    A resumed run keeps its saved assets, seeds and settings; only how it runs (workers,
    verbosity) comes from this invocation, and neither changes a number.
    """
    if resume is not None:
        saved = read_config(resume, command)
        run = saved["run"]
        config = replace(config, model_path=Path(run["model_path"]), data_dir=Path(run["data_dir"]),
                         seed=run["seed"], device=run["device"], seed_prefix=run["seed_prefix"],
                         output_dir=Path(resume))
        return config, saved["flags"], Path(resume)
    flags = resolve_seeds(flags, config.seed, stage_seeds)
    run_dir = Path(config.output_dir) if config.output_dir is not None else default_run_dir(command)
    if (run_dir / CONFIG_FILE).exists() and not reuse_folder:
        raise PidtuneUsageError(f"--output-dir {run_dir} already holds a run: continue it with --resume {run_dir}, "
                                "or choose another folder")
    config = replace(config, seed=flags["seed"], output_dir=run_dir)
    return config, flags, run_dir


def _result(run_dir: Path, best: dict) -> dict:
    return {"output_dir": str(run_dir), **best}


def grid_command(config: RunConfig, flags: dict, reporter: Reporter | None = None, resume: Path | None = None) -> dict:
    config, flags, run_dir = _prepare("grid", config, flags, resume, ())
    settings = grid_settings(flags)
    write_config(run_dir, "grid", config, flags, {"grid": settings.as_dict()})
    with open_search(config, run_dir, flags["data_seed"], settings.num_files, flags["holdout"], reporter) as ctx:
        result = run_grid(ctx, settings, run_dir)
        return _result(run_dir, write_best_params(ctx, result.params[0], result.files, "grid"))


def tournament_command(config: RunConfig, flags: dict, reporter: Reporter | None = None,
                       resume: Path | None = None) -> dict:
    config, flags, run_dir = _prepare("tournament", config, flags, resume, ("init_seed",))
    settings = tournament_settings(flags)
    check_percentages(settings)
    seeds = None
    if flags.get("seed_from_archive"):
        seeds = read_seed_candidates(flags["seed_from_archive"], "--seed-from-archive")
    write_config(run_dir, "tournament", config, flags, {"tournament": settings.as_dict()})
    pool = max(flags["num_files"], settings.max_files)
    with open_search(config, run_dir, flags["data_seed"], pool, flags["holdout"], reporter) as ctx:
        outcome = run_tournament(ctx, settings, run_dir, seeds=seeds)
        return _result(run_dir, write_best_params(ctx, gains_array(outcome.best), outcome.files, "tournament"))


def pipeline_stages(stage: int | None, from_stage: int | None) -> tuple[int, ...]:
    if stage is not None and from_stage is not None:
        raise PidtuneUsageError("give --stage or --from-stage, not both")
    if stage is not None:
        return (stage,)
    return tuple(range(from_stage or 1, len(STAGES) + 1))


def pipeline_command(config: RunConfig, flags: dict, reporter: Reporter | None = None, resume: Path | None = None,
                     stages: tuple[int, ...] = (1, 2, 3)) -> dict:
    # running a later stage reuses the earlier stages' results in the same folder
    config, flags, run_dir = _prepare("pipeline", config, flags, resume, ("t1_init_seed", "t2_init_seed"),
                                      reuse_folder=stages[0] > 1)
    settings: PipelineSettings = pipeline_settings(flags)
    check_percentages(settings.t1, "t1-")
    check_percentages(settings.t2, "t2-")
    write_config(run_dir, "pipeline", config, flags, settings.as_dict())
    with open_search(config, run_dir, flags["data_seed"], settings.pool_size, flags["holdout"], reporter) as ctx:
        return _result(run_dir, run_pipeline(ctx, settings, stages))
