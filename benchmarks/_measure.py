"""Measure wall time and peak memory of a child process (benchmark helper).

Peak RSS is measured in several ways and the largest value is reported:

* **psutil polling** of the whole process tree (the child and all its
  descendants, RSS summed) every 20 ms.  Sees multi-process peaks, but can miss
  a spike shorter than the polling interval; summed RSS counts shared pages
  once per process, so it can over-state a tree of forked workers.  On Linux
  each poll also reads every process's own high-water mark (``VmHWM`` in
  ``/proc/<pid>/status``), which catches a spike between two polls as long as
  the process is still alive at the next poll (``peak_rss_mb_hwm``, largest
  single process).
* **``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``**, read before and after
  the run, as a cross-check.  The kernel keeps the high-water mark of the
  largest single terminated-and-reaped descendant, so it never misses a short
  spike -- but it is a running *maximum* over every child this process has
  ever waited for, not a sum: if an earlier child peaked higher, the value does
  not move.  Worse, on Linux a child started with vfork/posix_spawn (what
  :mod:`subprocess` does) takes over, at ``exec``, the *parent's* RSS
  high-water mark as its own starting maxrss, so the reading is never below
  this process's own peak.  It is therefore only trusted when it rises above
  both its previous value and this process's peak (``RUSAGE_SELF``) at launch;
  otherwise ``peak_rss_mb_rusage`` is ``None``.  Keep the measuring process
  small (its peak is reported as ``parent_peak_rss_mb``).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

try:
    import psutil
except ImportError:  # pragma: no cover - psutil is a bench/test dependency
    psutil = None  # type: ignore[assignment]

POLL_INTERVAL_S = 0.020
_HAVE_PROC_STATUS = sys.platform.startswith("linux")
MB = 1024 * 1024


def _ru_maxrss_bytes(who: str = "children") -> int | None:
    if resource is None:
        return None
    value = resource.getrusage(resource.RUSAGE_CHILDREN if who == "children" else resource.RUSAGE_SELF).ru_maxrss
    # Linux/BSD report kilobytes, macOS reports bytes.
    return value if sys.platform == "darwin" else value * 1024


def _children_cpu_s() -> float | None:
    """User + system CPU seconds of all waited-for descendants (a busy machine stretches wall time, not this)."""
    if resource is None:
        return None
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _proc_kb(pid: int, name: str, field: bytes) -> int:
    """Linux only: a ``Field:  N kB`` line of ``/proc/<pid>/<name>``, in bytes; 0 if unknown."""
    try:
        with open(f"/proc/{pid}/{name}", "rb") as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _vm_hwm(pid: int) -> int:
    """Linux only: the process's own RSS high-water mark (VmHWM), 0 if unknown."""
    return _proc_kb(pid, "status", b"VmHWM:")


def _pss(pid: int) -> int:
    """Linux only: the process's proportional set size (shared pages split between sharers), 0 if unknown."""
    return _proc_kb(pid, "smaps_rollup", b"Pss:")


def _tree_pss(proc) -> int:
    """Sum of PSS over ``proc`` and its live descendants: the tree's memory, each page counted once."""
    try:
        members = [proc] + proc.children(recursive=True)
    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
        return 0
    return sum(_pss(p.pid) for p in members)


def _tree_rss(proc) -> tuple[int, int]:
    """(sum of RSS, largest single VmHWM) over ``proc`` and its live descendants."""
    total = 0
    hwm = 0
    try:
        members = [proc] + proc.children(recursive=True)
    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
        return 0, 0
    for p in members:
        try:
            total += p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
            continue
        if _HAVE_PROC_STATUS:
            hwm = max(hwm, _vm_hwm(p.pid))
    return total, hwm


