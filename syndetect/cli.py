"""The ``syndetect`` command: a thin typer layer over the library.

Exit codes are decided in one place, :func:`_exit_on_error` (with
:func:`syndetect.errors.exit_code_for`): 0 done / clean, 1 reuse found
(``check``), 2 usage, input or index error.
"""

from __future__ import annotations

import functools
import sys
from enum import Enum
from pathlib import Path
from typing import Callable, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from . import __version__
from .config import Params
from .errors import ExitCode, InputError, SyndetectError, exit_code_for
from .inputs import read_inputs

app = typer.Typer(
    name="syndetect",
    help="Find syndicated and reused text across news outlets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
index_app = typer.Typer(help="Manage a persistent index (SQLite directory or redis://host:port/db).", no_args_is_help=True)
app.add_typer(index_app, name="index")

_err = Console(stderr=True, highlight=False)


class Format(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def _exit_on_error(fn: Callable) -> Callable:
    """Map syndetect errors to a message on stderr and the documented exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            code = fn(*args, **kwargs)
        except SyndetectError as exc:
            _err.print(f"[bold red]syndetect: error:[/bold red] {exc}")
            raise typer.Exit(int(exit_code_for(exc)))
        raise typer.Exit(int(code or ExitCode.OK))

    return wrapper


def _version(value: bool) -> None:
    if value:
        typer.echo(f"syndetect {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Find syndicated and reused text across news outlets."""


# --- shared options --------------------------------------------------------
def _params(
    shingle_size: int, num_perm: int, seed: int, threshold: float, bands: Optional[int], rows: Optional[int],
    min_span_words: int, min_overlap: float, max_gap_words: int,
) -> Params:
    return Params(
        shingle_size=shingle_size, num_perm=num_perm, seed=seed, threshold=threshold, bands=bands, rows=rows,
        min_span_words=min_span_words, min_overlap=min_overlap, max_gap_words=max_gap_words,
    )


_D = Params()
ShingleOpt = typer.Option(_D.shingle_size, "--shingle-size", help="Words per shingle.")
NumPermOpt = typer.Option(_D.num_perm, "--num-perm", help="MinHash permutations.")
SeedOpt = typer.Option(_D.seed, "--seed", help="MinHash seed.")
ThresholdOpt = typer.Option(_D.threshold, "--threshold", help="LSH Jaccard threshold (sets bands x rows).")
BandsOpt = typer.Option(None, "--bands", help="LSH bands (with --rows; overrides --threshold).")
RowsOpt = typer.Option(None, "--rows", help="LSH rows per band (with --bands).")
MinSpanOpt = typer.Option(_D.min_span_words, "--min-span-words", help="Fewest matching words in a reused span.")
MinOverlapOpt = typer.Option(_D.min_overlap, "--min-overlap", help="Least share of a span's words that must match.")
MaxGapOpt = typer.Option(_D.max_gap_words, "--max-gap-words", help="Most differing words bridged inside one span.")


def _progress_callback(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None, None
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
        console=_err, transient=True,
    )
    tasks: dict[str, int] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=total)
        progress.update(tasks[stage], completed=done, total=total)

    return progress, update


def _write(text: str, output: Optional[Path]) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(output)


def _format_for(fmt: Optional[Format], output: Optional[Path]) -> Format:
    if fmt is not None:
        return fmt
    if output is not None:
        return {".json": Format.json, ".md": Format.markdown}.get(output.suffix.lower(), Format.text)
    return Format.text if sys.stdout.isatty() else Format.json


@app.command()
@_exit_on_error
def scan(
    paths: list[str] = typer.Argument(..., help="Files, directories (recursive) or - for JSONL on stdin."),
    fmt: Optional[Format] = typer.Option(
        None, "--format", "-f", help="text (default on a terminal), json (default otherwise), markdown."
    ),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to FILE."),
    strict: bool = typer.Option(False, "--strict", help="Exit 2 if any input was skipped."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or notes on stderr."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Processes for the heavy stages (default: all cores)."),
    lexicon: list[Path] = typer.Option([], "--lexicon", help="Extra boilerplate rules (TOML, see README)."),
    timings: bool = typer.Option(False, "--timings", help="Add stage timings to the JSON report."),
    shingle_size: int = ShingleOpt, num_perm: int = NumPermOpt, seed: int = SeedOpt,
    threshold: float = ThresholdOpt, bands: Optional[int] = BandsOpt, rows: Optional[int] = RowsOpt,
    min_span_words: int = MinSpanOpt, min_overlap: float = MinOverlapOpt, max_gap_words: int = MaxGapOpt,
) -> int:
    """Scan a corpus: reused passages, boilerplate and provenance."""
    from .pipeline import scan as run_scan
    from .render import render_json, render_markdown, render_text

    params = _params(shingle_size, num_perm, seed, threshold, bands, rows, min_span_words, min_overlap, max_gap_words)
    progress, update = _progress_callback(quiet)
    if progress is not None:
        progress.start()
    try:
        report = run_scan(read_inputs(paths), params, workers=workers, progress=update, lexicon_paths=[str(p) for p in lexicon])
    finally:
        if progress is not None:
            progress.stop()
    if not quiet:
        for s in report.skipped:
            _err.print(f"[yellow]skipped[/yellow] {s}")
    chosen = _format_for(fmt, output)
    if chosen is Format.json:
        _write(render_json(report, timings=timings), output)
    elif chosen is Format.markdown:
        _write(render_markdown(report), output)
    elif output is None:
        render_text(report, Console(highlight=False))
    else:
        console = Console(record=True, width=120, file=open("/dev/null", "w"), highlight=False)
        render_text(report, console)
        _write(console.export_text(), output)
    if strict and report.skipped:
        first = report.skipped[0]
        raise InputError(first.source, f"{first.reason} ({len(report.skipped)} input(s) skipped; --strict)", first.line)
    return ExitCode.OK


def main() -> None:
    """Console-script entry point."""
    app(prog_name="syndetect")
