"""Costs of many (candidate, segment) rollouts: chunking, worker processes, pruning, caching."""

from pidtune.evaluate.evaluator import CostTable, Evaluator

__all__ = ["CostTable", "Evaluator"]
