"""The run configuration shared by every command, parsed once by the CLI."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from pidtune.sim.segments import DEFAULT_SEED_PREFIX

DEFAULT_MODEL_PATH = Path("models/tinyphysics.onnx")
DEFAULT_DATA_DIR = Path("data")
# asset paths a user can give; only those left at their defaults are fetched on first use
ASSET_FIELDS = ("model_path", "data_dir")


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class RunConfig:
    model_path: Path = DEFAULT_MODEL_PATH
    data_dir: Path = DEFAULT_DATA_DIR
    workers: int = 1
    seed: int | None = None
    output_dir: Path | None = None
    verbosity: int = 1  # 0 quiet, 1 normal, 2 verbose
    debug: bool = False
    device: str = "cpu"
    seed_prefix: str = DEFAULT_SEED_PREFIX
    offline: bool = False  # never fetch assets over the network
    explicit_assets: frozenset = frozenset()  # names in ASSET_FIELDS the user set (flag or env)

    def with_overrides(self, **values) -> "RunConfig":
        """A copy with every value that is not None replaced (a subcommand's flags win)."""
        given = {k: v for k, v in values.items() if v is not None}
        explicit = self.explicit_assets | {k for k in ASSET_FIELDS if k in given}
        return replace(self, **given, explicit_assets=frozenset(explicit))

    def fetchable(self, field: str) -> bool:
        """Whether a missing asset may be fetched: only at its default location, never at a path the user gave."""
        default = {"model_path": DEFAULT_MODEL_PATH, "data_dir": DEFAULT_DATA_DIR}[field]
        return field not in self.explicit_assets and getattr(self, field) == default

    def as_dict(self) -> dict:
        def plain(v):
            return str(v) if isinstance(v, Path) else sorted(v) if isinstance(v, frozenset) else v

        return {k: plain(v) for k, v in asdict(self).items()}
