"""A run's folder: its config.json (every resolved flag), its cost cache, and opening it again.

``config.json`` is written before any work, so ``--resume DIR`` can rebuild exactly the
settings of an interrupted run; ``costs.sqlite`` holds every rollout cost simulated so far.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from pidtune import __version__
from pidtune.config import RunConfig
from pidtune.errors import PidtuneUsageError
from pidtune.evaluate.cache import CostCache
from pidtune.io import atomic_write_json
from pidtune.search.context import Reporter, SearchContext
from pidtune.search.data import plan_data
from pidtune.session import open_evaluator

CONFIG_FILE = "config.json"
CACHE_FILE = "costs.sqlite"


def default_run_dir(command: str) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return Path("runs") / f"{command}-{stamp}"


def write_config(run_dir: Path, command: str, config: RunConfig, flags: dict, stages: dict) -> None:
    atomic_write_json(Path(run_dir) / CONFIG_FILE, {
        "command": command, "pidtune_version": __version__, "run": config.as_dict(),
        "flags": flags, "stages": stages,
    })


def read_config(run_dir: Path, command: str) -> dict:
    """The saved config of a run to resume; a folder without one is a usage error."""
    path = Path(run_dir) / CONFIG_FILE
    try:
        data = json.loads(path.read_text())
    except OSError:
        raise PidtuneUsageError(f"--resume {run_dir}: no {CONFIG_FILE} there (not a pidtune run folder)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PidtuneUsageError(f"--resume {run_dir}: {CONFIG_FILE} is not JSON ({getattr(exc, 'msg', exc)})") from None
    if data.get("command") != command:
        raise PidtuneUsageError(f"--resume {run_dir}: that folder holds a {data.get('command')!r} run, not {command!r}")
    return data


@contextmanager
def open_search(config: RunConfig, run_dir: Path, data_seed: int, pool_size: int, holdout: int,
                reporter: Reporter | None = None):
    """A SearchContext over the run's files, with the run's cost cache; closed on exit."""
    plan = plan_data(config, data_seed, pool_size, holdout)
    cache = CostCache(Path(run_dir) / CACHE_FILE)
    try:
        with open_evaluator(config, plan.segments, cache=cache) as evaluator:
            yield SearchContext(evaluator, plan, data_seed, Path(run_dir), reporter or Reporter())
    finally:
        cache.close()
