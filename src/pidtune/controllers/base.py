"""What a batched controller is: arrays in, one action per rollout out.

A batched controller holds B rollouts' internal state (integrals, previous errors,
or B instances of a user's controller). The rollout loop calls ``update`` on every
row from 20 on, like the official tool, and ``keep`` when rollouts leave the batch
(segment ended, or pruned as hopeless), so the controller drops their state too.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np

from pidtune.sim.constants import FUTURE_ROWS


class BatchState(NamedTuple):
    roll_lataccel: np.ndarray
    v_ego: np.ndarray
    a_ego: np.ndarray


@dataclass
class BatchFuturePlan:
    """Rows k+1 .. k+49 of each rollout's segment, [B, 49], NaN past the segment's end.

    Computed on first access only: PIDs never look at it.
    """

    segments: object
    seg_index: np.ndarray
    row: int

    def _window(self, field: str) -> np.ndarray:
        data = getattr(self.segments, field)
        window = data[self.seg_index, self.row + 1 : self.row + 1 + FUTURE_ROWS]
        if window.shape[1] < FUTURE_ROWS:
            pad = np.full((window.shape[0], FUTURE_ROWS - window.shape[1]), np.nan)
            window = np.concatenate([window, pad], axis=1)
        return window

    @cached_property
    def lataccel(self) -> np.ndarray:
        return self._window("target")

    @cached_property
    def roll_lataccel(self) -> np.ndarray:
        return self._window("roll_lataccel")

    @cached_property
    def v_ego(self) -> np.ndarray:
        return self._window("v_ego")

    @cached_property
    def a_ego(self) -> np.ndarray:
        return self._window("a_ego")


class BatchController(ABC):
    @abstractmethod
    def update(self, target: np.ndarray, current: np.ndarray, state: BatchState, future_plan: BatchFuturePlan) -> np.ndarray:
        """Actions [B] for this row (before clipping and before the row-100 takeover)."""

    @abstractmethod
    def keep(self, rows: np.ndarray) -> None:
        """Keep only the rollouts at positions ``rows`` (in that order)."""


class ControllerFamily(ABC):
    """A kind of controller and its parameters; picklable, so worker processes can build it.

    ``build(params)`` makes a batched controller for B rollouts from a [B, n_params]
    array (one row of gains per rollout).
    """

    name: str = ""
    param_names: tuple[str, ...] = ()
    cacheable: bool = True  # costs depend on the gains alone (not on user code that may change)

    @abstractmethod
    def build(self, params: np.ndarray) -> BatchController: ...
