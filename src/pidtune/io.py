"""Atomic file writes: a reader never sees half a file, an interrupted write leaves the old one."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

from pidtune.errors import PidtuneError


def atomic_write_text(path, text: str) -> None:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
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


def write_rows(path, rows: list[dict], flag: str = "--out") -> None:
    """Rows to JSON or CSV, chosen by the file's suffix."""
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        atomic_write_json(path, rows)
    elif suffix == ".csv":
        atomic_write_csv(path, rows)
    else:
        raise PidtuneError(f"{flag} {path}: use a .json or .csv file name")
