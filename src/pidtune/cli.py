"""The pidtune command line: options, help and error mapping only; the work is in the library."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import click
import numpy as np
from rich.console import Console
from rich.table import Table

from pidtune import __version__
from pidtune.config import DEFAULT_DATA_DIR, DEFAULT_MODEL_PATH, RunConfig, default_workers
from pidtune.controllers.resolve import resolve_controller
from pidtune.errors import PidtuneError
from pidtune.io import write_rows
from pidtune.progress import progress_bar
from pidtune.session import open_evaluator, open_segments
from pidtune.sim.model import DEVICES

DEBUG_KEY = "pidtune.debug"


class CliError(click.ClickException):
    """A PidtuneError shown as one line with its own exit code."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


class PidtuneGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PidtuneError as exc:
            if ctx.meta.get(DEBUG_KEY):
                raise
            raise CliError(str(exc), exc.exit_code) from None


def _shared_option_decorators(on_group: bool):
    """Options every command shares; on the group with defaults, on subcommands as overrides."""

    def default(value):
        return value if on_group else None

    def shown(text):
        return text if on_group else False

    path = click.Path(path_type=Path)
    return [
        click.option("--model-path", type=path, default=default(DEFAULT_MODEL_PATH), show_default=shown(True),
                     envvar="PIDTUNE_MODEL_PATH" if on_group else None,
                     help="TinyPhysics ONNX model [env PIDTUNE_MODEL_PATH]."),
        click.option("--data-dir", type=path, default=default(DEFAULT_DATA_DIR), show_default=shown(True),
                     envvar="PIDTUNE_DATA_DIR" if on_group else None,
                     help="Folder of segment CSVs [env PIDTUNE_DATA_DIR]."),
        click.option("--workers", "-j", type=click.IntRange(min=1), default=default(default_workers()),
                     show_default=shown("all cores"), help="Worker processes for rollouts."),
        click.option("--seed", type=int, default=None, help="Seed for candidate sampling."),
        click.option("--output-dir", type=path, default=None,
                     help="Where results go (default: runs/<command>-<UTC time>/)."),
        click.option("--device", type=click.Choice(DEVICES), default=default("cpu"), show_default=shown(True),
                     help="ONNX Runtime device (cuda needs pidtune[gpu])."),
        click.option("--seed-prefix", default=default("data"), show_default=shown(True),
                     help="Segment seeds hash '<prefix>/<file name>', as the official tool run with --data_path ./<prefix>."),
        click.option("--verbose", "-v", "verbosity", flag_value=2, default=default(1), help="More output."),
        click.option("--quiet", "-q", "verbosity", flag_value=0, help="No progress or tables (for scripts)."),
        click.option("--debug", is_flag=True, flag_value=True, default=default(False),
                     help="Show tracebacks for errors."),
    ]


SHARED_NAMES = ("model_path", "data_dir", "workers", "seed", "output_dir", "device", "seed_prefix", "verbosity", "debug")


def shared_options(command):
    """Accept the group's options after a subcommand too (the subcommand's value wins).

    The wrapped command receives the resolved ``config`` instead of those options.
    """

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        ctx = click.get_current_context()
        overrides = {name: kwargs.pop(name) for name in SHARED_NAMES}
        config = ctx.obj.with_overrides(**overrides)
        ctx.meta[DEBUG_KEY] = config.debug
        return command(*args, config=config, **kwargs)

    for decorator in reversed(_shared_option_decorators(on_group=False)):
        wrapper = decorator(wrapper)
    return wrapper


def _group_options(func):
    for decorator in reversed(_shared_option_decorators(on_group=True)):
        func = decorator(func)
    return func


@click.group(cls=PidtuneGroup, context_settings={"help_option_names": ["-h", "--help"]})
@_group_options
@click.version_option(__version__, prog_name="pidtune")
@click.pass_context
def cli(ctx, **options):
    """Tune and evaluate Controls Challenge controllers with an exact, batched TinyPhysics simulator.

    Options given here apply to every command; each command accepts them too.
    """
    ctx.obj = RunConfig(**options)
    ctx.meta[DEBUG_KEY] = ctx.obj.debug


# ----------------------------------------------------------------------------- eval
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
@shared_options
def eval_command(config: RunConfig, controller, baseline, num_segs, gains, low_gains, high_gains, params_file, out, as_json):
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
    choices = [resolve_controller(controller, gains, low_gains, high_gains, params_file)]
    if baseline is not None:
        choices.append(resolve_controller(baseline))
    segments = open_segments(config, num_segs)
    rows, summary = [], []
    with open_evaluator(config, segments) as evaluator:
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


def main():
    cli(prog_name="pidtune")
