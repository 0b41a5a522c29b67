"""How search runs look in a terminal: progress bars, stage tables and the final comparison (Rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from pidtune.progress import progress_bar, stderr_console
from pidtune.search.context import Reporter
from pidtune.search.settings import SUMMARY_ROWS


def _gains(values) -> str:
    return ", ".join(f"{x:.4g}" for x in values)


def _cost(row: dict) -> str:
    if row.get("mean_cost") is not None:
        return f"{row['mean_cost']:.3f}"
    return f">{row['cost_lower_bound']:.3f} (pruned)"


class RichReporter(Reporter):
    """Tables go to stdout, or to stderr when stdout carries --json; nothing at all when quiet."""

    def __init__(self, verbosity: int, as_json: bool):
        self.verbosity = verbosity
        self.console = stderr_console if as_json else Console()

    def progress(self, description, total):
        return progress_bar(total, description, enabled=self.verbosity > 0)

    def stage_done(self, stage, rows):
        if self.verbosity == 0:
            return
        if rows and "history" in rows[0]:  # a tournament: only its last round's costs compare
            last = rows[0]["last_round"]
            rows = [row for row in rows if row["last_round"] == last]
            stage = f"{stage} round {last}"
        table = Table(title=f"{stage}: top {min(SUMMARY_ROWS, len(rows))} of {len(rows)} candidates")
        for column in ("rank", "low P, I, D", "high P, I, D", "mean total cost", "files"):
            table.add_column(column, justify="right" if column in ("rank", "files") else "left")
        for rank, row in enumerate(rows[:SUMMARY_ROWS], 1):
            files = row.get("files_tested") or row["history"][-1]["files_tested"]
            cost = row if "mean_cost" in row else row["history"][-1]
            table.add_row(str(rank), _gains(row["low_gains"]), _gains(row["high_gains"]), _cost(cost), str(files))
        self.console.print(table)

    def round_done(self, stage, round_index, rounds, best):
        if self.verbosity > 1:
            self.console.print(f"{stage} round {round_index}/{rounds}: best #{best['id']} {_cost(best)}")

    def final(self, result: dict) -> None:
        if self.verbosity == 0:
            return
        table = Table(title=f"Tuned blended 2-PID vs the official PID ({result['stage']})")
        for column in ("files", "count", "tuned", "official pid", "change"):
            table.add_column(column, justify="left" if column == "files" else "right")
        sets = [("tuned on", len(result["files"]), result["cost"], result["official_pid_cost"])]
        if result["holdout"]:
            h = result["holdout"]
            sets.append(("held out", len(h["files"]), h["cost"], h["official_pid_cost"]))
        for name, count, tuned, official in sets:
            table.add_row(name, str(count), f"{tuned:.3f}", f"{official:.3f}", f"{100 * (tuned / official - 1):+.1f}%")
        self.console.print(table)
        self.console.print(f"low gains {_gains(result['low_gains'])}; high gains {_gains(result['high_gains'])}")
        self.console.print(f"results in {result['output_dir']}")
