"""The executor changes nothing: serial, forked and spawned scans give the same report."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from syndetect import Document, Params, scan
from syndetect.pipeline.executors import ProcessExecutor, SerialExecutor, chunk_size, make_executor
from syndetect.render.report import report_to_dict

ROOT = Path(__file__).resolve().parent.parent
BODIES = ROOT / "fixtures" / "article-extraction-benchmark" / "ground-truth.json"


@pytest.fixture(scope="module")
def docs():
    data = json.loads(BODIES.read_text(encoding="utf-8"))
    assert sum(v["articleBody"].count("\n") + 1 for v in data.values()) > 2000  # big enough for the pool
    return [Document(id=k[:16], text=v["articleBody"], url=v.get("url")) for k, v in sorted(data.items())]


@pytest.fixture(scope="module")
def serial(docs):
    report = report_to_dict(scan(docs, Params(), workers=1))
    assert report["clusters"] and report["boilerplate"]  # the comparisons cover real findings
    return report


def test_parallel_scan_equals_serial_scan(docs, serial):
    assert report_to_dict(scan(docs, Params(), workers=2)) == serial


def test_spawn_scan_equals_fork_and_serial_scan(docs, serial):
    """Nothing reaches the workers through memory inherited by fork."""
    before = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method("spawn", force=True)
    try:
        spawned = report_to_dict(scan(docs, Params(), workers=2))
    finally:
        multiprocessing.set_start_method(before, force=True)
    forked = report_to_dict(scan(docs, Params(), executor=ProcessExecutor(2, start_method="fork")))
    assert spawned == serial
    assert forked == serial


def _square_plus(context: int, task: int) -> int:
    return task * task + context


@pytest.mark.parametrize("executor", [SerialExecutor(), ProcessExecutor(2, start_method="spawn", prefetch=3)])
def test_executors_map_in_task_order(executor):
    with executor:
        assert list(executor.map(_square_plus, 7, iter(range(50)))) == [i * i + 7 for i in range(50)]
        assert list(executor.map(_square_plus, 1, [])) == []


def test_chunking_rule():
    assert chunk_size(0, 2, 64, 0) == 64
    assert chunk_size(100_000, 2, 256, 20_000) == 12_501  # about four tasks a worker
    assert chunk_size(10_000_000, 2, 256, 20_000) == 20_000
    assert chunk_size(100, 2, 256, 20_000) == 256
    assert isinstance(make_executor(1), SerialExecutor) and make_executor(3).workers == 3


_ORPHAN = """
import os, sys, time
from syndetect.pipeline.executors import ProcessExecutor

def slow(context, task):
    time.sleep(60)

with ProcessExecutor(2, start_method=sys.argv[1]) as ex:
    it = ex.map(slow, None, range(4))
    time.sleep(0.1)
    print("started", flush=True)
    next(it)
"""


def _pool_workers(parent, psutil):
    """The parent's descendants that are pool workers (not the resource tracker; gone processes skipped)."""
    out = []
    for child in parent.children(recursive=True):
        try:
            if "resource_tracker" not in " ".join(child.cmdline()):
                out.append(child)
        except psutil.Error:  # exited between the listing and the look
            pass
    return out


@pytest.mark.slow
@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_workers_die_with_their_parent(method):
    psutil = pytest.importorskip("psutil")
    proc = subprocess.Popen([sys.executable, "-c", _ORPHAN, method], cwd=ROOT, stdout=subprocess.PIPE)
    try:
        assert proc.stdout.readline().strip() == b"started"
        parent = psutil.Process(proc.pid)
        deadline = time.monotonic() + 30
        workers = _pool_workers(parent, psutil)
        # Under spawn the resource tracker is a child too, and may start first: wait for the workers themselves.
        while len(workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
            workers = _pool_workers(parent, psutil)
        assert len(workers) >= 2
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, f"workers outlived their parent: {[p.pid for p in alive]}"
