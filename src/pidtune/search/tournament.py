"""Stages 2 and 3, tournament: rounds of evaluate, keep elites, revive, perturb.

Each round evaluates the population on a fresh sample of the pool's files, keeps the
elites (the best ``elite_pct``), revives eliminated candidates by a lottery weighted by
1 + rounds survived, and fills the rest with Gaussian perturbations of the round's best,
each gain's standard deviation ``perturb_scale`` times its bound width, clipped to the
bounds. The archive (every candidate's history plus the state to continue) is saved
after every round, so an interrupted tournament resumes at the round in flight and,
since every round's random numbers are derived from the seeds and the round number,
ends exactly as an uninterrupted one would.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from pidtune.io import atomic_write_json
from pidtune.search.context import SearchContext
from pidtune.search.data import sample_files
from pidtune.search.results import (ARCHIVE_KIND, FORMAT_VERSION, cost_summary, gains_array, gains_dict, normalized,
                                    ranking)
from pidtune.search.seeds import derived_rng
from pidtune.search.space import DEFAULT_SPACE, SearchSpace, space_dict

ARCHIVE_FILE = "archive.json"


@dataclass(frozen=True)
class TournamentSettings:
    name: str = "tournament"  # also keys the stage's file samples, so two tournaments draw differently
    rounds: int = 12
    pop_size: int = 25
    elite_pct: float = 0.3
    revive_pct: float = 0.2
    max_files: int = 30
    perturb_scale: float = 0.05
    space: SearchSpace = field(default=DEFAULT_SPACE)  # random initial population; children are clipped to it
    init_seed: int = 0
    prune: bool = True
    final_top: int = 0  # the last round ranks at least this many exactly (the next stage's seeds)

    @property
    def n_elite(self) -> int:
        return max(1, int(self.elite_pct * self.pop_size))

    @property
    def n_revive(self) -> int:
        return min(int(self.revive_pct * self.pop_size), self.pop_size - self.n_elite)

    def as_dict(self) -> dict:
        out = asdict(self)
        out["space"] = space_dict(self.space)
        return out


@dataclass(frozen=True)
class TournamentResult:
    best: dict  # the final round's best candidate (archive row)
    rows: list[dict]  # archive candidates, ranked
    files: list[str]  # the final round's files


def initial_population(settings: TournamentSettings, seeds: np.ndarray | None) -> list[tuple[np.ndarray, str]]:
    """The best half from ``seeds`` (ranked gains), the rest uniform in the bounds."""
    taken = [] if seeds is None else list(seeds[: settings.pop_size // 2])
    rng = derived_rng(settings.init_seed, "initial-population")
    random = settings.space.sample(rng, settings.pop_size - len(taken), decimals=None)
    return [(p, "archive") for p in taken] + [(p, "random") for p in random]


class _Archive:
    """Every candidate of a tournament and the state to continue it, as saved to disk."""

    def __init__(self, path: Path, fingerprint: dict):
        self.path = path
        self.fingerprint = fingerprint
        self.candidates: list[dict] = []
        self.rounds: list[dict] = []
        self.population: list[int] = []

    def add(self, params, origin: str, round_number: int) -> int:
        cid = len(self.candidates)
        self.candidates.append({"id": cid, **gains_dict(params), "origin": origin, "born_round": round_number,
                                "rounds_survived": 0, "last_round": None, "last_rank": None, "history": []})
        return cid

    def params(self, ids) -> np.ndarray:
        return np.array([gains_array(self.candidates[i]) for i in ids])

    def ranked(self) -> list[dict]:
        """Candidates of later rounds first, each round's by rank: the last round's are comparable."""
        evaluated = [c for c in self.candidates if c["last_round"] is not None]
        return sorted(evaluated, key=lambda c: (-c["last_round"], c["last_rank"], c["id"]))

    @property
    def next_round(self) -> int:
        return len(self.rounds)

    def save(self, rounds_total: int) -> None:
        atomic_write_json(self.path, {
            "kind": ARCHIVE_KIND, "version": FORMAT_VERSION, "fingerprint": self.fingerprint,
            "state": {"next_round": self.next_round, "rounds": rounds_total, "population": self.population},
            "rounds": self.rounds, "candidates": self.ranked(),
            "pending": [c for c in self.candidates if c["last_round"] is None],  # born, not yet evaluated
        })

    @classmethod
    def load(cls, path: Path, fingerprint: dict) -> "_Archive | None":
        """The saved archive if it was made with the same settings and seeds, else None."""
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            return None
        if data.get("kind") != ARCHIVE_KIND or data.get("fingerprint") != fingerprint:
            return None
        archive = cls(path, fingerprint)
        archive.candidates = sorted(data["candidates"] + data["pending"], key=lambda c: c["id"])
        archive.rounds = data["rounds"]
        archive.population = data["state"]["population"]
        return archive


def run_tournament(ctx: SearchContext, settings: TournamentSettings, stage_dir: Path,
                   seeds: np.ndarray | None = None) -> TournamentResult:
    fingerprint = normalized({"settings": settings.as_dict(), "data_seed": ctx.data_seed,
                              "pool": ctx.plan.names(ctx.plan.pool),
                              "seeds": None if seeds is None else seeds[: settings.pop_size // 2].tolist()})
    path = Path(stage_dir) / ARCHIVE_FILE
    archive = _Archive.load(path, fingerprint)
    if archive is None:
        archive = _Archive(path, fingerprint)
        archive.population = [archive.add(p, origin, 1) for p, origin in initial_population(settings, seeds)]
    files = None
    remaining = settings.rounds - archive.next_round
    total = remaining * settings.pop_size * min(settings.max_files, ctx.plan.pool_size)
    with ctx.reporter.progress(settings.name, total) as advance:
        for r in range(archive.next_round, settings.rounds):
            files = _play_round(ctx, settings, archive, r, advance)
            ctx.reporter.round_done(settings.name, r + 1, settings.rounds, archive.rounds[-1]["best"])
    rows = archive.ranked()
    if files is None:  # resumed after the last round: nothing left to run
        files = archive.rounds[-1]["files"]
    ctx.reporter.stage_done(settings.name, rows)
    return TournamentResult(rows[0], rows, files)


def _play_round(ctx: SearchContext, settings: TournamentSettings, archive: _Archive, r: int, advance) -> list[str]:
    round_number = r + 1
    files = sample_files(ctx.plan.pool, settings.max_files, derived_rng(ctx.data_seed, settings.name, "files", r))
    population = archive.population
    exact = settings.n_elite if round_number < settings.rounds else max(settings.n_elite, settings.final_top)
    table = ctx.costs(archive.params(population), files, advance, top_k=exact if settings.prune else None)
    order = ranking(table)
    elites = [population[i] for i in order[: settings.n_elite]]
    for rank, i in enumerate(order):
        cand = archive.candidates[population[i]]
        status = "elite" if rank < settings.n_elite else "eliminated"
        cand["rounds_survived"] += status == "elite"
        cand["last_round"], cand["last_rank"] = round_number, rank + 1
        summary = cost_summary(table, i)
        cand["history"].append({"round": round_number, "rank": rank + 1, "status": status,
                                "mean_cost": summary["mean_cost"], "cost_lower_bound": summary["cost_lower_bound"],
                                "pruned": summary["pruned"], "files_tested": len(files)})
    best = archive.candidates[elites[0]]
    record = {"round": round_number, "files": ctx.plan.names(files), "population": list(population),
              "elites": elites, "best": {"id": best["id"], **gains_dict(gains_array(best)),
                                         "mean_cost": best["history"][-1]["mean_cost"]}}
    if round_number < settings.rounds:
        rng = derived_rng(settings.init_seed, "round", r)
        revived = _revive(archive, set(elites), settings.n_revive, rng)
        children = _children(gains_array(best), settings, settings.pop_size - len(elites) - len(revived), rng)
        child_ids = [archive.add(p, f"child of {best['id']}", round_number + 1) for p in children]
        archive.population = elites + revived + child_ids
        record.update(revived=revived, children=child_ids)
    else:
        archive.population = []
    archive.rounds.append(record)
    archive.save(settings.rounds)
    return record["files"]


def _revive(archive: _Archive, alive: set[int], count: int, rng) -> list[int]:
    """Draw eliminated candidates (any round's) without replacement, weighted by 1 + rounds survived."""
    pool = [c["id"] for c in archive.candidates if c["id"] not in alive and c["last_round"] is not None]
    if count <= 0 or not pool:
        return []
    weights = np.array([1.0 + archive.candidates[i]["rounds_survived"] for i in pool])
    picked = rng.choice(len(pool), size=min(count, len(pool)), replace=False, p=weights / weights.sum())
    return [pool[i] for i in picked]


def _children(best: np.ndarray, settings: TournamentSettings, count: int, rng) -> np.ndarray:
    """Gaussian perturbations of the best, each gain scaled by its bound width, clipped."""
    noise = rng.normal(0.0, 1.0, size=(count, len(best))) * (settings.perturb_scale * settings.space.width)
    return settings.space.clip(best + noise)
