"""Turn what a user typed (a controller name or file, gains flags) into a family and its gains."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pidtune.controllers.base import ControllerFamily
from pidtune.controllers.official import OfficialFileFamily
from pidtune.controllers.params import parse_gains, read_blended_params
from pidtune.controllers.pid import OFFICIAL_PID_GAINS, BlendedFamily, PIDFamily, ZeroFamily
from pidtune.errors import PidtuneError, PidtuneUsageError

NAMED = ("pid", "zero", "blended")


@dataclass(frozen=True)
class ControllerChoice:
    label: str
    family: ControllerFamily
    params: np.ndarray  # one candidate's gains


def resolve_controller(name: str, gains: str | None = None, low_gains: str | None = None,
                       high_gains: str | None = None, params_file=None) -> ControllerChoice:
    if name == "pid":
        values = parse_gains(gains, "--gains") if gains else OFFICIAL_PID_GAINS
        return ControllerChoice("pid", PIDFamily(), np.array(values))
    if name == "zero":
        return ControllerChoice("zero", ZeroFamily(), np.zeros(0))
    if name == "blended":
        if params_file is not None:
            values = read_blended_params(params_file)
            if low_gains or high_gains:
                raise PidtuneUsageError("give blended gains either with --params or with --low-gains/--high-gains, not both")
        elif low_gains and high_gains:
            values = np.array(parse_gains(low_gains, "--low-gains") + parse_gains(high_gains, "--high-gains"))
        else:
            raise PidtuneUsageError("controller blended needs --params FILE or both --low-gains and --high-gains")
        return ControllerChoice("blended", BlendedFamily(), values)
    path = Path(name)
    if path.suffix == ".py" or path.exists():
        if not path.is_file():
            raise PidtuneError(f"controller file {path} does not exist")
        return ControllerChoice(path.stem, OfficialFileFamily(path), np.zeros(0))
    raise PidtuneUsageError(f"unknown controller {name!r}: use one of {', '.join(NAMED)} or a path to a controller .py file")
