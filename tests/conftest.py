"""Shared fixtures: a real Redis server for the Redis-backend tests, and test corpora.

``redis_server`` starts ``redis-server`` on a free loopback port (no
persistence) in a temporary directory for the whole session and stops it at
the end. Without ``redis-server`` the Redis tests are skipped, unless
``SYNDETECT_REQUIRE_REDIS=1`` (set by ``.ci/run``): then they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fixtures" / "seeds"
GROUND_TRUTH = ROOT / "fixtures" / "article-extraction-benchmark" / "ground-truth.json"


def _missing(reason: str) -> None:
    if os.environ.get("SYNDETECT_REQUIRE_REDIS") == "1":
        pytest.fail(f"{reason} (SYNDETECT_REQUIRE_REDIS=1)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """``redis://127.0.0.1:PORT/0`` of a private redis-server for this test session."""
    exe = shutil.which("redis-server")
    if exe is None:
        _missing("redis-server is not installed")
    try:
        import redis
    except ImportError:
        _missing("the redis Python package is not installed")
    workdir = tmp_path_factory.mktemp("redis")
    for _attempt in range(5):
        port = _free_port()
        log = open(workdir / f"redis-{port}.log", "wb")
        proc = subprocess.Popen(
            [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(workdir), "--daemonize", "no"],
            stdout=log, stderr=subprocess.STDOUT,
        )
        client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        up = False
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                up = client.ping()
                break
            except redis.RedisError:
                time.sleep(0.05)
        client.close()
        if up:
            break
        proc.kill()
        proc.wait()
        log.close()
    else:
        pytest.fail(f"could not start redis-server (see {workdir})")
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture
def redis_url(redis_server) -> str:
    """A fresh, empty Redis index location (its own key prefix)."""
    return f"{redis_server}?prefix=t{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def ground_truth_bodies() -> list[tuple[str, str]]:
    """``(key, article body)`` of the article-extraction-benchmark, sorted by key."""
    data = json.loads(GROUND_TRUTH.read_text("utf-8"))
    return sorted((k, v["articleBody"]) for k, v in data.items() if v.get("articleBody", "").strip())


@pytest.fixture(scope="session")
def seed_paths() -> dict[str, Path]:
    """The seed articles by their three-digit prefix ("000" ... "004")."""
    return {p.name[:3]: p for p in sorted(SEEDS.glob("*.txt"))}
