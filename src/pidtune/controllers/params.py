"""The tuned-gains file (``best_params.json``): low_gains and high_gains as P, I, D."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pidtune.errors import PidtuneError, PidtuneUsageError
from pidtune.io import read_json


def parse_gains(text: str, flag: str) -> tuple[float, float, float]:
    """'P,I,D' -> three floats, or an error naming the flag."""
    parts = [p.strip() for p in str(text).split(",")]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 3 or not all(np.isfinite(values)):
        raise PidtuneUsageError(f"{flag} wants three numbers P,I,D, got {text!r}")
    return values


def read_blended_params(path) -> np.ndarray:
    """Gains [low P, I, D, high P, I, D] from a params JSON file."""
    path = Path(path)
    data = read_json(path, "params file")
    try:
        gains = [float(x) for x in list(data["low_gains"]) + list(data["high_gains"])]
    except (KeyError, TypeError, ValueError):
        raise PidtuneError(f"params file {path}: needs low_gains and high_gains, each [P, I, D]") from None
    if len(gains) != 6 or not all(np.isfinite(gains)):
        raise PidtuneError(f"params file {path}: low_gains and high_gains must each hold 3 finite numbers")
    return np.array(gains)
