"""Vectorized controllers: the official PID, zero, and the seed project's blended 2-PID."""

from __future__ import annotations

import numpy as np

from pidtune.controllers.base import BatchController, ControllerFamily
from pidtune.sim.constants import DT

OFFICIAL_PID_GAINS = (0.195, 0.100, -0.053)
BLEND_CENTER = 15.0  # m/s: below it the low-speed PID dominates
BLEND_WIDTH = 1.5


class _RowState(BatchController):
    """Per-rollout arrays that ``keep`` subsets together."""

    _row_fields: tuple[str, ...] = ()

    def keep(self, rows: np.ndarray) -> None:
        for name in self._row_fields:
            setattr(self, name, getattr(self, name)[rows])


class BatchPID(_RowState):
    """The official PID (no dt scaling), one (p, i, d) row per rollout."""

    _row_fields = ("p", "i", "d", "integral", "prev_error")

    def __init__(self, gains: np.ndarray):
        gains = np.asarray(gains, dtype=np.float64)
        self.p, self.i, self.d = gains[:, 0].copy(), gains[:, 1].copy(), gains[:, 2].copy()
        self.integral = np.zeros(len(gains))
        self.prev_error = np.zeros(len(gains))

    def update(self, target, current, state, future_plan):
        error = target - current
        self.integral = self.integral + error
        error_diff = error - self.prev_error
        self.prev_error = error
        return self.p * error + self.i * self.integral + self.d * error_diff


class BatchBlendedPID(_RowState):
    """Two dt-scaled PIDs (low and high speed), blended by a sigmoid of v_ego.

    Gains per rollout: low P, I, D, high P, I, D. Both PIDs update on every row.
    """

    _row_fields = ("gains", "low_integral", "low_prev", "high_integral", "high_prev")

    def __init__(self, gains: np.ndarray):
        self.gains = np.asarray(gains, dtype=np.float64).copy()
        n = len(self.gains)
        self.low_integral, self.low_prev = np.zeros(n), np.zeros(n)
        self.high_integral, self.high_prev = np.zeros(n), np.zeros(n)

    def update(self, target, current, state, future_plan):
        error = target - current
        g = self.gains
        self.low_integral = self.low_integral + error * DT
        low_derivative = (error - self.low_prev) / DT
        self.low_prev = error
        low = g[:, 0] * error + g[:, 1] * self.low_integral + g[:, 2] * low_derivative
        self.high_integral = self.high_integral + error * DT
        high_derivative = (error - self.high_prev) / DT
        self.high_prev = error
        high = g[:, 3] * error + g[:, 4] * self.high_integral + g[:, 5] * high_derivative
        w = 1.0 / (1.0 + np.exp(-(state.v_ego - BLEND_CENTER) / BLEND_WIDTH))
        return (1.0 - w) * low + w * high


class BatchZero(BatchController):
    def __init__(self, n: int):
        self.n = n

    def update(self, target, current, state, future_plan):
        return np.zeros(len(target))

    def keep(self, rows):
        self.n = len(rows)


class PIDFamily(ControllerFamily):
    name = "pid"
    param_names = ("p", "i", "d")

    def build(self, params):
        return BatchPID(params)


class BlendedFamily(ControllerFamily):
    name = "blended"
    param_names = ("low_p", "low_i", "low_d", "high_p", "high_i", "high_d")

    def build(self, params):
        return BatchBlendedPID(params)


class ZeroFamily(ControllerFamily):
    name = "zero"
    param_names = ()

    def build(self, params):
        return BatchZero(len(params))
