"""Progress on stderr: one line per stage (reading, each counted stage,
writing), with counts, elapsed time and an ETA. Only drawn on a terminal."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, SpinnerColumn, Task, TaskID, TextColumn
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
# what runs, uncounted, after a counted stage ends, shown as a line of its own until the
# next stage starts (the short gaps after the other stages count towards the next one)
AFTER = {"verify": ("finish", "clusters and provenance")}


class _Count(ProgressColumn):
    """``1,234/5,678`` (or ``1,234`` while the total is unknown)."""

    def render(self, task: Task) -> Text:
        if not task.completed and not task.total:
            return Text("")
        done = f"{task.completed:,.0f}"
        return Text(done if task.total is None else f"{done}/{task.total:,.0f}", style="progress.download")


class _Times(ProgressColumn):
    """``12.3 s`` elapsed, and ``eta 45 s`` while a stage with a known total runs."""

    def render(self, task: Task) -> Text:
        t = Text(f"{task.elapsed or 0:6.1f} s", style="progress.elapsed")
        if not task.finished and task.total and task.time_remaining is not None:
            t.append(f"  eta {task.time_remaining:.0f} s", style="progress.remaining")
        return t


class StageProgress:
    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            SpinnerColumn(finished_text="[green]✓[/green]"), TextColumn("{task.description:<34}"),
            BarColumn(bar_width=24), _Count(), _Times(),
            console=console, transient=False, refresh_per_second=8,
        )
        self._tasks: dict[str, TaskID] = {}
        self._open: list[str] = []
        self._mark = self._progress.get_time()  # when the last stage ended: the next one started then

    def start(self) -> None:
        self._progress.start()

    def stop(self) -> None:
        self._finish_open()
        self._progress.stop()

    def _finish(self, stage: str) -> None:
        tid = self._tasks[stage]
        task = self._by_id(tid)
        final = task.completed if task.total is None else task.total
        self._progress.update(tid, total=final, completed=final)
        self._progress.stop_task(tid)
        self._open.remove(stage)
        self._mark = self._progress.get_time()

    def _finish_open(self) -> None:
        for stage in list(self._open):
            self._finish(stage)

    def _by_id(self, tid: TaskID) -> Task:
        return next(t for t in self._progress.tasks if t.id == tid)

    def _task(self, stage: str, description: str | None = None, total: float | None = None) -> TaskID:
        if stage not in self._tasks:
            self._finish_open()  # stages run one after another: a new one ends the last
            tid = self._progress.add_task(description or STAGE_LABELS.get(stage, stage), total=total)
            self._by_id(tid).start_time = self._mark  # it began when the last one ended
            self._tasks[stage] = tid
            self._open.append(stage)
        return self._tasks[stage]

    def update(self, stage: str, done: int, total: int | None) -> None:
        """The scan's ``progress(stage, done, total)`` callback (total 0/None: unknown)."""
        tid = self._task(stage, total=total or None)
        self._progress.update(tid, completed=done, total=total or None)
        if total and done >= total and stage in self._open:
            self._finish(stage)
            if stage in AFTER and AFTER[stage][0] not in self._tasks:
                self.begin(*AFTER[stage])

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
