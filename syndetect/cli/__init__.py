"""The command line: a thin typer layer over the library."""

from syndetect.cli.app import app, main  # noqa: F401

__all__ = ["app", "main"]
