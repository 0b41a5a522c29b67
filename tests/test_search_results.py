"""Result files: ranking with pruned candidates, and rejecting files of the wrong format."""

import json

import numpy as np
import pytest

from pidtune.errors import PidtuneUsageError
from pidtune.evaluate.evaluator import CostTable
from pidtune.search.results import GRID_KIND, ranking, read_seed_candidates


def test_ranking_puts_complete_candidates_first_then_pruned_by_lower_bound():
    total = np.array([[3.0], [1.0], [np.nan], [2.0], [np.nan]])
    table = CostTable(total, total, total, np.array([False, False, True, False, True]), np.array([3, 1, 1.5, 2, 9.0]))
    assert ranking(table).tolist() == [1, 3, 0, 2, 4]


@pytest.mark.parametrize("content, message", [
    ("not json", "not JSON"),
    (json.dumps({"kind": "something else"}), "not a pidtune grid results file or tournament archive"),
    (json.dumps({"kind": GRID_KIND, "version": 99, "candidates": []}), "format version 99"),
    (json.dumps({"kind": GRID_KIND, "version": 1, "candidates": [{"low_gains": [1, 2]}]}), "need low_gains and high_gains"),
    (json.dumps({"kind": GRID_KIND, "version": 1, "candidates": []}), "no candidates"),
])
def test_wrong_archives_are_usage_errors_naming_the_flag(tmp_path, content, message):
    path = tmp_path / "archive.json"
    path.write_text(content)
    with pytest.raises(PidtuneUsageError, match=message) as info:
        read_seed_candidates(path)
    assert str(info.value).startswith(f"--seed-from-archive {path}")


def test_seed_candidates_keep_the_file_order(tmp_path):
    rows = [{"low_gains": [0.1, 0.2, 0.3], "high_gains": [0.4, 0.5, 0.6]},
            {"low_gains": [1, 2, 3], "high_gains": [4, 5, 6]}]
    path = tmp_path / "grid.json"
    path.write_text(json.dumps({"kind": GRID_KIND, "version": 1, "candidates": rows}))
    assert read_seed_candidates(path).tolist() == [[0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [1, 2, 3, 4, 5, 6]]
