"""Segment loading: official reading of the CSV, seed keys, and the parsed-array cache."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pandas as pd
import pytest

from pidtune.sim.segment_cache import cache_path
from pidtune.sim.segments import load_segments, segment_seed

FIELDS = ("roll_lataccel", "v_ego", "a_ego", "target", "steer")


def test_columns_follow_the_official_reading(data_dir):
    segs = load_segments(data_dir, 2, use_cache=False)
    frame = pd.read_csv(data_dir / "00001.csv")
    n = len(frame)
    assert segs.names == ("00000.csv", "00001.csv")
    assert segs.lengths[1] == n
    np.testing.assert_array_equal(segs.roll_lataccel[1, :n], np.sin(frame["roll"].to_numpy()) * 9.81)
    np.testing.assert_array_equal(segs.steer[1, :100], -frame["steerCommand"].to_numpy()[:100])
    np.testing.assert_array_equal(segs.target[1, :n], frame["targetLateralAcceleration"].to_numpy())


def test_seed_keys_default_to_the_official_data_path(data_dir):
    segs = load_segments(data_dir, 1, use_cache=False)
    assert segs.seed_keys == ("data/00000.csv",)
    other = load_segments(data_dir, 1, seed_prefix="./data", use_cache=False)
    assert other.seed_keys == ("./data/00000.csv",)
    assert segs.seeds[0] == segment_seed("data/00000.csv") != other.seeds[0]


def test_num_segs_takes_the_first_files_by_name(data_dir):
    assert load_segments(data_dir, 3).names == ("00000.csv", "00001.csv", "00002.csv")


def test_cache_returns_the_parsed_arrays_and_notices_changed_files(tmp_path, data_dir):
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("00000.csv", "00001.csv"):
        shutil.copy(data_dir / name, folder / name)
    parsed = load_segments(folder, use_cache=False)
    first = load_segments(folder)
    assert cache_path(folder).is_file()
    second = load_segments(folder)  # from the cache
    for field in FIELDS:
        np.testing.assert_array_equal(getattr(first, field), getattr(parsed, field))
        np.testing.assert_array_equal(getattr(second, field), getattr(parsed, field))

    # rewrite one file with other numbers: the cache must not serve the old ones
    frame = pd.read_csv(folder / "00001.csv")
    frame["targetLateralAcceleration"] += 1.0
    frame.to_csv(folder / "00001.csv", index=False)
    stat = os.stat(folder / "00001.csv")
    os.utime(folder / "00001.csv", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    changed = load_segments(folder)
    n = changed.lengths[1]
    np.testing.assert_allclose(changed.target[1, :n], parsed.target[1, :n] + 1.0)
    np.testing.assert_array_equal(changed.target[0], parsed.target[0])


def test_an_unreadable_cache_falls_back_to_parsing(tmp_path, data_dir):
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(data_dir / "00000.csv", folder / "00000.csv")
    cache_path(folder).parent.mkdir(parents=True, exist_ok=True)
    cache_path(folder).write_bytes(b"not an npz")
    segs = load_segments(folder)
    assert segs.names == ("00000.csv",)
    assert np.isfinite(segs.target[0, : segs.lengths[0]]).all()


@pytest.mark.parametrize("bad", [0, -1])
def test_num_segs_must_be_positive(data_dir, bad):
    from pidtune.errors import PidtuneUsageError

    with pytest.raises(PidtuneUsageError, match="--num-segs"):
        load_segments(data_dir, bad)
