"""Every bad input in docs/errors.md, through the CLI: non-zero exit, one line naming the culprit, no traceback.

Each row builds its bad input in tmp_path; the rest of the run points at good assets
(the shared mirror's model, a data folder of one copied segment), so the row's own
defect is the one reported.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pidtune.cli import cli

from conftest import DATA_DIR, MODEL_PATH

SEGMENT = DATA_DIR / "00000.csv"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path_factory):
    for name in ("PIDTUNE_OFFLINE", "PIDTUNE_ASSETS_FROM", "PIDTUNE_MODEL_PATH", "PIDTUNE_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PIDTUNE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def segment_lines() -> list[str]:
    return SEGMENT.read_text().splitlines()


def edit_cell(lines: list[str], line_no: int, column: str, value: str) -> list[str]:
    """Set one cell; line_no counts from 1 with the header as line 1, as the messages do."""
    index = lines[0].split(",").index(column)
    cells = lines[line_no - 1].split(",")
    cells[index] = value
    return lines[: line_no - 1] + [",".join(cells)] + lines[line_no:]


def data_folder(tmp: Path, text: str | bytes | None = None, name: str = "00000.csv") -> Path:
    """A data folder with one segment: a copy of the shared one, or the given content."""
    folder = tmp / "data"
    folder.mkdir(exist_ok=True)
    target = folder / name
    if text is None:
        shutil.copyfile(SEGMENT, target)
    elif isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text)
    return folder


def csv_with(tmp, lines):
    return data_folder(tmp, "\n".join(lines) + "\n")


def drop_column(lines, column):
    index = lines[0].split(",").index(column)
    return [",".join(c for i, c in enumerate(line.split(",")) if i != index) for line in lines]


def wrong_inputs_model(tmp: Path) -> Path:
    onnx = pytest.importorskip("onnx")  # a test extra
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "tiny", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    path = tmp / "tiny.onnx"
    onnx.save(model, path)
    return path


def file_at(tmp: Path, name: str, content: bytes = b"") -> Path:
    path = tmp / name
    path.write_bytes(content)
    return path


def folder_at(tmp: Path, name: str) -> Path:
    path = tmp / name
    path.mkdir()
    return path


# id -> (build(tmp) -> (args, data folder or None for the good one), exit code, fragments; {tmp} is tmp_path)
ROWS = {
    # the model
    "model missing": (lambda t: (["--model-path", t / "none.onnx"], None), 1,
                      ["model file {tmp}/none.onnx does not exist", "pidtune download"]),
    "model is a folder": (lambda t: (["--model-path", folder_at(t, "m.onnx")], None), 1,
                          ["model file {tmp}/m.onnx is a folder"]),
    "model not ONNX": (lambda t: (["--model-path", file_at(t, "m.onnx", b"hello")], None), 1,
                       ["model file {tmp}/m.onnx is not a valid ONNX model"]),
    "model empty": (lambda t: (["--model-path", file_at(t, "m.onnx")], None), 1,
                    ["model file {tmp}/m.onnx is not a valid ONNX model"]),
    "model wrong inputs": (lambda t: (["--model-path", wrong_inputs_model(t)], None), 1,
                           ["model file {tmp}/tiny.onnx has inputs x", "takes states, tokens"]),
    # the data folder
    "data missing": (lambda t: ([], t / "nothing"), 1, ["data folder {tmp}/nothing does not exist", "pidtune download"]),
    "data is a file": (lambda t: ([], file_at(t, "data.txt", b"x")), 1, ["data folder {tmp}/data.txt is not a folder"]),
    "data empty": (lambda t: ([], folder_at(t, "data")), 1, ["data folder {tmp}/data holds no .csv segment files"]),
    # one segment file
    "missing column": (lambda t: ([], csv_with(t, drop_column(segment_lines(), "roll"))), 1,
                       ["{tmp}/data/00000.csv: missing column(s) roll"]),
    "non-numeric cell": (lambda t: ([], csv_with(t, edit_cell(segment_lines(), 5, "vEgo", "abc"))), 1,
                         ["{tmp}/data/00000.csv:5: column vEgo is not a finite number ('abc')"]),
    "NaN cell": (lambda t: ([], csv_with(t, edit_cell(segment_lines(), 7, "roll", "nan"))), 1,
                 ["{tmp}/data/00000.csv:7: column roll is empty or NaN"]),
    "empty cell": (lambda t: ([], csv_with(t, edit_cell(segment_lines(), 9, "targetLateralAcceleration", ""))), 1,
                   ["{tmp}/data/00000.csv:9: column targetLateralAcceleration is empty or NaN"]),
    "inf cell": (lambda t: ([], csv_with(t, edit_cell(segment_lines(), 4, "aEgo", "inf"))), 1,
                 ["{tmp}/data/00000.csv:4: column aEgo is not a finite number (inf)"]),
    "steer empty before control": (lambda t: ([], csv_with(t, edit_cell(segment_lines(), 50, "steerCommand", ""))), 1,
                                   ["{tmp}/data/00000.csv:50: column steerCommand is empty or NaN"]),
    "too few rows": (lambda t: ([], csv_with(t, segment_lines()[:301])), 1,
                     ["{tmp}/data/00000.csv: 300 data rows, need at least 500"]),
    "empty file": (lambda t: ([], data_folder(t, "")), 1, ["{tmp}/data/00000.csv: file is empty"]),
    "header only": (lambda t: ([], csv_with(t, segment_lines()[:1])), 1, ["{tmp}/data/00000.csv: 0 data rows"]),
    "binary junk": (lambda t: ([], data_folder(t, b"\xff\xfe\x00junk\x81" * 50)), 1,
                    ["{tmp}/data/00000.csv: cannot read file (not UTF-8 text"]),
    "not a CSV": (lambda t: ([], data_folder(t, 'a,"b\n1,2\n')), 1, ["{tmp}/data/00000.csv: not a valid CSV"]),
    "folder named like a CSV": (lambda t: ([], (folder_at(t, "data"), folder_at(t / "data", "00000.csv"))[0]), 1,
                                ["{tmp}/data/00000.csv: cannot read file (a folder)"]),
    "broken link": (lambda t: ([], (folder_at(t, "data"), (t / "data" / "00000.csv").symlink_to(t / "gone"))[0]), 1,
                    ["{tmp}/data/00000.csv: cannot read file (a broken link)"]),
    # flags
    "--num-segs 0": (lambda t: (["--num-segs", "0"], None), 2, ["'--num-segs'", "0 is not in the range"]),
    "--workers 0": (lambda t: (["--workers", "0"], None), 2, ["'--workers'", "0 is not in the range"]),
    "--device tpu": (lambda t: (["--device", "tpu"], None), 2, ["'--device'", "'tpu' is not one of"]),
    "--seed abc": (lambda t: (["--seed", "abc"], None), 2, ["'--seed'", "'abc' is not a valid integer"]),
    "--gains 1,2": (lambda t: (["--gains", "1,2"], None), 2, ["--gains wants three numbers P,I,D, got '1,2'"]),
    "unknown controller": (lambda t: (["pidd"], None), 2, ["unknown controller 'pidd'"]),
    "controller file missing": (lambda t: ([str(t / "mine.py")], None), 1, ["controller file {tmp}/mine.py does not exist"]),
    "blended without gains": (lambda t: (["blended"], None), 2, ["blended needs --params FILE"]),
    "params not JSON": (lambda t: (["blended", "--params", file_at(t, "p.json", b"{")], None), 1,
                        ["params file {tmp}/p.json: not JSON"]),
    "--out wrong suffix": (lambda t: (["--out", t / "costs.txt"], None), 2, ["--out {tmp}/costs.txt: use a .json or .csv"]),
    # where results go
    "--out under a file": (lambda t: (["--out", file_at(t, "f", b"") / "costs.json"], None), 1,
                           ["--out: {tmp}/f is a file, not a folder"]),
}


def assert_clean_error(result, code: int, fragments: list[str]):
    assert isinstance(result.exception, SystemExit), f"uncaught {result.exception!r}\n{result.output}"
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error: ")]
    assert len(errors) == 1, result.output
    # Click's own usage errors add its two standard lines (Usage:, Try ...); ours are the error alone
    assert all(line.startswith(("Usage: ", "Try ")) for line in lines if line not in errors), result.output
    for fragment in fragments:
        assert fragment in errors[0], errors[0]


@pytest.mark.parametrize("row", list(ROWS))
def test_bad_input_gives_one_clear_line(row, tmp_path):
    build, code, fragments = ROWS[row]
    args, data = build(tmp_path)
    if data is None:
        (tmp_path / "good").mkdir()
        data = data_folder(tmp_path / "good")
    # a row's own --model-path comes after the good one and wins (Click keeps the last value)
    result = CliRunner().invoke(cli, ["eval", "-q", "-j", "1", "--model-path", str(MODEL_PATH), "--data-dir", str(data),
                                      *(str(a) for a in args)])
    assert_clean_error(result, code, [f.format(tmp=tmp_path) for f in fragments])


def test_unreadable_file(tmp_path):
    folder = data_folder(tmp_path)
    path = folder / "00000.csv"
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root: a mode-000 file is still readable (see 'folder named like a CSV')")
        result = CliRunner().invoke(cli, ["eval", "-q", "--model-path", str(MODEL_PATH), "--data-dir", str(folder)])
        assert_clean_error(result, 1, [f"{path}: cannot read file (Permission denied)"])
    finally:
        path.chmod(0o644)


def test_download_dest_under_a_file(tmp_path):
    (tmp_path / "f").write_text("")
    result = CliRunner().invoke(cli, ["download", "-q", "--from", str(DATA_DIR.parent), "--dest", str(tmp_path / "f" / "d")])
    assert_clean_error(result, 1, ["cannot write into", str(tmp_path / "f")])


def test_doctor_and_download_share_the_flag_checks(tmp_path):
    result = CliRunner().invoke(cli, ["doctor", "--workers", "0"])
    assert_clean_error(result, 2, ["'--workers'"])
    result = CliRunner().invoke(cli, ["download", "--from", str(tmp_path / "nowhere")])
    assert_clean_error(result, 2, ["--from", "no such file or folder"])


def json_file(tmp: Path, name: str, text: str) -> Path:
    return file_at(tmp, name, text.encode())


# results files and run folders given to the search commands (issue 3): checked before any work
SEARCH_ROWS = {
    "archive not JSON": (lambda t: ["tournament", "--seed-from-archive", json_file(t, "a.json", "{")], 2,
                         ["--seed-from-archive {tmp}/a.json: not JSON"]),
    "archive is a CSV": (lambda t: ["tournament", "--seed-from-archive", json_file(t, "a.csv", "a,b\n1,2\n")], 2,
                         ["--seed-from-archive {tmp}/a.csv: not JSON"]),
    "archive of another kind": (lambda t: ["tournament", "--seed-from-archive", json_file(t, "a.json", '{"kind": "x"}')], 2,
                                ["--seed-from-archive {tmp}/a.json: not a pidtune grid results file or tournament archive"]),
    "archive of another version": (lambda t: ["tournament", "--seed-from-archive", json_file(
        t, "a.json", '{"kind": "pidtune.grid-results", "version": 99}')], 2, ["--seed-from-archive {tmp}/a.json: format version 99"]),
    "archive with bad gains": (lambda t: ["tournament", "--seed-from-archive", json_file(
        t, "a.json", '{"kind": "pidtune.grid-results", "version": 1, "candidates": [{"low_gains": [1]}]}')], 2,
        ["--seed-from-archive {tmp}/a.json: candidates need low_gains and high_gains"]),
    "archive missing": (lambda t: ["tournament", "--seed-from-archive", t / "none.json"], 2,
                        ["'--seed-from-archive'", "does not exist"]),
    "resume folder without a run": (lambda t: ["grid", "--resume", folder_at(t, "run")], 2,
                                    ["--resume {tmp}/run: no config.json there"]),
    "resume run config not JSON": (lambda t: ["grid", "--resume", (folder_at(t, "run"), json_file(t / "run", "config.json", "{"))[0]], 2,
                                   ["--resume {tmp}/run: config.json is not JSON"]),
    "resume a file": (lambda t: ["grid", "--resume", json_file(t, "run.json", "{}")], 2, ["'--resume'", "is a file"]),
    "--output-dir under a file": (lambda t: ["grid", "--output-dir", file_at(t, "f") / "run"], 1, ["cannot write {tmp}/f/run"]),
}


@pytest.mark.parametrize("row", list(SEARCH_ROWS))
def test_bad_search_input_gives_one_clear_line(row, tmp_path):
    build, code, fragments = SEARCH_ROWS[row]
    args = [str(a) for a in build(tmp_path)]
    (tmp_path / "good").mkdir()
    data = data_folder(tmp_path / "good")
    result = CliRunner().invoke(cli, [args[0], "-q", "-j", "1", "--model-path", str(MODEL_PATH), "--data-dir", str(data),
                                      "--output-dir", str(tmp_path / "out"), *args[1:]])
    assert_clean_error(result, code, [f.format(tmp=tmp_path) for f in fragments])