class _TreePoller(threading.Thread):
    def __init__(self, pid: int, interval: float = POLL_INTERVAL_S):
        super().__init__(name=f"rss-poller-{pid}", daemon=True)
        self.interval = interval
        self.peak = 0
        self.hwm = 0
        self.samples = 0
        self.pss = 0
        self._stop_event = threading.Event()
        try:
            self._proc = psutil.Process(pid) if psutil is not None else None
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            self._proc = None

    def run(self) -> None:
        if self._proc is None:
            return
        while True:
            rss, hwm = _tree_rss(self._proc)
            self.samples += 1
            self.peak = max(self.peak, rss)
            self.hwm = max(self.hwm, hwm)
            if _HAVE_PROC_STATUS and self.samples % 25 == 1:  # smaps_rollup walks page tables: every 25th poll (0.5 s)
                self.pss = max(self.pss, _tree_pss(self._proc))
            if self._stop_event.wait(self.interval):
                return

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def run_measured(
    cmd: Sequence[str],
    *,
    cwd: str | os.PathLike | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    poll_interval: float = POLL_INTERVAL_S,
) -> dict:
    """Run ``cmd`` to completion, capturing its output; measure time and memory.

    Returns a dict with ``wall_s``, ``peak_rss_mb`` (max of all methods),
    ``returncode``, ``stdout``, ``stderr`` (text, undecodable bytes replaced)
    and the details ``peak_rss_mb_psutil``, ``peak_rss_mb_hwm``,
    ``peak_pss_mb`` (the process tree's summed proportional set size, Linux,
    sampled every 25th poll: each shared page counted once), ``cpu_s`` (user + system CPU seconds of the child and its waited-for descendants), ``peak_rss_mb_rusage`` (None when the rusage high-water mark is not
    attributable to this child, see the module docstring), ``rss_samples``,
    ``timed_out``, ``parent_peak_rss_mb`` and ``cmd``.  A command that cannot be started raises
    ``OSError``; on timeout the child is killed and ``returncode`` is the kill
    status.
    """
    cmd = [str(c) for c in cmd]
    cpu_before = _children_cpu_s()
    ru_before = _ru_maxrss_bytes()
    parent_peak = _ru_maxrss_bytes("self")
    t0 = time.perf_counter()
    proc = _Popen(
        cmd,
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    poller = _TreePoller(proc.pid, poll_interval)
    poller.start()
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_tree(proc)
        out, err = proc.communicate()
    except BaseException:
        _kill_tree(proc)
        proc.wait()
        poller.stop()
        raise
    wall = time.perf_counter() - t0
    poller.stop()
    cpu = _children_cpu_s() - cpu_before if cpu_before is not None else None
    ru_after = _ru_maxrss_bytes()

    rusage_peak = None
    if ru_after is not None and ru_before is not None and ru_after > max(ru_before, parent_peak or 0):
        rusage_peak = ru_after
    psutil_peak = poller.peak if psutil is not None else None
    hwm_peak = poller.hwm or None
    # the child's own high-water mark from wait4: a child too short-lived to be sampled still has one
    own_peak = proc.own_maxrss_kb * 1024 if proc.own_maxrss_kb else None
    candidates = [v for v in (psutil_peak, hwm_peak, rusage_peak, own_peak) if v]
    peak = max(candidates) if candidates else 0
    return {
        "cmd": cmd,
        "wall_s": round(wall, 4),
        "peak_rss_mb": round(peak / MB, 2),
        "peak_rss_mb_psutil": round(psutil_peak / MB, 2) if psutil_peak is not None else None,
        "peak_rss_mb_rusage": round(rusage_peak / MB, 2) if rusage_peak is not None else None,
        "peak_rss_mb_hwm": round(hwm_peak / MB, 2) if hwm_peak is not None else None,
        "peak_rss_mb_wait4": round(own_peak / MB, 2) if own_peak is not None else None,
        "cpu_s": round(cpu, 3) if cpu is not None else None,
        "peak_pss_mb": round(poller.pss / MB, 2) if poller.pss else None,
        "rss_samples": poller.samples,
        "parent_peak_rss_mb": round(parent_peak / MB, 2) if parent_peak is not None else None,
        "returncode": proc.returncode,
        "timed_out": timed_out,
        "stdout": out.decode("utf-8", errors="replace"),
        "stderr": err.decode("utf-8", errors="replace"),
    }


class _Popen(subprocess.Popen):
    """A Popen that reaps its child with ``os.wait4``, keeping that child's own ``ru_maxrss``
    (KB on Linux; it covers the child and the descendants it waited for)."""

    own_maxrss_kb: int | None = None

    def _try_wait(self, wait_flags):  # the one place CPython's Popen (POSIX) reaps the child
        if not hasattr(os, "wait4"):
            return super()._try_wait(wait_flags)
        try:
            pid, sts, usage = os.wait4(self.pid, wait_flags)
        except ChildProcessError:
            return self.pid, 0
        if pid == self.pid:
            self.own_maxrss_kb = usage.ru_maxrss
        return pid, sts


def _kill_tree(proc: subprocess.Popen) -> None:
    """Kill the child we started and its descendants."""
    victims = []
    if psutil is not None:
        try:
            victims = psutil.Process(proc.pid).children(recursive=True)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            victims = []
    for p in victims:
        try:
            p.kill()
        except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
            pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    if sys.platform == "darwin":
        try:
            return subprocess.run(
                ["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True, text=True, timeout=5
            ).stdout.strip() or platform.processor()
        except (OSError, subprocess.SubprocessError):
            pass
    return platform.processor() or platform.machine() or "unknown"


def machine_info() -> dict:
    """Describe the machine a benchmark ran on."""
    info = {
        "cpu_model": _cpu_model(),
        "cpu_logical": os.cpu_count(),
        "cpu_physical": None,
        "cpu_available": None,
        "ram_gb": None,
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
    }
    if hasattr(os, "sched_getaffinity"):
        info["cpu_available"] = len(os.sched_getaffinity(0))
    if psutil is not None:
        info["cpu_physical"] = psutil.cpu_count(logical=False)
        info["ram_gb"] = round(psutil.virtual_memory().total / 1024**3, 1)
    return info


if __name__ == "__main__":  # python benchmarks/_measure.py CMD ARGS...
    import json

    if len(sys.argv) < 2:
        print(json.dumps(machine_info(), indent=2))
    else:
        r = run_measured(sys.argv[1:])
        sys.stdout.write(r.pop("stdout"))
        sys.stderr.write(r.pop("stderr"))
        print(json.dumps(r, indent=2), file=sys.stderr)
        sys.exit(r["returncode"])
