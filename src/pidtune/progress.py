"""Rich progress bars on stderr (stdout stays clean for --json), silent when quiet."""

from __future__ import annotations

from contextlib import contextmanager

from rich.console import Console
from rich.progress import (BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn, TransferSpeedColumn)

stderr_console = Console(stderr=True)


@contextmanager
def progress_bar(total: int, description: str, enabled: bool = True):
    """Yield ``advance(n)``; shows rollouts done, elapsed time and ETA."""
    if not enabled:
        yield lambda n=1: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("rollouts"),
               TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
    with Progress(*columns, console=stderr_console, transient=False) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n=1: progress.advance(task, n)


@contextmanager
def bytes_bar(description: str, enabled: bool = True):
    """Yield ``update(done, total)`` for a transfer: bytes, speed and ETA (total None when unknown)."""
    if not enabled:
        yield lambda done, total=None: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
               TextColumn("ETA"), TimeRemainingColumn())
    with Progress(*columns, console=stderr_console, transient=False) as progress:
        task = progress.add_task(description, total=None)
        yield lambda done, total=None: progress.update(task, completed=done, total=total)
