"""A one-rollout-at-a-time simulator with the official tool's structure, for comparison.

Python lists for the histories, one model call per row for every row (the model's
output before row 100 is computed and thrown away, as the official loop does),
``np.random.choice`` on the global legacy generator seeded per segment, and all rows
to the segment's end. Only the cost is read at the end.
"""

from __future__ import annotations

import numpy as np

from pidtune.sim.constants import BINS, CONTEXT, CONTROL_START, MAX_ACC_DELTA, STEER_RANGE, TEMPERATURE, encode
from pidtune.sim.rollout import costs_from_history


def official_style_rollout(session, segments, s: int, gains) -> float:
    p, i, d = gains
    n = int(segments.lengths[s])
    target = segments.target[s, :n]
    states = list(zip(segments.roll_lataccel[s, :n], segments.v_ego[s, :n], segments.a_ego[s, :n]))
    np.random.seed(int(segments.seeds[s]))
    state_hist, action_hist = states[:CONTEXT], list(segments.steer[s, :CONTEXT])
    current_hist, target_hist = list(target[:CONTEXT]), list(target[:CONTEXT])
    current = target[CONTEXT - 1]
    integral = prev_error = 0.0
    for k in range(CONTEXT, n):
        state_hist.append(states[k])
        target_hist.append(target[k])
        error = target[k] - current
        integral += error
        action = p * error + i * integral + d * (error - prev_error)
        prev_error = error
        if k < CONTROL_START:
            action = segments.steer[s, k]
        action_hist.append(float(np.clip(action, *STEER_RANGE)))
        model_states = np.column_stack([action_hist[-CONTEXT:], np.array(state_hist[-CONTEXT:])])[None].astype(np.float32)
        tokens = encode(np.array(current_hist[-CONTEXT:]))[None].astype(np.int64)
        logits = session.run(None, {"states": model_states, "tokens": tokens})[0]
        scaled = logits / TEMPERATURE
        e = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
        probs = (e / e.sum(axis=-1, keepdims=True))[0, -1]
        pred = np.clip(BINS[np.random.choice(len(probs), p=probs)], current - MAX_ACC_DELTA, current + MAX_ACC_DELTA)
        current = pred if k >= CONTROL_START else target[k]
        current_hist.append(current)
    return float(costs_from_history(np.array([target_hist]), np.array([current_hist]))[2][0])
