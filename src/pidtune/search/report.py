"""The tuned gains next to the official PID, on the files tuned on and on held-out files."""

from __future__ import annotations

import numpy as np

from pidtune.controllers.pid import OFFICIAL_PID_GAINS, PIDFamily
from pidtune.io import atomic_write_json
from pidtune.search.context import SearchContext

BEST_PARAMS_FILE = "best_params.json"


def write_best_params(ctx: SearchContext, params: np.ndarray, files: list[str], stage: str) -> dict:
    """Evaluate the best gains and the official PID on ``files`` and the holdout; write best_params.json.

    The file keeps the seed's format (low_gains, high_gains as P, I, D in dt-scaled
    units), so ``pidtune eval blended --params`` and ``pidtune export`` read it.
    """
    names = list(files)
    index = {name: i for i, name in enumerate(ctx.plan.segments.names)}
    tuned_ids = np.array([index[n] for n in names])
    holdout_ids = ctx.plan.holdout
    params = np.asarray(params, dtype=np.float64)[None, :]
    official = np.array([OFFICIAL_PID_GAINS])
    total = 2 * (len(tuned_ids) + len(holdout_ids))
    with ctx.reporter.progress("official PID and holdout", total) as advance:
        cost = _mean(ctx.costs(params, tuned_ids, advance))
        official_cost = _mean(ctx.costs(official, tuned_ids, advance, family=PIDFamily()))
        holdout = None
        if len(holdout_ids):
            holdout = {
                "files": ctx.plan.names(holdout_ids),
                "cost": _mean(ctx.costs(params, holdout_ids, advance)),
                "official_pid_cost": _mean(ctx.costs(official, holdout_ids, advance, family=PIDFamily())),
            }
    best = {
        "low_gains": params[0, :3].tolist(), "high_gains": params[0, 3:].tolist(),
        "cost": cost, "official_pid_cost": official_cost, "files": names,
        "holdout": holdout, "stage": stage, "controller": "blended", "units": "dt-scaled",
    }
    atomic_write_json(ctx.run_dir / BEST_PARAMS_FILE, best)
    return best


def _mean(table) -> float:
    return float(table.mean_total[0])
