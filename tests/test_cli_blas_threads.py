"""The command line sets numpy's BLAS to one thread unless the user chose (syndetect/cli/__init__.py)."""

from __future__ import annotations

import os
import subprocess
import sys

_PROBE = ("import syndetect.cli, numpy, os; "
          "print(os.environ.get('OPENBLAS_NUM_THREADS'), os.environ.get('MKL_NUM_THREADS'))")


def _probe(**env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", _PROBE], env={**base, **env}, capture_output=True, text=True,
                         check=True)
    return out.stdout.strip()


def test_one_blas_thread_by_default():
    assert _probe() == "1 1"


def test_the_users_setting_wins():
    assert _probe(OPENBLAS_NUM_THREADS="4") == "4 1"


def test_the_library_alone_leaves_the_environment_alone():
    base = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", "import syndetect, syndetect.pipeline.scan, os; "
                          "print(os.environ.get('OPENBLAS_NUM_THREADS'))"], env=base, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "None"
