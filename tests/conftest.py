"""Shared fixtures: the read-only asset mirror at ../shared/tinyphysics (never copied into git)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ASSETS = Path(__file__).resolve().parents[1].parent / "shared" / "tinyphysics"
MODEL_PATH = ASSETS / "models" / "tinyphysics.onnx"
DATA_DIR = ASSETS / "data"


@pytest.fixture(scope="session", autouse=True)
def _private_cache_dir(tmp_path_factory):
    """Keep the segment cache of test runs out of the user's cache folder."""
    mp = pytest.MonkeyPatch()
    mp.setenv("PIDTUNE_CACHE_DIR", str(tmp_path_factory.mktemp("pidtune-cache")))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def model_path() -> Path:
    if not MODEL_PATH.is_file():
        pytest.fail(f"shared assets missing: {MODEL_PATH} (tests need ../shared/tinyphysics beside the project)")
    return MODEL_PATH


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR


@pytest.fixture(scope="session")
def reference_costs() -> dict:
    return json.loads((ASSETS / "reference_costs.json").read_text())["controllers"]


@pytest.fixture(scope="session")
def segments():
    from pidtune.sim.segments import load_segments

    return load_segments(DATA_DIR)


@pytest.fixture(scope="session")
def model(model_path):
    from pidtune.sim.model import TinyPhysicsModel

    return TinyPhysicsModel(model_path)


@pytest.fixture
def asset_env(monkeypatch, model_path, data_dir):
    """Point the CLI's default asset locations at the shared mirror."""
    monkeypatch.setenv("PIDTUNE_MODEL_PATH", str(model_path))
    monkeypatch.setenv("PIDTUNE_DATA_DIR", str(data_dir))
