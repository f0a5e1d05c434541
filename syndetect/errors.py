"""One error hierarchy, mapped to exit codes in one place (:func:`exit_code_for`).

Exit codes (documented in the README):

* ``0`` — done; for ``check``: no document reuses indexed text.
* ``1`` — ``check`` found reuse beyond the thresholds.
* ``2`` — usage or input error (``scan --strict`` with skipped inputs, a
  malformed check input), or a missing, corrupt or incompatible index.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    REUSE_FOUND = 1
    ERROR = 2


class SyndetectError(Exception):
    """Base class of every error syndetect raises on purpose."""

    exit_code: ExitCode = ExitCode.ERROR


class ParameterError(SyndetectError, ValueError):
    """A parameter is out of range or inconsistent."""


class InputError(SyndetectError):
    """An input file or line cannot be read; names the file and line."""

    def __init__(self, source: str, reason: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.reason = reason
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {reason}")


class OutputError(SyndetectError):
    """The report cannot be written."""


class IndexStoreError(SyndetectError):
    """The index is missing, corrupt, locked, or built with other parameters."""


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit code for an error (the only place that decides it)."""
    if isinstance(error, SyndetectError):
        return error.exit_code
    return ExitCode.ERROR
