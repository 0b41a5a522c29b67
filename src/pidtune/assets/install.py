"""Put the model and the dataset in place, verified, and only when complete."""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path

from pidtune.assets.fetch import FetchOptions, readable_file, staged_copy
from pidtune.assets.sources import Location
from pidtune.errors import PidtuneError
from pidtune.io import default_mode
from pidtune.sim.model import OFFICIAL_MODEL_SHA256, file_sha256
from pidtune.sim.segments import COLUMNS

# what zipfile and zlib raise for a damaged or unsupported archive
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)


def model_is_official(path: Path) -> bool:
    return file_sha256(path) == OFFICIAL_MODEL_SHA256


def install_model(location: Location, target: Path, options: FetchOptions, force: bool = False) -> str:
    """Fetch the model to ``target`` after checking its sha256; returns what was done, for the user."""
    target = Path(target)
    if target.is_file() and not force:
        if model_is_official(target):
            return f"model {target}: already present and official, kept"
        raise PidtuneError(f"model {target} exists but is not the official model (sha256 differs); "
                           "use --force to replace it")
    if target.is_dir():
        raise PidtuneError(f"model {target} is a folder; give another --dest or --model-path")
    with staged_copy(location, target.parent, options) as tmp:
        digest = file_sha256(tmp)
        if digest != OFFICIAL_MODEL_SHA256:
            raise PidtuneError(f"model from {location} has sha256 {digest[:16]}..., not the official "
                               f"{OFFICIAL_MODEL_SHA256[:16]}...; nothing was installed")
        os.chmod(tmp, default_mode(0o666))
        os.replace(tmp, target)
    return f"model {target}: installed from {location} (sha256 verified)"


def install_data(location: Location, target: Path, options: FetchOptions, num_segs: int | None = None,
                 force: bool = False) -> str:
    """Fetch the dataset (a zip or a folder of CSVs) into ``target``; returns what was done, for the user."""
    target = Path(target)
    present = count_segments(target)
    if present and not force:
        return f"data {target}: already holds {present} segments, kept (--force replaces them)"
    if target.exists() and not target.is_dir():
        raise PidtuneError(f"data folder {target} is a file; give another --dest or --data-dir")
    if target.is_dir() and any(target.iterdir()) and not force:  # never delete files we did not put there
        raise PidtuneError(f"data folder {target} holds other files but no segments; use --force to replace it")
    with _staging_folder(target) as staging:
        if isinstance(location, Path) and location.is_dir():
            count = _copy_segments(location, staging, num_segs)
        else:
            with readable_file(location, target.parent, options) as zip_path:
                count = _extract_segments(zip_path, location, staging, num_segs)
        os.chmod(staging, default_mode(0o777))
        _replace(staging, target)
    return f"data {target}: {count} segments installed from {location}"


def count_segments(folder: Path) -> int:
    folder = Path(folder)
    return sum(1 for _ in folder.glob("*.csv")) if folder.is_dir() else 0


@contextmanager
def _staging_folder(target: Path):
    """A hidden folder beside ``target`` (same file system, so the final rename is atomic), removed at exit."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
    except OSError as exc:
        raise PidtuneError(f"cannot write into {target.parent}: {exc.strerror or exc}") from None
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _replace(staging: Path, target: Path) -> None:
    """Swap the complete staging folder in; an old folder is moved aside first and removed after."""
    old = None
    try:
        if target.exists():
            old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".old"))
            os.replace(target, old / target.name)
        os.replace(staging, target)
    except OSError as exc:
        if old is not None and not target.exists():
            os.replace(old / target.name, target)  # put the old data back
        raise PidtuneError(f"cannot move the new data into {target}: {exc.strerror or exc}") from None
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _extract_segments(zip_path: Path, label, staging: Path, num_segs: int | None) -> int:
    """Write the zip's CSV members under their base names (folders skipped), like the official downloader."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            members = {}
            for info in archive.infolist():
                name = Path(info.filename).name
                if info.is_dir() or not name.endswith(".csv") or name.startswith("."):
                    continue  # folders, other files, and macOS resource forks (._name)
                if name in members:
                    raise PidtuneError(f"{label}: holds two files named {name}")
                members[name] = info
            names = sorted(members)[:num_segs]
            if not names:
                raise PidtuneError(f"{label}: holds no .csv segment files")
            for name in names:
                with archive.open(members[name]) as src, open(staging / name, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
    except ZIP_ERRORS as exc:
        raise PidtuneError(f"{label}: not a valid zip file ({exc or exc.__class__.__name__}); nothing was installed") from None
    except OSError as exc:
        raise PidtuneError(f"{label}: cannot extract into {staging.parent}: {exc.strerror or exc}") from None
    for name in names:
        check_header(staging / name, f"{label}: member {name}")
    return len(names)


def _copy_segments(folder: Path, staging: Path, num_segs: int | None) -> int:
    files = sorted(p for p in folder.glob("*.csv") if not p.name.startswith("."))[:num_segs]
    if not files:
        raise PidtuneError(f"{folder}: holds no .csv segment files")
    for path in files:
        check_header(path, str(path))
        try:
            shutil.copyfile(path, staging / path.name)
        except OSError as exc:
            raise PidtuneError(f"cannot copy {path} to {staging.parent}: {exc.strerror or exc}") from None
    return len(files)


def check_header(path: Path, label: str) -> None:
    """The first line must name every column the simulator reads."""
    try:
        with open(path, "rb") as fh:
            first = fh.readline(1 << 12).decode("utf-8", "replace")
    except OSError as exc:
        raise PidtuneError(f"{label}: cannot read ({exc.strerror or exc})") from None
    names = {c.strip().strip('"') for c in first.split(",")}
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise PidtuneError(f"{label}: header lacks column(s) {', '.join(missing)}; nothing was installed")
