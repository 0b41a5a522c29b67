"""SQLite cache of rollout costs, so nothing is simulated twice.

A key names everything a rollout's costs depend on: the controller family and its
exact gains, the segment's content and seed key, and the model file's sha256.
Costs are stored as 8-byte floats, so cached numbers are the simulated numbers.
Each chunk's costs are committed as it completes: an interrupted run keeps them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from pidtune.errors import PidtuneError

SCHEMA = "CREATE TABLE IF NOT EXISTS costs (key TEXT PRIMARY KEY, lataccel REAL, jerk REAL, total REAL)"


def rollout_key(family: str, params: np.ndarray, segment_digest: str, model_sha: str) -> str:
    gains = ",".join(float(x).hex() for x in params)
    return f"{family}|{gains}|{segment_digest}|{model_sha}"


class CostCache:
    def __init__(self, path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path)
            self.db.execute(SCHEMA)
            self.db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise PidtuneError(f"cost cache {self.path}: cannot open ({exc})") from None

    def get_many(self, keys: list[str]) -> dict[str, tuple[float, float, float]]:
        found = {}
        for start in range(0, len(keys), 500):  # SQLite limits the number of bound variables
            batch = keys[start : start + 500]
            marks = ",".join("?" * len(batch))
            query = f"SELECT key, lataccel, jerk, total FROM costs WHERE key IN ({marks})"
            for key, lat, jerk, total in self.db.execute(query, batch):
                found[key] = (lat, jerk, total)
        return found

    def put_many(self, rows: list[tuple[str, float, float, float]]) -> None:
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO costs VALUES (?, ?, ?, ?)", rows)

    def __len__(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM costs").fetchone()[0]

    def close(self) -> None:
        self.db.close()
