"""Resolved flag values (a flat dict, as saved in config.json) -> the stages' settings.

Flag dicts are what the CLI parsed, with every seed filled in (see ``resolve_seeds``),
so a run re-created from its config.json (``--resume``) makes the same settings.
"""

from __future__ import annotations

from dataclasses import replace

from pidtune.errors import PidtuneUsageError
from pidtune.search.grid import GridSettings
from pidtune.search.pipeline import PipelineSettings
from pidtune.search.seeds import derive_seed, fresh_seed
from pidtune.search.space import SearchSpace, default_space
from pidtune.search.tournament import TournamentSettings

SUMMARY_ROWS = 10  # candidates shown in each stage's table (and ranked exactly)
BOUND_KEYS = ("low_min", "low_max", "high_min", "high_max")


def resolve_seeds(flags: dict, root: int | None, stage_seeds: tuple[str, ...]) -> dict:
    """Fill unset seeds: the root (``--seed``) from OS entropy, the others derived from it."""
    out = dict(flags)
    out["seed"] = fresh_seed() if root is None else root
    for name in ("data_seed", *stage_seeds):
        if out.get(name) is None:
            out[name] = derive_seed(out["seed"], name)
    return out


def space_from_flags(flags: dict, prefix: str = "") -> SearchSpace:
    """Bounds from ``<prefix>low_min`` etc.; unset ones come from the default (or legacy) bounds."""
    base = default_space(flags.get("legacy_bounds", False)).triples()
    values = [flags.get(prefix + key) or base[key] for key in BOUND_KEYS]
    names = tuple((prefix + key).replace("_", "-") for key in BOUND_KEYS)
    return SearchSpace.from_pid(*values, flags=names)


def grid_settings(flags: dict) -> GridSettings:
    return GridSettings(
        num_combinations=flags["num_combinations"], max_files_per_test=flags["max_files_per_test"],
        num_files=flags["num_files"], space=space_from_flags(flags), seed=flags["seed"],
        top_k=None if flags["no_prune"] else flags["keep_top"],
    )


def tournament_settings(flags: dict, name: str = "tournament", prefix: str = "", init_prefix: str = "init_",
                        init_seed_key: str = "init_seed") -> TournamentSettings:
    return TournamentSettings(
        name=name, rounds=flags[prefix + "rounds"], pop_size=flags[prefix + "pop_size"],
        elite_pct=flags[prefix + "elite_pct"], revive_pct=flags[prefix + "revive_pct"],
        max_files=flags[prefix + "max_files"], perturb_scale=flags["perturb_scale"],
        space=space_from_flags(flags, prefix + init_prefix), init_seed=flags[init_seed_key],
        prune=not flags["no_prune"],
    )


def pipeline_settings(flags: dict) -> PipelineSettings:
    t2 = tournament_settings(flags, "tournament2", "t2_", "init_", "t2_init_seed")
    t1 = tournament_settings(flags, "tournament1", "t1_", "init_", "t1_init_seed")
    # tournament 2 takes its best half from tournament 1's last round: those ranks must be exact
    t1 = replace(t1, final_top=min(t2.pop_size // 2, t1.pop_size))
    grid = GridSettings(
        num_combinations=flags["stage1_combinations"], max_files_per_test=flags["stage1_max_files"],
        num_files=flags["stage1_num_files"], space=space_from_flags(flags, "stage1_"), seed=flags["seed"],
        # tournament 1 takes its best half from the grid: those ranks must be exact
        top_k=None if flags["no_prune"] else max(SUMMARY_ROWS, t1.pop_size // 2),
    )
    return PipelineSettings(grid, t1, t2)


def check_percentages(settings: TournamentSettings, prefix: str = "") -> None:
    """Elites and revived together cannot exceed the population (a usage error naming the flags)."""
    if settings.elite_pct + settings.revive_pct > 1:
        raise PidtuneUsageError(f"--{prefix}elite-pct plus --{prefix}revive-pct is above 1 "
                                f"({settings.elite_pct} + {settings.revive_pct})")
