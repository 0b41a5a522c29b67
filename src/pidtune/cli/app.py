"""The pidtune Click group: shared options, the resolved RunConfig, and error mapping."""

from __future__ import annotations

import functools
from pathlib import Path

import click
from click.core import ParameterSource

from pidtune import __version__
from pidtune.config import ASSET_FIELDS, DEFAULT_DATA_DIR, DEFAULT_MODEL_PATH, RunConfig, default_workers
from pidtune.errors import PidtuneError
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

    def shown(value):
        # a subcommand's own default is None (the group's value applies): show the effective one
        return True if on_group else str(value)

    path = click.Path(path_type=Path)
    return [
        click.option("--model-path", "--model_path", "model_path", type=path, default=default(DEFAULT_MODEL_PATH),
                     show_default=shown(str(DEFAULT_MODEL_PATH)),
                     envvar="PIDTUNE_MODEL_PATH" if on_group else None,
                     help="TinyPhysics ONNX model [env PIDTUNE_MODEL_PATH]."),
        click.option("--data-dir", "--data_dir", "data_dir", type=path, default=default(DEFAULT_DATA_DIR),
                     show_default=shown(str(DEFAULT_DATA_DIR)),
                     envvar="PIDTUNE_DATA_DIR" if on_group else None,
                     help="Folder of segment CSVs [env PIDTUNE_DATA_DIR]."),
        click.option("--workers", "-j", type=click.IntRange(min=1), default=default(default_workers()),
                     show_default="all cores", help="Worker processes for rollouts."),
        click.option("--seed", type=int, default=None, help="Seed for candidate sampling."),
        click.option("--output-dir", type=path, default=None,
                     help="Where results go (default: runs/<command>-<UTC time>/)."),
        click.option("--device", type=click.Choice(DEVICES), default=default("cpu"), show_default=shown("cpu"),
                     help="ONNX Runtime device (cuda needs pidtune[gpu])."),
        click.option("--seed-prefix", default=default("data"), show_default=shown("data"),
                     help="Segment seeds hash '<prefix>/<file name>', as the official tool run with --data_path ./<prefix>."),
        click.option("--verbose", "-v", "verbosity", flag_value=2, default=default(1), help="More output."),
        click.option("--quiet", "-q", "verbosity", flag_value=0, help="No progress or tables (for scripts)."),
        click.option("--debug", is_flag=True, flag_value=True, default=default(False),
                     help="Show tracebacks for errors."),
        click.option("--offline", is_flag=True, flag_value=True, default=default(False),
                     envvar="PIDTUNE_OFFLINE" if on_group else None,
                     help="Never fetch missing assets over the network [env PIDTUNE_OFFLINE=1]."),
    ]


SHARED_NAMES = ("model_path", "data_dir", "workers", "seed", "output_dir", "device", "seed_prefix", "verbosity", "debug", "offline")


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
    # a path from a flag or an env var is the user's: never auto-download into it
    explicit = frozenset(name for name in ASSET_FIELDS
                         if ctx.get_parameter_source(name) not in (ParameterSource.DEFAULT, None))
    ctx.obj = RunConfig(**options, explicit_assets=explicit)
    ctx.meta[DEBUG_KEY] = ctx.obj.debug
