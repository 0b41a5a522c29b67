"""Atomic file writes: a reader never sees half a file, an interrupted write leaves the old one."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

from pidtune.errors import PidtuneError, PidtuneUsageError


def default_mode(full: int) -> int:
    """The mode a plain open()/mkdir() would give: temp files are created private (0600/0700)."""
    umask = os.umask(0)
    os.umask(umask)
    return full & ~umask


def read_json(path, label: str, error: type[PidtuneError] = PidtuneError):
    """A JSON file's content; an unreadable or malformed file raises ``error`` as '<label> <path>: ...'."""
    path = Path(path)
    try:
        return json.loads(path.read_text())
    except OSError as exc:
        raise error(f"{label} {path}: cannot read ({exc.strerror or exc})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f" at line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise error(f"{label} {path}: not JSON ({getattr(exc, 'msg', 'not UTF-8 text')}{where})") from None


def atomic_write_text(path, text: str) -> None:
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, default_mode(0o666))
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        raise PidtuneError(f"cannot write {path}: {exc.strerror or exc}") from None


def atomic_write_json(path, data) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=False) + "\n")


def atomic_write_csv(path, rows: list[dict]) -> None:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    atomic_write_text(path, buffer.getvalue())


ROW_FORMATS = (".json", ".csv")


def check_rows_path(path, flag: str = "--out") -> None:
    """Fail before any work if results could not be written there."""
    path = Path(path)
    if path.suffix.lower() not in ROW_FORMATS:
        raise PidtuneUsageError(f"{flag} {path}: use a .json or .csv file name")
    check_writable_dir(path.parent, flag)


def check_writable_dir(folder, flag: str) -> None:
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise PidtuneError(f"{flag}: {folder} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PidtuneError(f"{flag}: cannot create folder {folder} ({exc.strerror or exc})") from None
    if not os.access(folder, os.W_OK):
        raise PidtuneError(f"{flag}: folder {folder} is not writable")


def write_rows(path, rows: list[dict], flag: str = "--out") -> None:
    """Rows to JSON or CSV, chosen by the file's suffix."""
    check_rows_path(path, flag)
    if Path(path).suffix.lower() == ".json":
        atomic_write_json(path, rows)
    else:
        atomic_write_csv(path, rows)
