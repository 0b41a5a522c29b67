"""Load a folder of segment CSVs into padded float64 arrays, validated with file:line errors."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from pidtune.errors import PidtuneError, PidtuneUsageError
from pidtune.sim.constants import CONTROL_START, COST_END, GRAVITY
from pidtune.sim.segment_cache import cache_path, cached_columns

# column in the CSV -> what the simulator reads from it
COLUMNS = {
    "vEgo": "v_ego",
    "aEgo": "a_ego",
    "roll": "roll",
    "targetLateralAcceleration": "target",
    "steerCommand": "steer",
}
MIN_ROWS = COST_END  # the cost reads rows up to COST_END - 1
DEFAULT_SEED_PREFIX = "data"


@dataclass(frozen=True)
class Segments:
    """Segments as arrays of shape [n_segments, max_rows], NaN past each segment's end."""

    names: tuple[str, ...]
    seed_keys: tuple[str, ...]
    lengths: np.ndarray
    roll_lataccel: np.ndarray
    v_ego: np.ndarray
    a_ego: np.ndarray
    target: np.ndarray
    steer: np.ndarray

    def __len__(self) -> int:
        return len(self.names)

    @cached_property
    def seeds(self) -> np.ndarray:
        return np.array([segment_seed(key) for key in self.seed_keys], dtype=np.int64)

    @cached_property
    def digests(self) -> tuple[str, ...]:
        """Content hash of each segment's arrays, for cache keys."""
        out = []
        for i, n in enumerate(self.lengths):
            h = hashlib.sha1()
            for field in ARRAY_FIELDS:
                h.update(np.ascontiguousarray(getattr(self, field)[i, :n]).tobytes())
            out.append(f"{h.hexdigest()}:{self.seed_keys[i]}")
        return tuple(out)


ARRAY_FIELDS = ("roll_lataccel", "v_ego", "a_ego", "target", "steer")


def segment_seed(seed_key: str) -> int:
    """The official per-segment seed: md5 of the path string the official tool saw."""
    return int(hashlib.md5(seed_key.encode()).hexdigest(), 16) % 10**4


def list_segment_files(data_dir: Path) -> list[Path]:
    data_dir = Path(data_dir)
    if not data_dir.exists():
        raise PidtuneError(f"data folder {data_dir} does not exist (get it with `pidtune download`)")
    if not data_dir.is_dir():
        raise PidtuneError(f"data folder {data_dir} is not a folder")
    # an entry named like a segment but not a file (a folder, a broken link) stays in the list, so
    # that loading it is reported (see require_files) rather than the set silently shrinking
    files = sorted(p for p in data_dir.iterdir() if p.suffix == ".csv")
    if not files:
        raise PidtuneError(f"data folder {data_dir} holds no .csv segment files")
    return files


def require_files(files: list[Path]) -> None:
    for p in files:
        if not p.is_file():
            what = "a folder" if p.is_dir() else "a broken link" if p.is_symlink() else "not a regular file"
            raise PidtuneError(f"{p}: cannot read file ({what})")


def read_segment(path: Path) -> dict[str, np.ndarray]:
    """Parse one CSV into float64 columns; any defect raises PidtuneError naming file and line."""
    try:
        frame = pd.read_csv(path)
    except OSError as exc:
        raise PidtuneError(f"{path}: cannot read file ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise PidtuneError(f"{path}: cannot read file (not UTF-8 text: byte {exc.start})") from None
    except pd.errors.EmptyDataError:
        raise PidtuneError(f"{path}: file is empty") from None
    except pd.errors.ParserError as exc:
        raise PidtuneError(f"{path}: not a valid CSV ({str(exc).splitlines()[0]})") from None
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise PidtuneError(f"{path}: missing column(s) {', '.join(missing)}")
    if len(frame) < MIN_ROWS:
        raise PidtuneError(f"{path}: {len(frame)} data rows, need at least {MIN_ROWS} (the cost window ends at row {COST_END - 1})")
    columns = {}
    for csv_name, name in COLUMNS.items():
        raw = frame[csv_name]
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
        # steerCommand is empty once the controller takes over; every other cell must be a number
        required = values if name != "steer" else values[:CONTROL_START]
        bad = np.flatnonzero(~np.isfinite(required))
        if bad.size:
            row = int(bad[0])
            cell = raw.iloc[row]
            what = "empty or NaN" if pd.isna(cell) else f"not a finite number ({cell!r})" if isinstance(cell, str) else f"not a finite number ({cell})"
            raise PidtuneError(f"{path}:{row + 2}: column {csv_name} is {what}")
        columns[name] = values
    return columns


def load_segments(data_dir, num_segs: int | None = None, seed_prefix: str = DEFAULT_SEED_PREFIX,
                  use_cache: bool = True) -> Segments:
    """Load the first ``num_segs`` segments (sorted by file name, like the official tool).

    Each segment's random seed comes from ``f"{seed_prefix}/{file name}"``: the default
    matches the official evaluation run with ``--data_path ./data``, wherever the folder is.
    """
    if num_segs is not None and num_segs < 1:
        raise PidtuneUsageError(f"--num-segs must be at least 1, got {num_segs}")
    files = list_segment_files(Path(data_dir))
    if num_segs is not None:
        files = files[:num_segs]
    return load_segment_files(data_dir, files, seed_prefix, use_cache)


def load_segment_files(data_dir, files: list[Path], seed_prefix: str = DEFAULT_SEED_PREFIX,
                       use_cache: bool = True) -> Segments:
    """Load the given files of ``data_dir`` in the given order (search stages pick a shuffled subset)."""
    require_files(files)
    cache_file = cache_path(Path(data_dir)) if use_cache else None
    return segments_from_columns([p.name for p in files], cached_columns(files, read_segment, cache_file), seed_prefix)


def segments_from_columns(names, columns: list[dict[str, np.ndarray]], seed_prefix: str = DEFAULT_SEED_PREFIX) -> Segments:
    lengths = np.array([len(c["target"]) for c in columns], dtype=np.int64)
    arrays = {f: np.full((len(columns), int(lengths.max())), np.nan) for f in ARRAY_FIELDS}
    for i, col in enumerate(columns):
        n = lengths[i]
        arrays["roll_lataccel"][i, :n] = np.sin(col["roll"]) * GRAVITY
        arrays["v_ego"][i, :n] = col["v_ego"]
        arrays["a_ego"][i, :n] = col["a_ego"]
        arrays["target"][i, :n] = col["target"]
        arrays["steer"][i, :n] = -col["steer"]  # log is left-positive, simulator right-positive
    prefix = seed_prefix.rstrip("/")
    keys = tuple(f"{prefix}/{name}" if prefix else name for name in names)
    return Segments(names=tuple(names), seed_keys=keys, lengths=lengths, **arrays)
