"""Write tuned blended 2-PID gains as an official-style controller file.

The generated ``update`` repeats ``BatchBlendedPID.update`` operation for operation on
Python floats (IEEE doubles, like NumPy's float64 arrays), and takes the exponential
through NumPy as the batched controller does, so both give bit-identical actions and
therefore identical costs. Gains are written with ``repr``, which round-trips exactly.
"""

from __future__ import annotations

import numpy as np

from pidtune.controllers.pid import BLEND_CENTER, BLEND_WIDTH
from pidtune.io import atomic_write_text
from pidtune.sim.constants import DT

TEMPLATE = '''"""Blended 2-PID controller tuned with pidtune (from {source}).

Two dt-scaled PIDs, one for low and one for high speed, blended by a sigmoid of v_ego.
"""

import numpy as np

from . import BaseController

LOW_GAINS = ({low})  # P, I, D (dt-scaled)
HIGH_GAINS = ({high})
DT = {dt!r}
BLEND_CENTER = {center!r}
BLEND_WIDTH = {width!r}


class Controller(BaseController):
    def __init__(self):
        self.low_integral = 0.0
        self.low_prev = 0.0
        self.high_integral = 0.0
        self.high_prev = 0.0

    def update(self, target_lataccel, current_lataccel, state, future_plan):
        # same operations, in the same order, as pidtune's BatchBlendedPID
        error = target_lataccel - current_lataccel
        self.low_integral = self.low_integral + error * DT
        low_derivative = (error - self.low_prev) / DT
        self.low_prev = error
        low = LOW_GAINS[0] * error + LOW_GAINS[1] * self.low_integral + LOW_GAINS[2] * low_derivative
        self.high_integral = self.high_integral + error * DT
        high_derivative = (error - self.high_prev) / DT
        self.high_prev = error
        high = HIGH_GAINS[0] * error + HIGH_GAINS[1] * self.high_integral + HIGH_GAINS[2] * high_derivative
        w = 1.0 / (1.0 + float(np.exp(np.array([-(state.v_ego - BLEND_CENTER) / BLEND_WIDTH]))[0]))
        return (1.0 - w) * low + w * high
'''


def controller_source(params, source: str = "pidtune") -> str:
    gains = [float(x) for x in np.asarray(params, dtype=np.float64)]
    return TEMPLATE.format(source=source, low=", ".join(map(repr, gains[:3])), high=", ".join(map(repr, gains[3:])),
                           dt=float(DT), center=float(BLEND_CENTER), width=float(BLEND_WIDTH))


def export_controller(params, out, source: str = "pidtune") -> None:
    """Write the controller file for gains [low P, I, D, high P, I, D] to ``out`` (atomically)."""
    atomic_write_text(out, controller_source(params, source))
