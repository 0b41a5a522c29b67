"""Vectorized controllers against per-rollout ones, and the official-file adapter."""

from __future__ import annotations

import sys
import textwrap

import numpy as np
import pytest

from pidtune.controllers.base import BatchState
from pidtune.controllers.official import OfficialFileFamily
from pidtune.controllers.pid import OFFICIAL_PID_GAINS, BatchBlendedPID, PIDFamily
from pidtune.errors import PidtuneError
from pidtune.sim.rollout import rollout

OFFICIAL_PID_FILE = '''
from . import BaseController


class Controller(BaseController):
  """The official PID, as in controllers/pid.py of the challenge repository."""
  def __init__(self,):
    self.p = 0.195
    self.i = 0.100
    self.d = -0.053
    self.error_integral = 0
    self.prev_error = 0

  def update(self, target_lataccel, current_lataccel, state, future_plan):
      error = (target_lataccel - current_lataccel)
      self.error_integral += error
      error_diff = error - self.prev_error
      self.prev_error = error
      return self.p * error + self.i * self.error_integral + self.d * error_diff
'''

PLAN_RECORDER_FILE = '''
from . import BaseController

CALLS = []


class Controller(BaseController):
  def update(self, target_lataccel, current_lataccel, state, future_plan):
    CALLS.append((len(future_plan.lataccel), len(future_plan.v_ego), state.v_ego, future_plan.lataccel[:1]))
    return 0.0
'''


@pytest.fixture
def controller_dir(tmp_path):
    folder = tmp_path / "controllers"
    folder.mkdir()
    (folder / "pid.py").write_text(OFFICIAL_PID_FILE)
    (folder / "recorder.py").write_text(PLAN_RECORDER_FILE)
    return folder


def test_official_file_gives_the_same_costs_as_the_vectorized_pid(model, segments, controller_dir):
    seg_ids = np.arange(3)
    from_file = rollout(model, segments, seg_ids, OfficialFileFamily(controller_dir / "pid.py").build(np.zeros((3, 0))))
    vectorized = rollout(model, segments, seg_ids, PIDFamily().build(np.tile(OFFICIAL_PID_GAINS, (3, 1))))
    np.testing.assert_array_equal(from_file.total_cost, vectorized.total_cost)
    np.testing.assert_array_equal(from_file.jerk_cost, vectorized.jerk_cost)


def test_file_controller_sees_official_shaped_future_plans(model, segments, controller_dir):
    family = OfficialFileFamily(controller_dir / "recorder.py")
    seg = int(np.argmin(segments.lengths))
    controller = family.build(np.zeros((1, 0)))
    calls = sys.modules[type(controller.instances[0]).__module__].CALLS
    rollout(model, segments, [seg], controller, trajectories=True)
    n = int(segments.lengths[seg])
    assert len(calls) == n - 20  # called on every row from 20 on
    assert calls[0][0] == calls[0][1] == 49
    assert [c[0] for c in calls[-3:]] == [2, 1, 0]  # official slice k+1:k+50 runs out at the end
    assert calls[0][2] == segments.v_ego[seg, 20]
    assert calls[0][3] == [segments.target[seg, 21]]


def test_blended_pid_follows_its_formula():
    gains = np.array([[0.3, 0.5, -0.02, 0.1, 0.2, -0.01]])
    pid = BatchBlendedPID(gains)
    state = BatchState(np.zeros(1), np.array([15.0]), np.zeros(1))
    u1 = pid.update(np.array([1.0]), np.array([0.5]), state, None)
    # at 15 m/s the blend weight is exactly 0.5; error 0.5, integral 0.05, derivative 5
    low = 0.3 * 0.5 + 0.5 * 0.05 + -0.02 * 5.0
    high = 0.1 * 0.5 + 0.2 * 0.05 + -0.01 * 5.0
    assert u1[0] == pytest.approx(0.5 * low + 0.5 * high, rel=1e-12)


@pytest.mark.parametrize("content, message", [
    ("def broken(:\n", "failed to import"),
    ("x = 1\n", "defines no Controller class"),
])
def test_bad_controller_files_are_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.py"
    path.write_text(textwrap.dedent(content))
    with pytest.raises(PidtuneError, match=message):
        OfficialFileFamily(path)
