"""`pidtune eval`: costs of one controller (and a baseline) on the first N segments."""

from __future__ import annotations

import json
from pathlib import Path

import click
import numpy as np
from rich.console import Console
from rich.table import Table

from pidtune.cli.app import cli, shared_options
from pidtune.config import RunConfig
from pidtune.controllers.resolve import resolve_controller
from pidtune.evaluate.cache import CostCache
from pidtune.io import check_rows_path, write_rows
from pidtune.paths import user_cost_cache
from pidtune.progress import progress_bar
from pidtune.session import open_evaluator, open_segments


@cli.command("eval")
@click.argument("controller", default="pid")
@click.option("--baseline", default=None, help="A second controller to compare against (like the official eval.py).")
@click.option("--num-segs", type=click.IntRange(min=1), default=100, show_default=True, help="Evaluate the first N segments.")
@click.option("--gains", default=None, help="P,I,D for the pid controller (default: the official gains).")
@click.option("--low-gains", default=None, help="P,I,D of the low-speed PID (blended).")
@click.option("--high-gains", default=None, help="P,I,D of the high-speed PID (blended).")
@click.option("--params", "params_file", type=click.Path(path_type=Path), default=None,
              help="A params JSON file (low_gains, high_gains) for blended.")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Per-segment costs to a .json or .csv file.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary to stdout.")
@click.option("--no-cache", is_flag=True,
              help="Neither read nor write the user cost cache (by default a rerun reuses every cost computed before).")
@shared_options
def eval_command(config: RunConfig, controller, baseline, num_segs, gains, low_gains, high_gains, params_file, out,
                 as_json, no_cache):
    """Costs of a controller on the first N segments, optionally against a baseline.

    CONTROLLER is pid, zero, blended, or a path to an official-style controller file.
    Gains flags apply to the tested controller; the baseline runs with its defaults
    (or its own file).

    \b
    Example:
      pidtune eval pid --num-segs 100
      pidtune eval blended --params runs/pipeline-x/best_params.json --baseline pid
      pidtune eval controllers/mine.py --baseline pid --out costs.csv
    """
    if out is not None:
        check_rows_path(out)
    choices = [resolve_controller(controller, gains, low_gains, high_gains, params_file)]
    if baseline is not None:
        choices.append(resolve_controller(baseline))
    segments = open_segments(config, num_segs)
    rows, summary = [], []
    # gains-based controllers' costs go to the user cache as they complete: a rerun after
    # Ctrl-C (or of the same controller later) only simulates what is missing
    cache = None if no_cache else CostCache(user_cost_cache())
    with open_evaluator(config, segments, cache=cache) as evaluator:
        with progress_bar(len(segments) * len(choices), "eval", enabled=config.verbosity > 0) as advance:
            for choice in choices:
                table = evaluator.costs(choice.family, choice.params[None, :], progress=advance)
                summary.append({
                    "controller": choice.label,
                    "lataccel_cost": float(np.mean(table.lataccel[0])),
                    "jerk_cost": float(np.mean(table.jerk[0])),
                    "total_cost": float(np.mean(table.total[0])),
                })
                rows.extend(
                    {"segment": name, "controller": choice.label, "lataccel_cost": float(table.lataccel[0, s]),
                     "jerk_cost": float(table.jerk[0, s]), "total_cost": float(table.total[0, s])}
                    for s, name in enumerate(segments.names)
                )
    if out is not None:
        write_rows(out, rows)
    if as_json:
        click.echo(json.dumps({"num_segs": len(segments), "results": summary}, indent=2))
    elif config.verbosity > 0:
        _print_summary(summary, len(segments), out)


def _print_summary(summary: list[dict], num_segs: int, out) -> None:
    table = Table(title=f"Mean costs over {num_segs} segments")
    for column in ("controller", "lataccel_cost", "jerk_cost", "total_cost"):
        table.add_column(column, justify="left" if column == "controller" else "right")
    for row in summary:
        table.add_row(row["controller"], *(f"{row[k]:.4f}" for k in ("lataccel_cost", "jerk_cost", "total_cost")))
    console = Console()
    console.print(table)
    if out is not None:
        console.print(f"per-segment costs: {out}")
