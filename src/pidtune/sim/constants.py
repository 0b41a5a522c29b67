"""Constants of the official evaluation (../shared/SIMULATOR.md)."""

import numpy as np

GRAVITY = 9.81
CONTROL_START = 100  # first row the controller's action (and the model) counts
COST_END = 500  # cost rows are CONTROL_START .. COST_END - 1
CONTEXT = 20
VOCAB = 1024
LATACCEL_RANGE = (-5.0, 5.0)
STEER_RANGE = (-2.0, 2.0)
MAX_ACC_DELTA = 0.5
DT = 0.1
LATACCEL_COST_MULTIPLIER = 50.0
TEMPERATURE = 0.8
FUTURE_ROWS = 49  # official slice k+1 : k+50

BINS = np.linspace(LATACCEL_RANGE[0], LATACCEL_RANGE[1], VOCAB)


def encode(lataccel: np.ndarray) -> np.ndarray:
    """Token of each lateral acceleration (official tokenizer)."""
    return np.digitize(np.clip(lataccel, *LATACCEL_RANGE), BINS, right=True)
