"""`pidtune grid`, `pidtune tournament`, `pidtune pipeline` and `pidtune export`: thin commands
over pidtune.search (flags -> a flat dict -> the library)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.core import ParameterSource

from pidtune.cli.app import CliError, cli, shared_options
from pidtune.cli.search_options import (COUNT, ELITE_FRACTION, FRACTION, apply, bound_options,
                                        common_search_options)
from pidtune.cli.search_view import RichReporter
from pidtune.config import RunConfig
from pidtune.controllers.export import export_controller
from pidtune.controllers.params import read_blended_params
from pidtune.errors import PidtuneUsageError
from pidtune.search.commands import grid_command, pipeline_command, pipeline_stages, tournament_command
from pidtune.search.run import default_run_dir

INTERRUPTED = 130  # the shell's code for Ctrl-C


def _run(command, config: RunConfig, options: dict, **extra):
    """Shared tail of the three search commands: --resume rules, output."""
    as_json, resume = options.pop("as_json"), options.pop("resume")
    if resume is not None:
        ctx = click.get_current_context()
        given = [name for name in options if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE]
        if given:
            flag = "--" + given[0].replace("_", "-")
            raise PidtuneUsageError(f"--resume uses the run's saved settings: drop {flag}")
    name = click.get_current_context().info_name
    if resume is None and config.output_dir is None:
        config = config.with_overrides(output_dir=default_run_dir(name))
    reporter = RichReporter(config.verbosity, as_json)
    try:
        result = command(config, options, reporter=reporter, resume=resume, **extra)
    except KeyboardInterrupt:
        folder = resume or config.output_dir
        raise CliError(f"interrupted; costs and finished rounds are saved. Continue with: "
                       f"pidtune {name} --resume {folder}", INTERRUPTED) from None
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        reporter.final(result)


GRID_OPTIONS = [
    click.option("--num-combinations", "--num_combinations", type=COUNT, default=300, show_default=True,
                 help="Random candidates to evaluate."),
    click.option("--max-files-per-test", "--max_files_per_test", type=COUNT, default=25, show_default=True,
                 help="Files each candidate is tested on (the same sample for all, so costs compare)."),
    click.option("--num-files", "--num_files", type=COUNT, default=50, show_default=True,
                 help="Tuning pool the test files are drawn from."),
    click.option("--keep-top", type=COUNT, default=20, show_default=True,
                 help="Best candidates guaranteed fully evaluated and exactly ranked (others may be pruned)."),
]


@cli.command("grid")
@lambda f: apply(GRID_OPTIONS + bound_options("", "search bounds"), f)
@common_search_options
@shared_options
def grid_cmd(config: RunConfig, **options):
    """Stage 1: uniform random blended 2-PID candidates in the bounds (3 decimals), ranked by mean total cost.

    --seed seeds the candidates. Writes config.json, grid_results.json, best_params.json
    and costs.sqlite (the cost cache) into --output-dir.

    \b
    Example:
      pidtune grid --num-combinations 100 --max-files-per-test 10 --seed 1 --data-seed 2
      pidtune grid --resume runs/grid-20250101T120000Z
    """
    _run(grid_command, config, options)


TOURNAMENT_OPTIONS = [
    click.option("--rounds", type=COUNT, default=12, show_default=True, help="Rounds to play."),
    click.option("--pop-size", "--pop_size", type=COUNT, default=25, show_default=True, help="Population per round."),
    click.option("--elite-pct", type=ELITE_FRACTION, default=0.3, show_default=True,
                 help="Share of the population kept as elites (at least one)."),
    click.option("--revive-pct", type=FRACTION, default=0.2, show_default=True,
                 help="Share revived from eliminated candidates (lottery weighted by 1 + rounds survived)."),
    click.option("--max-files", "--max_files", type=COUNT, default=30, show_default=True,
                 help="Files per round (a fresh sample of the pool each round)."),
    click.option("--num-files", "--num_files", type=COUNT, default=50, show_default=True,
                 help="Tuning pool the rounds' files are drawn from."),
    click.option("--perturb-scale", "--perturb_scale", type=click.FloatRange(min=0), default=0.05, show_default=True,
                 help="Std of a child's perturbation, as a fraction of each gain's bound width."),
    click.option("--seed-from-archive", "--seed_from_archive", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 default=None, help="Grid results or tournament archive: the best half of the population comes from it."),
    click.option("--init-seed", type=int, default=None, help="Seed of the population and its perturbations [default: derived from --seed]."),
]


@cli.command("tournament")
@lambda f: apply(TOURNAMENT_OPTIONS + bound_options("init-", "random initial population; children are clipped to these"), f)
@common_search_options
@shared_options
def tournament_cmd(config: RunConfig, **options):
    """Stage 2/3: rounds of evaluate, keep elites, revive, and perturb the best.

    Writes config.json, archive.json (every candidate's history, saved each round),
    best_params.json and costs.sqlite into --output-dir.

    \b
    Example:
      pidtune tournament --seed-from-archive runs/grid-x/grid_results.json --rounds 5 --pop-size 20
      pidtune tournament --resume runs/tournament-20250101T120000Z
    """
    if options["seed_from_archive"] is not None:
        options["seed_from_archive"] = str(options["seed_from_archive"])
    _run(tournament_command, config, options)


def _tournament_flags(prefix: str, defaults: dict) -> list:
    flag, name = f"--{prefix}-", f"{prefix}_"
    return [
        click.option(f"{flag}rounds", f"{name}rounds", type=COUNT, default=defaults["rounds"], show_default=True,
                     help=f"Rounds of tournament {prefix[1]}."),
        click.option(f"{flag}pop-size", f"{name}pop_size", type=COUNT, default=25, show_default=True,
                     help=f"Population of tournament {prefix[1]}."),
        click.option(f"{flag}max-files", f"{name}max_files", type=COUNT, default=defaults["max_files"], show_default=True,
                     help=f"Files per round of tournament {prefix[1]}."),
        click.option(f"{flag}elite-pct", f"{name}elite_pct", type=ELITE_FRACTION, default=0.3, show_default=True,
                     help=f"Elite share of tournament {prefix[1]}."),
        click.option(f"{flag}revive-pct", f"{name}revive_pct", type=FRACTION, default=0.2, show_default=True,
                     help=f"Revived share of tournament {prefix[1]}."),
        click.option(f"{flag}init-seed", f"{name}init_seed", type=int, default=None,
                     help=f"Seed of tournament {prefix[1]}'s population [default: derived from --seed]."),
    ] + bound_options(f"{prefix}-init-", f"tournament {prefix[1]}'s random half and clipping")


PIPELINE_OPTIONS = [
    click.option("--stage1-combinations", type=COUNT, default=300, show_default=True, help="Grid candidates."),
    click.option("--stage1-max-files", type=COUNT, default=25, show_default=True, help="Files per grid candidate."),
    click.option("--stage1-num-files", type=COUNT, default=50, show_default=True,
                 help="Grid's file pool (the tuning pool is the largest of this and the tournaments' --tN-max-files)."),
    *bound_options("stage1-", "grid bounds"),
    *_tournament_flags("t1", {"rounds": 12, "max_files": 30}),
    *_tournament_flags("t2", {"rounds": 12, "max_files": 50}),
    click.option("--perturb-scale", "--perturb_scale", type=click.FloatRange(min=0), default=0.05, show_default=True,
                 help="Perturbation std as a fraction of each gain's bound width (both tournaments)."),
    click.option("--stage", type=click.IntRange(1, 3), default=None,
                 help="Run only this stage (1 grid, 2 tournament 1, 3 tournament 2); later stages read earlier ones' results from --output-dir/--resume."),
    click.option("--from-stage", type=click.IntRange(1, 3), default=None, help="Run this stage and the ones after it."),
]


@cli.command("pipeline")
@lambda f: apply(PIPELINE_OPTIONS, f)
@common_search_options
@shared_options
def pipeline_cmd(config: RunConfig, stage, from_stage, **options):
    """Grid, then tournament 1 seeded from the grid, then tournament 2 seeded from tournament 1.

    Each stage writes into its folder of the run (grid/, tournament1/, tournament2/);
    the run's config.json, best_params.json and costs.sqlite sit beside them. Ctrl-C
    loses at most the batch in flight: --resume DIR continues and ends as an
    uninterrupted run would.

    \b
    Example:
      pidtune pipeline --stage1-combinations 100 --stage1-max-files 10 --t1-rounds 5 --t2-pop-size 30
      pidtune pipeline --resume runs/pipeline-20250101T120000Z
      pidtune pipeline --output-dir runs/p1 --from-stage 2 --t1-rounds 20
    """
    _run(pipeline_command, config, options, stages=pipeline_stages(stage, from_stage))


@cli.command("export")
@click.argument("params_file", metavar="PARAMS.json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Controller file to write, e.g. controllers/mine.py in the official repository.")
def export_cmd(params_file, out):
    """Write an official-style controller file holding the tuned gains.

    The official tinyphysics.py/eval.py run it unchanged, and its costs equal
    `pidtune eval blended --params PARAMS.json` exactly.

    \b
    Example:
      pidtune export runs/pipeline-x/best_params.json --out controllers/tuned.py
      python tinyphysics.py --model_path ./models/tinyphysics.onnx --data_path ./data --num_segs 100 --controller tuned
    """
    export_controller(read_blended_params(params_file), out, source=str(params_file))
    click.echo(f"wrote {out}", err=True)
