"""Run official-style controller files (a ``Controller`` class with ``update``) in the batched loop.

Official controller files import their base class with ``from . import BaseController``.
To load such a file from any folder as it is, it is imported as a module of a
synthetic package whose ``__init__`` provides ``BaseController``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import types
from collections import namedtuple
from pathlib import Path

import numpy as np

from pidtune.controllers.base import BatchController, ControllerFamily
from pidtune.errors import PidtuneError

State = namedtuple("State", ["roll_lataccel", "v_ego", "a_ego"])
FuturePlan = namedtuple("FuturePlan", ["lataccel", "roll_lataccel", "v_ego", "a_ego"])


class BaseController:
    def update(self, target_lataccel, current_lataccel, state, future_plan):
        raise NotImplementedError


def _package_for(folder: Path) -> str:
    name = "_pidtune_controllers_" + hashlib.sha1(str(folder).encode()).hexdigest()[:12]
    if name not in sys.modules:
        package = types.ModuleType(name)
        package.__path__ = [str(folder)]
        package.BaseController = BaseController
        sys.modules[name] = package
    return name


def load_controller_class(path) -> type:
    path = Path(path).resolve()
    if not path.is_file():
        raise PidtuneError(f"controller file {path} does not exist")
    module_name = f"{_package_for(path.parent)}.{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise PidtuneError(f"controller file {path} is not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(module_name, None)
        raise PidtuneError(f"controller file {path} failed to import: {exc.__class__.__name__}: {exc}") from None
    controller = getattr(module, "Controller", None)
    if not isinstance(controller, type):
        raise PidtuneError(f"controller file {path} defines no Controller class")
    return controller


class BatchFileController(BatchController):
    """B instances of a user's controller, called one by one with official-shaped arguments."""

    def __init__(self, instances: list):
        self.instances = instances

    def update(self, target, current, state, future_plan):
        count = np.isfinite(future_plan.lataccel).sum(axis=1)  # shorter near the segment's end
        plan_fields = (future_plan.lataccel, future_plan.roll_lataccel, future_plan.v_ego, future_plan.a_ego)
        actions = np.empty(len(self.instances))
        for b, controller in enumerate(self.instances):
            n = count[b]
            plan = FuturePlan(*(field[b, :n].tolist() for field in plan_fields))
            st = State(float(state.roll_lataccel[b]), float(state.v_ego[b]), float(state.a_ego[b]))
            actions[b] = controller.update(float(target[b]), float(current[b]), st, plan)
        return actions

    def keep(self, rows):
        self.instances = [self.instances[i] for i in rows]


class OfficialFileFamily(ControllerFamily):
    name = "file"
    cacheable = False  # the file's code may change between runs

    def __init__(self, path):
        self.path = Path(path)
        load_controller_class(self.path)  # fail early, in the parent process

    def build(self, params):
        controller_class = load_controller_class(self.path)
        try:
            return BatchFileController([controller_class() for _ in range(len(params))])
        except Exception as exc:
            raise PidtuneError(f"controller file {self.path}: Controller() failed: {exc.__class__.__name__}: {exc}") from None
