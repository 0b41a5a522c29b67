"""A cache of parsed segment columns, one .npz per data folder.

Parsing 20,000 CSVs with pandas takes about a minute; reading their arrays back from
one .npz takes a second. An entry is valid while its file's name, size and mtime are
unchanged; files not yet cached are parsed and added. The cache is only a speed-up:
if it cannot be read or written, segments are parsed as usual.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from pidtune.paths import user_cache_dir

CACHE_VERSION = 1
FIELDS = ("v_ego", "a_ego", "roll", "target", "steer")


def cache_path(data_dir: Path) -> Path:
    key = hashlib.sha1(str(Path(data_dir).resolve()).encode()).hexdigest()[:16]
    return user_cache_dir() / f"segments-v{CACHE_VERSION}-{key}.npz"


def _signature(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def read_cache(path: Path) -> dict[str, tuple[tuple[int, int], dict[str, np.ndarray]]]:
    """file name -> ((size, mtime_ns), columns)."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            names, sizes, mtimes = npz["names"], npz["sizes"], npz["mtimes"]
            offsets, values = npz["offsets"], npz["values"]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, EOFError):
        return {}
    entries = {}
    for i, name in enumerate(names):
        block = values[offsets[i] : offsets[i + 1]]
        entries[str(name)] = ((int(sizes[i]), int(mtimes[i])), {f: block[:, j] for j, f in enumerate(FIELDS)})
    return entries


def write_cache(path: Path, entries) -> None:
    names = sorted(entries)
    lengths = [len(entries[n][1]["target"]) for n in names]
    values = np.concatenate([np.stack([entries[n][1][f] for f in FIELDS], axis=1) for n in names]) if names else np.zeros((0, 5))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, names=np.array(names, dtype=str), sizes=np.array([entries[n][0][0] for n in names], dtype=np.int64),
                     mtimes=np.array([entries[n][0][1] for n in names], dtype=np.int64),
                     offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64), values=values)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache location only costs speed


def cached_columns(files: list[Path], parse, cache_file: Path | None) -> list[dict[str, np.ndarray]]:
    """Columns of each file, from the cache where still valid, else parsed (and cached)."""
    if cache_file is None:
        return [parse(p) for p in files]
    entries = read_cache(cache_file)
    changed = False
    columns = []
    for p in files:
        signature = _signature(p)
        entry = entries.get(p.name)
        if entry is None or entry[0] != signature:
            entry = (signature, parse(p))
            entries[p.name] = entry
            changed = True
        columns.append(entry[1])
    if changed:
        write_cache(cache_file, entries)
    return columns
