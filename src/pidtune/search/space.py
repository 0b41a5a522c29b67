"""Search bounds for the six blended 2-PID gains (dt-scaled units), and sampling within them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pidtune.controllers.pid import BlendedFamily
from pidtune.errors import PidtuneUsageError

GAIN_NAMES = BlendedFamily.param_names  # low P, I, D, high P, I, D
GRID_DECIMALS = 3  # grid candidates are rounded like the seed scripts' were


@dataclass(frozen=True)
class SearchSpace:
    """Per-gain lower and upper bounds, each (low P, I, D, high P, I, D)."""

    lower: tuple[float, ...]
    upper: tuple[float, ...]

    @classmethod
    def from_pid(cls, low_min, low_max, high_min, high_max, flags=("low-min", "low-max", "high-min", "high-max")):
        """Bounds from four P,I,D triples; min above max is a usage error naming the flags."""
        space = cls(tuple(low_min) + tuple(high_min), tuple(low_max) + tuple(high_max))
        for i, name in enumerate(GAIN_NAMES):
            if space.lower[i] > space.upper[i]:
                lo_flag, hi_flag = (flags[0], flags[1]) if i < 3 else (flags[2], flags[3])
                raise PidtuneUsageError(
                    f"--{lo_flag} is above --{hi_flag} for {name.split('_')[1].upper()} "
                    f"({space.lower[i]} > {space.upper[i]})")
        return space

    def triples(self) -> dict[str, tuple[float, float, float]]:
        return {"low_min": self.lower[:3], "low_max": self.upper[:3],
                "high_min": self.lower[3:], "high_max": self.upper[3:]}

    @property
    def width(self) -> np.ndarray:
        return np.asarray(self.upper) - np.asarray(self.lower)

    def sample(self, rng: np.random.Generator, n: int, decimals: int | None = GRID_DECIMALS) -> np.ndarray:
        """n uniform candidates [n, 6], rounded (then clipped, so rounding never leaves the box)."""
        values = rng.uniform(self.lower, self.upper, size=(n, len(GAIN_NAMES)))
        if decimals is not None:
            values = np.round(values, decimals)
        return self.clip(values)

    def clip(self, params: np.ndarray) -> np.ndarray:
        return np.clip(params, self.lower, self.upper)


def space_dict(space: SearchSpace) -> dict:
    return {k: list(v) for k, v in space.triples().items()}


# The old scripts' bounds (dt-scaled units): kept for comparison behind --legacy-bounds.
# Measured to hold no good controller (docs/tuning-defaults.md).
LEGACY_SPACE = SearchSpace(lower=(0.25, 0.01, -0.25, 0.15, 0.005, -0.15),
                           upper=(0.6, 0.12, -0.05, 0.4, 0.08, -0.03))

# Chosen by measurement (docs/tuning-defaults.md): a box around the official PID
# (P 0.195, I 1.0, D -0.0053 in dt-scaled units) whose best samples beat it on held-out
# segments; high-speed I reaches higher because the best samples sat at 1.4..1.5.
DEFAULT_SPACE = SearchSpace(lower=(0.1, 0.5, -0.012, 0.1, 0.5, -0.012),
                            upper=(0.3, 1.5, 0.0, 0.3, 2.0, 0.0))


def default_space(legacy: bool) -> SearchSpace:
    return LEGACY_SPACE if legacy else DEFAULT_SPACE
