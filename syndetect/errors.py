"""One error hierarchy, mapped to exit codes in one place (:func:`exit_code_for`).

Exit codes (documented in the README):

* ``0`` — done; for ``check``: no document reuses indexed text.
* ``1`` — ``check`` found reuse beyond the thresholds.
* ``2`` — usage or input error (``scan --strict`` with skipped inputs, a
  malformed check input, ``check`` against an index with no documents), or a
  missing, corrupt or incompatible index.
* ``3`` — internal error: a bug in syndetect (any exception that is not a
  :class:`SyndetectError`). Never ``1``, so a crashing gate cannot look like
  a copy.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    REUSE_FOUND = 1
    ERROR = 2
    INTERNAL = 3
    # stdout was closed by its reader (`| head`): the answer was not delivered,
    # so neither "clean" (0) nor "reuse found" (1); 128 + SIGPIPE, as a shell
    # reports a command that a closed pipe ended
    OUTPUT_CLOSED = 141


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
    """The exit code for an error (the only place that decides it).

    A :class:`SyndetectError` carries its own code; anything else is a bug in
    syndetect: :attr:`ExitCode.INTERNAL`.
    """
    if isinstance(error, SyndetectError):
        return error.exit_code
    return ExitCode.INTERNAL
