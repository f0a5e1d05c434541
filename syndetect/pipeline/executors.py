"""Executors: who runs a stage over its tasks.

A stage is a pure, module-level function ``fn(context, task) -> result``
(see :mod:`syndetect.pipeline.stages`). An :class:`Executor` applies it to
every task and yields the results in task order. The ``context`` (parameters,
the boilerplate detector) is handed to the executor with the call, never left
in a module global for forked workers to find, so every executor — serial,
a local process pool under any start method, or a cluster engine that
broadcasts the context — runs the same stage code.

The scan and ``index add`` share this module's executors, its chunking rule
(:func:`chunk_size`) and its garbage-collector policy
(:func:`collector_paused`).
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

__all__ = [
    "Executor", "SerialExecutor", "ProcessExecutor", "make_executor", "default_workers", "chunk_size", "chunks",
    "collector_paused", "release_memory",
]

C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")


@runtime_checkable
class Executor(Protocol):
    """Runs ``fn(context, task)`` for each task; results come back in task order."""

    workers: int

    def map(self, fn: Callable[[Any, Any], Any], context: Any, tasks: Iterable[Any]) -> Iterator[Any]:
        """Apply ``fn(context, task)`` to every task (lazily consumed, results in order)."""
        ...

    def close(self) -> None:
        """Release the workers (an executor may be reused until it is closed)."""
        ...


class SerialExecutor:
    """Runs every task in this process, one after the other."""

    workers = 1

    def map(self, fn: Callable[[C, T], R], context: C, tasks: Iterable[T]) -> Iterator[R]:
        for task in tasks:
            yield fn(context, task)

    def close(self) -> None:
        pass

    def __enter__(self) -> SerialExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ProcessExecutor:
    """A local pool of worker processes, safe under every start method.

    Tasks and their context are sent to the workers by pickling
    (``functools.partial(fn, context)``), so nothing depends on memory
    inherited through ``fork``: the pool works under ``spawn`` and
    ``forkserver`` too. ``start_method`` ``None`` uses
    :mod:`multiprocessing`'s current default. Workers run with the
    collector policy of :func:`collector_paused` and exit when the process
    that started them dies (even by SIGKILL). At most ``prefetch`` tasks are
    in flight, so a long stream of tasks is read as it is consumed.
    """

    def __init__(self, workers: int, *, start_method: str | None = None, prefetch: int | None = None) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers
        self.start_method = start_method
        self.prefetch = prefetch or 2 * workers + 2
        self._pool: ProcessPoolExecutor | None = None

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # imported here: multiprocessing is slow to import, and a `check` process never starts a pool
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context(self.start_method),
                initializer=_worker_start,
                initargs=(os.getpid(),),
            )
        return self._pool

    def start(self) -> None:
        """Start the worker processes now (not at the first task): they fork from this process as it is now."""
        self._ensure_pool().submit(os.getpid).result()

    def map(self, fn: Callable[[C, T], R], context: C, tasks: Iterable[T]) -> Iterator[R]:
        pool = self._ensure_pool()
        call = partial(fn, context)
        pending: deque[Future] = deque()
        try:
            for task in tasks:
                pending.append(pool.submit(call, task))
                if len(pending) >= self.prefetch:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for f in pending:
                f.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> ProcessExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def make_executor(workers: int | None = None, *, start_method: str | None = None) -> SerialExecutor | ProcessExecutor:
    """A serial executor for one worker, else a local process pool (``None``: every usable core)."""
    n = default_workers() if workers is None else max(1, workers)
    return SerialExecutor() if n == 1 else ProcessExecutor(n, start_method=start_method)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


# ---------------------------------------------------------------------------
# The chunking rule
# ---------------------------------------------------------------------------
def chunk_size(n: int, workers: int, minimum: int, maximum: int) -> int:
    """Items per task: about four tasks per worker, within ``[minimum, maximum]``.

    Four tasks a worker balance uneven tasks; the floor keeps the per-task
    overhead small, the ceiling bounds the memory one task holds.
    """
    return max(1, minimum, min(maximum, n // (max(1, workers) * 4) + 1))


def chunks(n: int, size: int) -> list[tuple[int, int]]:
    """``[lo, hi)`` ranges of ``size`` items covering ``range(n)``."""
    return [(i, min(i + size, n)) for i in range(0, n, size)]


# ---------------------------------------------------------------------------
# The garbage-collector policy
# ---------------------------------------------------------------------------
@contextmanager
def collector_paused(*, freeze: bool = False) -> Iterator[None]:
    """Hold Python's cyclic garbage collector for the duration of a job.

    The scan, ``index add`` and ``check`` build many acyclic objects that
    live until the job ends (or are freed by reference counting): the cyclic
    collector would traverse them again and again, with pauses and a cost
    that grows with the corpus. ``freeze``: on leaving, unfreeze what the
    job froze with :func:`gc.freeze` (the scan freezes its parsed corpus so
    forked workers do not copy pages to update collector bookkeeping).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def release_memory() -> None:
    """Hand memory freed by the job back to the system (glibc's ``malloc_trim``; elsewhere nothing).

    Freed blocks in the middle of the heap stay resident otherwise: after the
    scan drops the documents' texts the process would keep their pages.
    """
    global _TRIM
    if _TRIM is None:
        _TRIM = False
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                _TRIM = ctypes.CDLL("libc.so.6").malloc_trim
            except (OSError, AttributeError):  # pragma: no cover - not glibc
                pass
    if _TRIM:
        _TRIM(0)


_TRIM: Any = None


def _worker_start(parent_pid: int) -> None:
    """Worker initializer: the collector policy, and die with the parent."""
    gc.disable()  # the same policy as the parent's job: tasks build acyclic data, freed by refcount
    direct = os.getppid() == parent_pid  # not so under forkserver: the server is the parent
    if direct and sys.platform.startswith("linux"):
        try:  # the kernel sends SIGKILL when the parent dies
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no prctl
            pass
    if not _alive(parent_pid, direct):  # the parent died before this worker was set up
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid, direct), daemon=True, name="syndetect-watch").start()


def _alive(parent_pid: int, direct: bool) -> bool:
    if direct:
        return os.getppid() == parent_pid
    try:
        os.kill(parent_pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - a pid reused by another user's process
        return False
    return True


def _watch_parent(parent_pid: int, direct: bool) -> None:
    """Portable fallback of PR_SET_PDEATHSIG: exit once the parent is gone."""
    while _alive(parent_pid, direct):
        time.sleep(0.5)
    os._exit(1)
