"""What `pidtune doctor` reports: assets, runtime and optional extras, as one plain dict."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path

from pidtune import __version__
from pidtune.assets.install import count_segments
from pidtune.config import RunConfig, default_workers
from pidtune.errors import PidtuneError
from pidtune.sim.model import OFFICIAL_MODEL_SHA256, TinyPhysicsModel, file_sha256

EXTRAS = ("ray", "matplotlib", "onnx", "onnxruntime-gpu")  # distributions behind pidtune's optional extras


def doctor_report(config: RunConfig) -> dict:
    model = _model_report(Path(config.model_path))
    data = _data_report(Path(config.data_dir))
    problems = [item["problem"] for item in (model, data) if item.get("problem")]
    return {
        "pidtune": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "model": model,
        "data": data,
        "onnxruntime": _runtime_report(),
        "cores": {"cpu_count": os.cpu_count(), "usable": default_workers()},
        "extras": {name: _installed_version(name) for name in EXTRAS},
        "offline": config.offline,
        "problems": problems,
    }


def _model_report(path: Path) -> dict:
    report = {"path": str(path), "exists": path.is_file()}
    if not path.is_file():
        return {**report, "problem": f"model {path} is missing (`pidtune download --model-only`)"}
    try:
        digest = file_sha256(path)
    except OSError as exc:
        return {**report, "problem": f"model {path}: cannot read ({exc.strerror or exc})"}
    report.update(size=path.stat().st_size, sha256=digest, official=digest == OFFICIAL_MODEL_SHA256)
    try:
        TinyPhysicsModel(path)
    except PidtuneError as exc:
        return {**report, "loads": False, "problem": str(exc)}
    report["loads"] = True
    if not report["official"]:
        report["problem"] = f"model {path} is not the official TinyPhysics model: costs will differ from the official ones"
    return report


def _data_report(path: Path) -> dict:
    count = count_segments(path)
    report = {"path": str(path), "exists": path.is_dir(), "segments": count}
    if count:
        names = sorted(p.name for p in path.glob("*.csv"))
        report.update(first=names[0], last=names[-1])
    else:
        report["problem"] = f"data folder {path} holds no segments (`pidtune download --data-only`)"
    return report


def _runtime_report() -> dict:
    try:
        import onnxruntime as ort
    except ImportError as exc:
        return {"version": None, "providers": [], "problem": f"onnxruntime cannot be imported ({exc})"}
    return {"version": ort.__version__, "providers": list(ort.get_available_providers()),
            "device": ort.get_device()}


def _installed_version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None
