"""Where the model and the dataset come from: the official URLs, a mirror URL, a local folder or a zip."""

from __future__ import annotations

import os
import urllib.parse
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pidtune.errors import PidtuneError, PidtuneUsageError

OFFICIAL_MODEL_URL = "https://raw.githubusercontent.com/commaai/controls_challenge/master/models/tinyphysics.onnx"
OFFICIAL_DATA_URL = "https://huggingface.co/datasets/commaai/commaSteeringControl/resolve/main/data/SYNTHETIC_V0.zip"
MODEL_FILE = "tinyphysics.onnx"
DATA_ZIP = "SYNTHETIC_V0.zip"
SOURCE_ENV = "PIDTUNE_ASSETS_FROM"  # default SOURCE for `download` and first-use fetching
SOURCE_HELP = "a URL, a folder with models/ and data/, or a .zip"

# a source location: a URL string or a local Path
Location = str | Path


@dataclass(frozen=True)
class AssetSource:
    """One SOURCE as the user gave it, split into where the model and the dataset come from.

    ``data`` is a zip (URL or file) or a local folder of CSVs; None means the source has none.
    """

    text: str
    model: Location | None
    data: Location | None

    def model_location(self) -> Location:
        if self.model is None:
            raise PidtuneUsageError(f"--from {self.text} holds no model (expected models/{MODEL_FILE}); "
                                    "add --data-only or give another source")
        return self.model

    def data_location(self) -> Location:
        if self.data is None:
            raise PidtuneUsageError(f"--from {self.text} holds no dataset (expected data/*.csv or a .zip); "
                                    "add --model-only or give another source")
        return self.data


def is_url(location) -> bool:
    return isinstance(location, str) and urllib.parse.urlsplit(location).scheme in ("http", "https")


def default_source_text() -> str | None:
    return os.environ.get(SOURCE_ENV) or None


def resolve_source(text: str | None) -> AssetSource:
    """Parse a SOURCE: None for the official homes, else a URL (base, .onnx or .zip) or a local path."""
    if not text:
        return AssetSource("the official homes", OFFICIAL_MODEL_URL, OFFICIAL_DATA_URL)
    if is_url(text):
        path = urllib.parse.urlsplit(text).path.lower()
        if path.endswith(".zip"):
            return AssetSource(text, None, text)
        if path.endswith(".onnx"):
            return AssetSource(text, text, None)
        base = text.rstrip("/")
        return AssetSource(text, f"{base}/models/{MODEL_FILE}", f"{base}/data/{DATA_ZIP}")
    return _local_source(text, Path(text))


def _local_source(text: str, path: Path) -> AssetSource:
    if path.is_dir():
        model = path / "models" / MODEL_FILE
        data = path / "data"
        if data.is_dir() and not any(data.glob("*.csv")) and (data / DATA_ZIP).is_file():
            data = data / DATA_ZIP  # a mirror laid out like the URL base
        found = AssetSource(text, model if model.is_file() else None, data if data.exists() else None)
        if found.model is None and found.data is None:
            raise PidtuneUsageError(f"--from {text}: folder holds neither models/{MODEL_FILE} nor data/")
        return found
    if path.is_file():
        if path.suffix.lower() == ".onnx":
            return AssetSource(text, path, None)
        if path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
            return AssetSource(text, None, path)
        raise PidtuneUsageError(f"--from {text}: not a .zip or .onnx file; give {SOURCE_HELP}")
    if path.exists():
        raise PidtuneUsageError(f"--from {text}: not a file or folder")
    raise PidtuneUsageError(f"--from {text}: no such file or folder, and not an http(s) URL; give {SOURCE_HELP}")


def refuse_network_when_offline(location: Location, offline: bool) -> None:
    if offline and is_url(location):
        raise PidtuneError(f"offline mode (--offline / PIDTUNE_OFFLINE=1) will not fetch {location}; "
                           "give `--from` a local folder or .zip")
