"""A one-rollout-at-a-time simulator with the official tool's structure, for comparison.

It does per row what the official ``tinyphysics.py`` does per row, written here from
its documented behaviour: the segment is a pandas DataFrame and each row is read with
``iloc`` and turned into a ``State`` and a ``FuturePlan`` of Python lists; the
controller is an object called with them; histories are Python lists; every row,
also before row 100, runs the model on a batch of one (``column_stack`` of actions and
states, the tokenized past) and samples with ``np.random.choice`` on the global legacy
generator seeded per segment; the segment runs to its end and the cost is computed
at the end. (pidtune calibrates this loop against the official tool's ~2 rollouts/s
per core on these machines: see docs/performance.md.)
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pandas as pd

from pidtune.sim.constants import (BINS, CONTEXT, CONTROL_START, FUTURE_ROWS, LATACCEL_RANGE, MAX_ACC_DELTA, STEER_RANGE,
                                   TEMPERATURE)
from pidtune.sim.rollout import costs_from_history

State = namedtuple("State", ["roll_lataccel", "v_ego", "a_ego"])
FuturePlan = namedtuple("FuturePlan", ["lataccel", "roll_lataccel", "v_ego", "a_ego"])


class PID:
    def __init__(self, p, i, d):
        self.p, self.i, self.d = p, i, d
        self.error_integral = 0
        self.prev_error = 0

    def update(self, target_lataccel, current_lataccel, state, future_plan):
        error = target_lataccel - current_lataccel
        self.error_integral += error
        error_diff = error - self.prev_error
        self.prev_error = error
        return self.p * error + self.i * self.error_integral + self.d * error_diff


def segment_frame(segments, s: int) -> pd.DataFrame:
    n = int(segments.lengths[s])
    return pd.DataFrame({
        "roll_lataccel": segments.roll_lataccel[s, :n], "v_ego": segments.v_ego[s, :n], "a_ego": segments.a_ego[s, :n],
        "target_lataccel": segments.target[s, :n], "steer_command": segments.steer[s, :n],
    })


def predict(session, states: np.ndarray, past_preds: list) -> float:
    tokens = np.digitize(np.clip(past_preds, *LATACCEL_RANGE), BINS, right=True)
    logits = session.run(None, {"states": np.expand_dims(states, 0).astype(np.float32),
                                "tokens": np.expand_dims(tokens, 0).astype(np.int64)})[0]
    scaled = logits / TEMPERATURE
    e = np.exp(scaled - np.max(scaled, axis=-1, keepdims=True))
    probs = (e / np.sum(e, axis=-1, keepdims=True))[0, -1]
    return BINS[np.random.choice(probs.shape[0], p=probs)]


def official_style_rollout(session, segments, s: int, gains) -> float:
    data = segment_frame(segments, s)
    controller = PID(*gains)
    np.random.seed(int(segments.seeds[s]))
    state_hist = [State(*row) for row in data[["roll_lataccel", "v_ego", "a_ego"]].values[:CONTEXT]]
    action_hist = data["steer_command"].values[:CONTEXT].tolist()
    current_hist = data["target_lataccel"].values[:CONTEXT].tolist()
    target_hist = data["target_lataccel"].values[:CONTEXT].tolist()
    current = current_hist[-1]
    for k in range(CONTEXT, len(data)):
        row = data.iloc[k]
        state = State(row["roll_lataccel"], row["v_ego"], row["a_ego"])
        target = row["target_lataccel"]
        window = slice(k + 1, k + 1 + FUTURE_ROWS)
        plan = FuturePlan(*(data[c].values[window].tolist() for c in ("target_lataccel", "roll_lataccel", "v_ego", "a_ego")))
        state_hist.append(state)
        target_hist.append(target)
        action = controller.update(target, current, state, plan)
        if k < CONTROL_START:
            action = data["steer_command"].values[k]
        action_hist.append(np.clip(action, *STEER_RANGE))
        states = np.column_stack([action_hist[-CONTEXT:], [list(x) for x in state_hist[-CONTEXT:]]])
        pred = np.clip(predict(session, states, current_hist[-CONTEXT:]), current - MAX_ACC_DELTA, current + MAX_ACC_DELTA)
        current = pred if k >= CONTROL_START else data["target_lataccel"].values[k]
        current_hist.append(current)
    return float(costs_from_history(np.array([target_hist]), np.array([current_hist]))[2][0])
