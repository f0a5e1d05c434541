"""Headless Chromium (Debian's ``chromium``) for the HTML report tests and benchmark.

No Playwright: chromium's own ``--dump-dom`` (the DOM after the page's
scripts ran at load) and ``--screenshot``, with console messages logged to
stderr (``--enable-logging=stderr``) so a script error is visible. Each run
gets a fresh ``--user-data-dir`` and no network features.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
]
_CONSOLE = re.compile(r":CONSOLE[(:]")


def chromium() -> str | None:
    for name in (os.environ.get("SYNDETECT_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser"):
        if name and (path := shutil.which(name)):
            return path
    return None


@dataclass(frozen=True)
class Page:
    dom: str
    console: list[str]  # console messages (errors and logs) the page produced
    seconds: float  # browser start to DOM dumped


def _run(args: list[str], timeout: float) -> tuple[subprocess.CompletedProcess, float]:
    exe = chromium()
    if exe is None:
        raise FileNotFoundError("chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="syndetect-chromium-") as profile:
        t = time.perf_counter()
        proc = subprocess.run(
            [exe, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args],
            capture_output=True, timeout=timeout,
        )
        return proc, time.perf_counter() - t


def dump_dom(html: Path, *, timeout: float = 60, budget_ms: int | None = None) -> Page:
    extra = [f"--virtual-time-budget={budget_ms}"] if budget_ms else []
    proc, seconds = _run([*extra, "--dump-dom", html.resolve().as_uri()], timeout)
    err = proc.stderr.decode("utf-8", "replace")
    return Page(proc.stdout.decode("utf-8", "replace"), [ln for ln in err.splitlines() if _CONSOLE.search(ln)], seconds)


def screenshot(html: Path | str, png: Path, *, width: int = 1400, height: int = 2000, timeout: float = 60) -> float:
    url = html if isinstance(html, str) else html.resolve().as_uri()
    png.parent.mkdir(parents=True, exist_ok=True)
    proc, seconds = _run([f"--screenshot={png.resolve()}", f"--window-size={width},{height}", url], timeout)
    if not png.exists():
        raise RuntimeError(f"chromium wrote no screenshot: {proc.stderr.decode('utf-8', 'replace')[-500:]}")
    return seconds
