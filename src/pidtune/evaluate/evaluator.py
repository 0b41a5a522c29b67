"""Evaluate many candidates on many segments: chunked, cached, parallel and pruned.

Determinism: rollouts are independent of how they are batched (ONNX Runtime's CPU
results do not depend on batch size, which the tests check), chunks hold whole
candidates, and the pruning threshold only changes between waves whose size does
not depend on the number of workers. So every number, pruned marks included, is the
same whatever ``workers`` is.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from typing import Callable

import numpy as np

from pidtune.controllers.base import ControllerFamily
from pidtune.evaluate.cache import CostCache, rollout_key
from pidtune.evaluate.engine import Chunk, Engine, ModelSpec, init_worker, run_in_worker
from pidtune.sim.model import file_sha256
from pidtune.sim.segments import Segments

# Rollouts per model call: ONNX Runtime's CPU throughput peaks at small batches
# (benchmarks/throughput.py), a GPU wants thousands.
BATCH_SIZE = {"cpu": 64, "cuda": 4096}
# Rollouts simulated between two updates of the pruning threshold.
WAVE_ROLLOUTS = {"cpu": 1024, "cuda": 16384}

Progress = Callable[[int], None]


@dataclass
class CostTable:
    """Costs of C candidates on S segments ([C, S], NaN where pruned).

    ``cost_sum[c]`` is the sum of candidate c's total costs over the segments, or for
    a pruned candidate the partial sum that proved it could not enter the top k.
    """

    lataccel: np.ndarray
    jerk: np.ndarray
    total: np.ndarray
    pruned: np.ndarray
    cost_sum: np.ndarray

    @property
    def mean_total(self) -> np.ndarray:
        """Mean total cost per candidate (a lower bound where pruned)."""
        return self.cost_sum / self.total.shape[1]


class Evaluator:
    """Holds the model (or a pool of worker processes) and the segments for many calls."""

    def __init__(self, model_spec: ModelSpec, segments: Segments, workers: int = 1, cache: CostCache | None = None,
                 batch_size: int | None = None):
        self.model_spec = model_spec
        self.segments = segments
        self.workers = max(1, int(workers))
        self.cache = cache
        self.batch_size = batch_size or BATCH_SIZE[model_spec.device]
        self.wave_rollouts = WAVE_ROLLOUTS[model_spec.device]
        self._engine: Engine | None = None
        self._pool = None
        self._model_sha: str | None = None
        self._digests: dict[int, str] = {}
        self.rollouts_simulated = 0

    # life cycle -------------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def _run_chunks(self, chunks: list[Chunk]):
        """Yield (chunk, (result, sums)) as chunks complete."""
        if self.workers == 1 or len(chunks) == 1:
            if self._engine is None:
                self._engine = Engine(self.model_spec.open(), self.segments)
            for chunk in chunks:
                yield chunk, self._engine.run(chunk)
            return
        if self._pool is None:
            # fork shares the loaded segments with workers without pickling them
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            self._pool = multiprocessing.get_context(method).Pool(
                self.workers, initializer=init_worker, initargs=(self.model_spec, self.segments)
            )
        for index, output in self._pool.imap_unordered(_indexed_run, list(enumerate(chunks))):
            yield chunks[index], output

    # evaluation ---------------------------------------------------------------
    def costs(self, family: ControllerFamily, params, seg_ids=None, *, top_k: int | None = None,
              progress: Progress | None = None) -> CostTable:
        """Costs of each row of ``params`` on each segment of ``seg_ids`` (default: all).

        With ``top_k``, candidates whose partial cost already exceeds the k-th best
        complete candidate's are stopped early and marked pruned; the k best are the same
        as without pruning. Candidates are simulated in the given order, so put the
        likely-good ones first.
        """
        params = np.asarray(params, dtype=np.float64).reshape(len(params), -1)
        seg_ids = np.arange(len(self.segments)) if seg_ids is None else np.asarray(seg_ids, dtype=np.int64)
        n_cand, n_seg = len(params), len(seg_ids)
        shape = (n_cand, n_seg)
        table = CostTable(np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan),
                          np.zeros(n_cand, dtype=bool), np.zeros(n_cand))
        keys = self._keys(family, params, seg_ids)
        if keys is not None:
            for (c, s), cost in self._cached(keys).items():
                table.lataccel[c, s], table.jerk[c, s], table.total[c, s] = cost
        missing = np.isnan(table.total)
        if progress:
            progress(int((~missing).sum()))

        todo = [c for c in range(n_cand) if missing[c].any()]
        done = [c for c in range(n_cand) if not missing[c].any()]
        threshold = np.inf
        for wave in self._waves(todo, n_seg, top_k):
            if top_k is not None:
                threshold = _kth_best(table.total[done].sum(axis=1), top_k)
            chunks = self._chunks(family, params, seg_ids, table, missing, wave, threshold)
            try:
                for chunk, (result, sums) in self._run_chunks(chunks):
                    self._store(chunk, result, sums, table, keys)
                    self.rollouts_simulated += len(chunk.seg_index)
                    if progress:
                        progress(len(chunk.seg_index))
            except BaseException:
                self.close()  # stop workers at once (Ctrl-C); cached chunks stay
                raise
            done.extend(c for c in wave if not table.pruned[c])
        finished = ~table.pruned
        table.cost_sum[finished] = table.total[finished].sum(axis=1)
        return table

    def _waves(self, todo: list[int], n_seg: int, top_k: int | None):
        if top_k is None:
            yield todo
            return
        first = todo[:top_k]  # enough complete candidates to set a threshold
        if first:
            yield first
        per_wave = max(1, self.wave_rollouts // n_seg)
        for start in range(len(first), len(todo), per_wave):
            yield todo[start : start + per_wave]

    def _chunks(self, family, params, seg_ids, table, missing, wave, threshold) -> list[Chunk]:
        # small enough that every worker gets a share of the wave (results do not depend on it)
        rows_in_wave = int(missing[wave].sum())
        chunk_rows = min(self.batch_size, -(-rows_in_wave // self.workers))
        chunks, current = [], []
        rows_in_current = 0
        for c in wave:
            current.append(c)
            rows_in_current += int(missing[c].sum())
            if rows_in_current >= chunk_rows:
                chunks.append(self._chunk(family, params, seg_ids, table, missing, current, threshold))
                current, rows_in_current = [], 0
        if current:
            chunks.append(self._chunk(family, params, seg_ids, table, missing, current, threshold))
        return chunks

    def _chunk(self, family, params, seg_ids, table, missing, candidates, threshold) -> Chunk:
        cand_rows, seg_cols = [], []
        for local, c in enumerate(candidates):
            cols = np.flatnonzero(missing[c])
            cand_rows.append(np.full(len(cols), local))
            seg_cols.append(cols)
        cand_local = np.concatenate(cand_rows)
        cols = np.concatenate(seg_cols)
        cand = np.asarray(candidates)
        return Chunk(
            family=family,
            params=params[cand[cand_local]],
            seg_index=seg_ids[cols],
            candidate=cand_local,
            base=np.nan_to_num(table.total[cand]).sum(axis=1),
            threshold=threshold,
            table_candidates=cand,
            table_cols=cols,
        )

    def _store(self, chunk, result, sums, table, keys) -> None:
        rows, cols = chunk.table_candidates[chunk.candidate], chunk.table_cols
        table.lataccel[rows, cols] = result.lataccel_cost
        table.jerk[rows, cols] = result.jerk_cost
        table.total[rows, cols] = result.total_cost
        pruned_local = np.unique(chunk.candidate[result.pruned])
        pruned = chunk.table_candidates[pruned_local]
        table.pruned[pruned] = True
        table.cost_sum[pruned] = sums[pruned_local]
        if keys is not None:
            ok = ~result.pruned
            self.cache.put_many([
                (keys[r][c], float(result.lataccel_cost[i]), float(result.jerk_cost[i]), float(result.total_cost[i]))
                for i, (r, c) in enumerate(zip(rows, cols)) if ok[i]
            ])

    # caching ------------------------------------------------------------------
    def _keys(self, family, params, seg_ids):
        if self.cache is None or not family.cacheable:
            return None
        if self._model_sha is None:
            self._model_sha = file_sha256(self.model_spec.path)
        digests = self.segments.digests
        return [[rollout_key(family.name, p, digests[s], self._model_sha) for s in seg_ids] for p in params]

    def _cached(self, keys) -> dict[tuple[int, int], tuple[float, float, float]]:
        flat = [k for row in keys for k in row]
        found = self.cache.get_many(flat)
        n_seg = len(keys[0]) if keys else 0
        return {divmod(i, n_seg): found[k] for i, k in enumerate(flat) if k in found}


def _indexed_run(item):
    index, chunk = item
    return index, run_in_worker(chunk)


def _kth_best(sums: np.ndarray, k: int) -> float:
    if len(sums) < k:
        return np.inf
    return float(np.partition(sums, k - 1)[k - 1])
