"""The run configuration shared by every command, parsed once by the CLI."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from pidtune.sim.segments import DEFAULT_SEED_PREFIX

DEFAULT_MODEL_PATH = Path("models/tinyphysics.onnx")
DEFAULT_DATA_DIR = Path("data")


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

    def with_overrides(self, **values) -> "RunConfig":
        """A copy with every value that is not None replaced (a subcommand's flags win)."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})

    def as_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(self).items()}
