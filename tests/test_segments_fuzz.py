"""Property: any corruption of a segment CSV either loads or raises PidtuneError, never another exception."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pidtune.errors import PidtuneError
from pidtune.sim.constants import CONTROL_START
from pidtune.sim.segments import COLUMNS, MIN_ROWS, load_segments, read_segment

from conftest import DATA_DIR

# a valid segment just past the cost window, so parsing each example stays cheap
BASE_LINES = (DATA_DIR / "00000.csv").read_text().splitlines()[: MIN_ROWS + 11]
HEADER = BASE_LINES[0].split(",")
JUNK_CELLS = ["", "nan", "NaN", "inf", "-inf", "1e999", "abc", '"', '"1,2"', "1,2", "0x10", " ", "\x00", "None", "--1"]

# modest by default (the suite stays fast); PIDTUNE_FUZZ_EXAMPLES=2000 for a deeper search
SETTINGS = settings(max_examples=int(os.environ.get("PIDTUNE_FUZZ_EXAMPLES", 60)), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _join(lines) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


@st.composite
def dropped_columns(draw):
    drop = draw(st.sets(st.sampled_from(range(len(HEADER))), min_size=1))
    return _join(",".join(c for i, c in enumerate(line.split(",")) if i not in drop) for line in BASE_LINES)


@st.composite
def renamed_header(draw):
    index = draw(st.integers(0, len(HEADER) - 1))
    names = list(HEADER)
    names[index] = draw(st.one_of(st.text(max_size=12), st.sampled_from(HEADER)))  # garbage or a duplicate
    return _join([",".join(names)] + BASE_LINES[1:])


@st.composite
def garbage_cells(draw):
    lines = list(BASE_LINES)
    edits = draw(st.lists(st.tuples(st.integers(1, len(lines) - 1), st.integers(0, len(HEADER) - 1),
                                    st.one_of(st.sampled_from(JUNK_CELLS), st.text(max_size=8))), min_size=1, max_size=5))
    for row, column, value in edits:
        cells = lines[row].split(",")
        cells[column] = value
        lines[row] = ",".join(cells)
    return _join(lines)


@st.composite
def truncated(draw):
    data = _join(BASE_LINES)
    return data[: draw(st.integers(0, len(data)))]


@st.composite
def spliced_bytes(draw):
    data = _join(BASE_LINES)
    at = draw(st.integers(0, len(data)))
    return data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]


@st.composite
def dropped_rows(draw):
    rows = draw(st.sets(st.integers(1, len(BASE_LINES) - 1), min_size=1, max_size=40))
    return _join(line for i, line in enumerate(BASE_LINES) if i not in rows)


corrupted_csv = st.one_of(
    dropped_columns(), renamed_header(), garbage_cells(), truncated(), spliced_bytes(), dropped_rows(),
    st.binary(max_size=512),  # junk, including the empty file
    st.just(b""), st.just(_join(BASE_LINES[:1])), st.just(_join(line.replace(",", ";") for line in BASE_LINES)),
)


def assert_loaded_segment_is_sound(columns: dict) -> None:
    assert len(columns["target"]) >= MIN_ROWS
    for name, values in columns.items():
        required = values[:CONTROL_START] if name == "steer" else values
        assert np.all(np.isfinite(required)), name


@SETTINGS
@given(content=corrupted_csv)
def test_read_segment_loads_or_raises_pidtune_error(tmp_path, content):
    path = tmp_path / "00000.csv"
    path.write_bytes(content)
    try:
        columns = read_segment(path)
    except PidtuneError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)
        return
    assert set(columns) == set(COLUMNS.values())
    assert_loaded_segment_is_sound(columns)


@SETTINGS
@given(content=corrupted_csv)
def test_load_segments_loads_or_raises_pidtune_error(tmp_path, content):
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    (folder / "00000.csv").write_text("\n".join(BASE_LINES) + "\n")  # a good one beside the bad one
    (folder / "00001.csv").write_bytes(content)
    try:
        segments = load_segments(folder, use_cache=False)
    except PidtuneError as exc:
        assert "00001.csv" in str(exc) and "\n" not in str(exc)
        return
    assert len(segments) == 2 and segments.names == ("00000.csv", "00001.csv")


def test_the_base_segment_is_valid():
    """The corruptions start from a file that loads, so a raised error is the corruption's doing."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "00000.csv"
        path.write_bytes(_join(BASE_LINES))
        assert_loaded_segment_is_sound(read_segment(path))


@pytest.mark.parametrize("content", [b"\x00" * 100, b"\xef\xbb\xbf" + _join(BASE_LINES), _join(BASE_LINES).replace(b"\n", b"\r\n")])
def test_specific_oddities(tmp_path, content):
    path = tmp_path / "00000.csv"
    path.write_bytes(content)
    try:
        read_segment(path)
    except PidtuneError:
        pass
