"""Result files of the search stages: ranked candidates, their formats, and reading them back.

Grid results and tournament archives both hold ``candidates`` ranked best first, each
with ``low_gains`` and ``high_gains``, so either can seed a tournament.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from pidtune.errors import PidtuneUsageError
from pidtune.evaluate.evaluator import CostTable
from pidtune.io import read_json

GRID_KIND = "pidtune.grid-results"
ARCHIVE_KIND = "pidtune.tournament-archive"
FORMAT_VERSION = 1


def gains_dict(params) -> dict:
    params = [float(x) for x in params]
    return {"low_gains": params[:3], "high_gains": params[3:]}


def gains_array(row: dict) -> np.ndarray:
    return np.array(list(row["low_gains"]) + list(row["high_gains"]), dtype=np.float64)


def ranking(table: CostTable) -> np.ndarray:
    """Candidate indices best first: complete ones by mean cost, then pruned ones by their
    lower bound (their ranks are not exact); ties keep the given order."""
    index = np.arange(len(table.pruned))
    return np.lexsort((index, table.mean_total, table.pruned))


def cost_summary(table: CostTable, c: int) -> dict:
    """Mean/std/min/max total cost of candidate c; for a pruned one only its lower bound."""
    if table.pruned[c]:
        return {"mean_cost": None, "cost_lower_bound": float(table.mean_total[c]), "pruned": True,
                "std_cost": None, "min_cost": None, "max_cost": None}
    total = table.total[c]
    return {"mean_cost": float(table.mean_total[c]), "cost_lower_bound": float(table.mean_total[c]), "pruned": False,
            "std_cost": float(np.std(total)), "min_cost": float(np.min(total)), "max_cost": float(np.max(total))}


def normalized(value):
    """A value as it reads back from JSON (tuples become lists), for comparing fingerprints."""
    return json.loads(json.dumps(value))


def read_ranked_file(path, flag: str) -> dict:
    """A grid results file or tournament archive, validated; a wrong file is a usage error."""
    path = Path(path)
    data = read_json(path, flag, PidtuneUsageError)
    kind = data.get("kind") if isinstance(data, dict) else None
    if kind not in (GRID_KIND, ARCHIVE_KIND):
        raise PidtuneUsageError(f"{flag} {path}: not a pidtune grid results file or tournament archive")
    if data.get("version") != FORMAT_VERSION:
        raise PidtuneUsageError(f"{flag} {path}: format version {data.get('version')!r}, this pidtune reads {FORMAT_VERSION}")
    candidates = data.get("candidates")
    try:
        params = [gains_array(row) for row in candidates]
    except (KeyError, TypeError, ValueError):
        raise PidtuneUsageError(f"{flag} {path}: candidates need low_gains and high_gains, each [P, I, D]") from None
    if not params or any(p.shape != (6,) or not np.all(np.isfinite(p)) for p in params):
        raise PidtuneUsageError(f"{flag} {path}: no candidates, or gains that are not 3+3 finite numbers")
    return data


def read_seed_candidates(path, flag: str = "--seed-from-archive") -> np.ndarray:
    """The ranked candidates' gains [n, 6] of a grid results file or tournament archive."""
    return np.array([gains_array(row) for row in read_ranked_file(path, flag)["candidates"]])
