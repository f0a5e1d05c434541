"""Progress on stderr: one line per stage (reading, each counted stage,
writing), with counts, elapsed time and an ETA. Only drawn on a terminal."""

from __future__ import annotations

import time
from typing import Iterable, Iterator

from rich.console import Console
from rich.progress import (
    BarColumn, Progress, ProgressColumn, SpinnerColumn, Task, TextColumn, TimeElapsedColumn, TimeRemainingColumn,
)
from rich.text import Text

__all__ = ["StageProgress", "STAGE_LABELS"]

# pipeline stage -> what its count counts
STAGE_LABELS = {
    "read": "documents read",
    "boilerplate": "documents checked for boilerplate",
    "signatures": "units signed",
    "verify": "pairs verified",
    "write": "writing",
}


class _Count(ProgressColumn):
    """``1,234/5,678`` (or ``1,234`` while the total is unknown)."""

    def render(self, task: Task) -> Text:
        done = f"{task.completed:,.0f}"
        return Text(done if task.total is None else f"{done}/{task.total:,.0f}", style="progress.download")


class StageProgress:
    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            SpinnerColumn(finished_text="[green]✓[/green]"), TextColumn("{task.description:<34}"),
            BarColumn(bar_width=24), _Count(), TextColumn("[dim]elapsed[/dim]"), TimeElapsedColumn(),
            TextColumn("[dim]eta[/dim]"), TimeRemainingColumn(),
            console=console, transient=False, refresh_per_second=8,
        )
        self._tasks: dict[str, int] = {}
        self._open: list[str] = []

    def start(self) -> None:
        self._progress.start()

    def stop(self) -> None:
        self._finish_open()
        self._progress.stop()

    def _finish_open(self) -> None:
        for stage in self._open:
            tid = self._tasks[stage]
            task = self._progress.tasks[tid]
            self._progress.update(tid, total=task.completed if task.total is None else task.total,
                                  completed=task.completed if task.total is None else task.total)
            self._progress.stop_task(tid)
        self._open.clear()

    def _task(self, stage: str, description: str | None = None, total: float | None = None) -> int:
        if stage not in self._tasks:
            self._finish_open()  # stages run one after another: a new one ends the last
            self._tasks[stage] = self._progress.add_task(description or STAGE_LABELS.get(stage, stage), total=total)
            self._open.append(stage)
        return self._tasks[stage]

    def update(self, stage: str, done: int, total: int | None) -> None:
        """The scan's ``progress(stage, done, total)`` callback (total 0/None: unknown)."""
        tid = self._task(stage, total=total or None)
        self._progress.update(tid, completed=done, total=total or None)

    def begin(self, stage: str, description: str) -> None:
        self._task(stage, description)

    def counted(self, items: Iterable, stage: str) -> Iterator:
        """Pass ``items`` through, counting them on the ``stage`` line."""
        n = 0
        last = 0.0
        for item in items:
            n += 1
            now = time.monotonic()
            if now - last > 0.1:
                self.update(stage, n, None)
                last = now
            yield item
        self.update(stage, n, n)
