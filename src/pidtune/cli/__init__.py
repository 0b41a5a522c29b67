"""The pidtune command line: thin commands over the library (one module per command family)."""

from pidtune.cli.app import cli
from pidtune.cli import eval_cmd  # noqa: F401  (registers its commands on the group)
from pidtune.cli import search_cmd  # noqa: F401  (grid, tournament, pipeline, export)
from pidtune.cli import assets_cmd  # noqa: F401


def main():
    cli(prog_name="pidtune")


__all__ = ["cli", "main"]
