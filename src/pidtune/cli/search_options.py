"""Click options of the search commands: counts, percentages, bounds, seeds, aliases.

Values are checked by Click (ranges, callbacks raising BadParameter), so a bad value is
a usage error (exit 2) whose message names the flag.
"""

from __future__ import annotations

from pathlib import Path

import click

from pidtune.controllers.params import parse_gains
from pidtune.errors import PidtuneError
from pidtune.search.space import DEFAULT_SPACE

COUNT = click.IntRange(min=1)
FRACTION = click.FloatRange(0.0, 1.0)
ELITE_FRACTION = click.FloatRange(0.0, 1.0, min_open=True)


def _gains_callback(ctx, param, value):
    if value is None:
        return None
    try:
        return parse_gains(value, param.opts[0])
    except PidtuneError:
        raise click.BadParameter(f"wants three numbers P,I,D, got {value!r}", param=param) from None


def _pid_text(values) -> str:
    return ",".join(f"{x:g}" for x in values)


def bound_options(prefix: str, what: str):
    """--<prefix>low-min/... as P,I,D; unset ones take the default (or --legacy-bounds) box."""
    defaults = DEFAULT_SPACE.triples()
    options = []
    for key in ("low_min", "low_max", "high_min", "high_max"):
        speed, end = key.split("_")
        flag = f"--{prefix}{speed}-{end}"
        options.append(click.option(
            flag, f"{prefix.replace('-', '_')}{key}", default=None, callback=_gains_callback, metavar="P,I,D",
            show_default=_pid_text(defaults[key]),
            help=f"{end.capitalize()} {speed}-speed P,I,D, dt-scaled ({what}).",
        ))
    return options


def apply(options, func):
    for option in reversed(options):
        func = option(func)
    return func


def common_search_options(func):
    """Flags every search command has."""
    return apply([
        click.option("--data-seed", type=int, default=None,
                     help="Seed for shuffling and sampling files [default: derived from --seed; "
                          "both unset: random, recorded in config.json]."),
        click.option("--holdout", type=click.IntRange(min=0), default=50, show_default=True,
                     help="Files after the tuning pool to check the result on (0: none)."),
        click.option("--legacy-bounds", is_flag=True,
                     help="Use the old scripts' bounds as defaults (measured to hold no good controller)."),
        click.option("--no-prune", is_flag=True,
                     help="Simulate every candidate fully (pruning never changes the top candidates, only speed)."),
        click.option("--resume", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
                     help="Continue the interrupted run in this folder, with its saved settings."),
        click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary to stdout."),
    ], func)
