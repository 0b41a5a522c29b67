"""Where pidtune keeps what it can rebuild: the user cache folder."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache_dir() -> Path:
    """``PIDTUNE_CACHE_DIR``, else ``$XDG_CACHE_HOME/pidtune``, else ``~/.cache/pidtune``."""
    if os.environ.get("PIDTUNE_CACHE_DIR"):
        return Path(os.environ["PIDTUNE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "pidtune"


def user_cost_cache() -> Path:
    """The cost cache that commands without a run folder (eval) share."""
    return user_cache_dir() / "costs.sqlite"
