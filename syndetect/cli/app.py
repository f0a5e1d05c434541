"""The ``syndetect`` command: a thin typer layer over the library.

Exit codes are decided in one place, :func:`_exit_on_error` (with
:func:`syndetect.errors.exit_code_for`): 0 done / clean, 1 reuse found
(``check``), 2 usage, input or index error, 3 internal error (a bug: one line
on stderr, the traceback only with ``--debug``).

Everything from input that is printed for people goes through
:mod:`syndetect.safety` (no escape sequences, no rich markup, no emoji codes);
stderr lines are never wrapped, so ``file:line: reason`` stays one line.
"""

from __future__ import annotations

import functools
import itertools
import os
import sys
import traceback
from collections.abc import Callable, Iterable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from syndetect import __version__, safety
from syndetect.cli import coerce
from syndetect.config import Params
from syndetect.errors import ExitCode, InputError, OutputError, ParameterError, SyndetectError, exit_code_for
from syndetect.readers.base import ReaderOptions
from syndetect.readers.inputs import read_inputs

if TYPE_CHECKING:  # rich is imported on first use: a check that prints no rich text never loads it (~15 ms)
    from rich.console import Console

# --- help: clean metavars and examples --------------------------------------
_TYPE_METAVARS = {"int": "N", "float": "X", "str": "TEXT", "Path": "PATH"}


def _metavar_of(p) -> str:
    desc = getattr(p, "type_descriptor", None)
    if desc is not None and desc.is_choice and desc.choices:
        return "|".join(str(getattr(c, "value", c)) for c in desc.choices)
    if desc is not None and desc.is_path:
        return "PATH"
    bare = p.bare_type() if hasattr(p, "bare_type") else getattr(getattr(p, "type", None), "name", "")
    bare = bare.removeprefix("list[").removesuffix("]")
    return _TYPE_METAVARS.get(bare, "VALUE")


def _clean_metavars(params) -> None:
    """Help shows ``--workers N`` and ``PATH...``, not ``<int>``/``<bool>``/``<list[str]>``."""
    for p in params:
        if isinstance(p, TyperOption) and p.metavar is None:
            p.metavar = "" if p.is_flag else _metavar_of(p)
        elif isinstance(p, TyperArgument):
            if p.metavar is None:
                p.metavar = p.name.upper().removesuffix("S")
            p.display_type_rich = lambda ctx: None  # type: ignore[method-assign]  # the name says it all


class _CleanHelp:
    """Mixin for typer's command classes: clean metavars, ``--help`` without a type,
    plain values coerced without pydantic (:mod:`syndetect.cli.coerce`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _clean_metavars(self.params)
        coerce.install(self.params)

    def get_help_option(self, ctx):
        opt = super().get_help_option(ctx)
        if opt is not None:
            opt.metavar = ""
            coerce.install([opt])
        return opt


class _Command(_CleanHelp, TyperCommand):
    def collect_usage_pieces(self, ctx):
        pieces = [self.options_metavar] if self.options_metavar else []
        for p in self.params:
            if isinstance(p, TyperArgument):
                name = p.metavar + ("..." if p.nargs != 1 else "")
                pieces.append(name if p.required else f"[{name}]")
        return pieces


class _Group(_CleanHelp, TyperGroup):
    pass


def escape(text: str) -> str:
    """rich markup escaped (rich's own ``escape``, imported only for text it would change)."""
    if "[" not in text and not text.endswith("\\"):
        return text
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def _examples(*rows: tuple[str, str]) -> str:
    """An epilog of examples: one command per paragraph, with what it does."""
    return "[bold]Examples[/bold]\n\n" + "\n\n".join(
        f"  [cyan]{escape(cmd)}[/cyan]" + (f"  [dim]# {escape(what)}[/dim]" if what else "") for cmd, what in rows
    )


_SCAN_EXAMPLES = (
    ("syndetect scan corpus/", "summary and the top 10 of each list on the terminal"),
    ("syndetect scan corpus/ -o report.html", "one self-contained HTML report to open in a browser"),
    ("syndetect scan corpus/ -f csv -o tables/", "documents, clusters, pairs, outlets ... as CSV for pandas or R"),
    ("syndetect scan corpus/ -f text --all | less -R", "the whole report, paged, in colour"),
    ("syndetect scan feed.jsonl --strict -o report.json", "JSON; exit 2 if any input line is unreadable"),
)
_CHECK_EXAMPLES = (
    ("syndetect check new-story.md --index .syndetect/index", "exit 1 if it reuses indexed text, 0 if clean"),
    ("syndetect check incoming/ -i redis://index:6379/0 --add", "check, then index them if all are clean"),
    ("syndetect check new.md -i idx --allow-outlet Reuters -f json", "licensed outlet allowed; JSON verdicts"),
)
_INDEX_EXAMPLES = (
    ("syndetect index add archive/ --index .syndetect/index", "create or update an index"),
    ("syndetect index stats --index .syndetect/index", "documents, paragraphs, size, parameters"),
    ("syndetect index verify --index .syndetect/index", "integrity check (exit 2 on a problem)"),
    ("syndetect index migrate --index .syndetect/index", "convert an index of an older format in place"),
)

app = typer.Typer(
    name="syndetect",
    help="Find syndicated and reused text across news outlets: reused spans, clusters, provenance, boilerplate.",
    epilog=_examples(_SCAN_EXAMPLES[0], _SCAN_EXAMPLES[1], _SCAN_EXAMPLES[2], _INDEX_EXAMPLES[0], _CHECK_EXAMPLES[0]),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_Group,
    rich_markup_mode="rich",
)
index_app = typer.Typer(
    help="Manage a persistent index (SQLite directory or redis://host:port/db).",
    epilog=_examples(*_INDEX_EXAMPLES),
    no_args_is_help=True,
    cls=_Group,
    rich_markup_mode="rich",
)
app.add_typer(index_app, name="index")

@functools.cache
def _console_class() -> type[Console]:
    from rich.console import Console

    class _Console(Console):
        """A rich console whose broken pipe is an exception, not rich's own ``SystemExit(1)``
        (1 means "reuse found"): :func:`_exit_on_error` decides the code."""

        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

    return _Console


def _console(*, soft_wrap: bool = True, **kwargs) -> Console:
    """A rich console that interprets nothing from input: no emoji codes, no highlighting (no wrapping for notes)."""
    return _console_class()(highlight=False, emoji=False, soft_wrap=soft_wrap, **kwargs)


class _Stderr:
    """The console on stderr, made on first use."""

    def __getattr__(self, name: str):
        return getattr(self.console, name)

    @functools.cached_property
    def console(self) -> Console:
        return _console(stderr=True)


_err = _Stderr()
_debug = {"on": bool(os.environ.get("SYNDETECT_DEBUG"))}


def _note(label: str, style: str, message: object) -> None:
    """One line on stderr: a styled label, then ``message`` made terminal-safe (never markup)."""
    from rich.text import Text

    _err.print(Text.assemble((label, style), " ", safety.text(message)))


class Engine(str, Enum):
    local = "local"
    spark = "spark"


class Format(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"
    csv = "csv"


_UsageError = typer.BadParameter.__mro__[1]  # click's UsageError (typer vendors click)


def _exit_on_error(fn: Callable) -> Callable:
    """Map errors to one line on stderr and the documented exit code.

    A :class:`SyndetectError` is the user's problem (its own code, usually 2);
    any other exception is a bug: exit 3 (never 1, which ``check`` uses for
    "reuse found"), one line naming the exception, the traceback only with
    ``--debug`` (or ``SYNDETECT_DEBUG=1``).
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            code = fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, KeyboardInterrupt, _UsageError):
            raise  # typer's own: a usage error is exit 2 with its message
        except SyndetectError as exc:
            _note("syndetect: error:", "bold red", exc)
            raise typer.Exit(int(exit_code_for(exc))) from None
        except BrokenPipeError:
            # the reader of stdout went away (`| head`): the answer was not delivered, so
            # neither 0 ("clean") nor 1 ("reuse found"); no message (the reader is gone)
            _quiet_stdout()
            raise typer.Exit(int(ExitCode.OUTPUT_CLOSED)) from None
        except Exception as exc:  # noqa: BLE001 - the one place every other error becomes exit 3
            if _debug["on"]:
                _err.print(safety.text("".join(traceback.format_exception(exc)).rstrip(), one_line=False))
            hint = "" if _debug["on"] else " (run with --debug for the traceback)"
            _note("syndetect: internal error:", "bold red", f"{type(exc).__name__}: {_first_line(exc)}{hint}")
            raise typer.Exit(int(exit_code_for(exc))) from None
        raise typer.Exit(int(code or ExitCode.OK))

    return wrapper


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else ""
    return text if len(text) <= 300 else text[:299] + "…"


def _quiet_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the interpreter's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests), nothing to do
        pass


def _version(value: bool) -> None:
    if value:
        typer.echo(f"syndetect {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    debug: bool = typer.Option(False, "--debug", help="On an internal error (exit 3), print the traceback."),
) -> None:
    """Find syndicated and reused text across news outlets."""
    _debug["on"] = debug or bool(os.environ.get("SYNDETECT_DEBUG"))


# --- shared options --------------------------------------------------------
def _params(
    shingle_size: int, num_perm: int, seed: int, threshold: float, bands: int | None, rows: int | None,
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
# Reading inputs (README "Inputs"): JSONL/CSV field names, text encoding.
IdFieldOpt = typer.Option(None, "--id-field", help="JSONL/CSV field holding the document id (default: id, doc_id …).")
TextFieldOpt = typer.Option(None, "--text-field", help="JSONL/CSV field holding the text (default: text, body, content, article …).")
TitleFieldOpt = typer.Option(None, "--title-field", help="JSONL/CSV field holding the title (default: title, headline).")
DateFieldOpt = typer.Option(None, "--date-field", help="JSONL/CSV field holding the publication date (default: published, date, pubDate …).")
OutletFieldOpt = typer.Option(None, "--outlet-field", help="JSONL/CSV field holding the outlet (default: outlet, source, site, series …).")
UrlFieldOpt = typer.Option(None, "--url-field", help="JSONL/CSV field holding the URL (default: url, link).")
EncodingOpt = typer.Option(None, "--encoding", help="Text encoding of the inputs (default: BOM, UTF-8, declared, else guessed).")


def _reader_options(id_field, text_field, title_field, date_field, outlet_field, url_field, encoding, workers) -> ReaderOptions:
    from syndetect.readers.encoding import normalise_codec

    if encoding is not None and normalise_codec(encoding) is None:
        raise typer.BadParameter(f"unknown encoding {encoding!r}", param_hint="--encoding")
    return ReaderOptions(
        id_field=id_field, text_field=text_field, title_field=title_field, date_field=date_field,
        outlet_field=outlet_field, url_field=url_field, encoding=encoding, workers=workers,
    )


def _nothing_read(inputs, paths: list[str]) -> InputError:
    """Exit 2 when no document at all could be read, saying why."""
    return InputError(", ".join(paths), inputs.why_empty())


def _progress_callback(quiet: bool):
    """A progress display on stderr (a terminal only): one line per stage."""
    if quiet or not _err.is_terminal:
        return None, None
    from syndetect.cli.progress import StageProgress

    progress = StageProgress(_err.console)
    return progress, progress.update


def _utf8(piece: str) -> bytes:
    """``safety.escape_surrogates(piece).encode("utf-8", "replace")``: a piece without a lone surrogate
    (nearly all) encodes as it is, without the search for one."""
    try:
        return piece.encode("utf-8")
    except UnicodeEncodeError:
        return safety.escape_surrogates(piece).encode("utf-8", "replace")


def _write(data: str | bytes | Iterable[str], output: Path | None) -> None:
    """Write a finished report to stdout or, atomically, to ``output`` (no partial file is ever left).

    ``data`` may come in pieces (an iterable of ``str``), written as they come.
    Lone surrogates in text are escaped first (valid in JSON, visible in
    text), so the output is always valid UTF-8.
    """
    pieces: Iterable[str | bytes] = [data] if isinstance(data, str | bytes) else data
    if output is None:
        for piece in pieces:
            if isinstance(piece, bytes):
                sys.stdout.flush()
                sys.stdout.buffer.write(piece)
                sys.stdout.buffer.flush()
            else:
                sys.stdout.write(safety.escape_surrogates(piece))
        sys.stdout.flush()
        return
    tmp = output.with_name(output.name + ".tmp")
    try:
        with tmp.open("wb") as fh:
            for piece in pieces:
                fh.write(piece if isinstance(piece, bytes) else _utf8(piece))
        tmp.replace(output)
    except BaseException as exc:  # a failure while rendering the pieces leaves no partial file either
        try:
            tmp.unlink()
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"{output}: cannot write the report: {exc.strerror or exc}") from exc
        raise


_SUFFIX_FORMATS = {
    ".json": Format.json, ".md": Format.markdown, ".markdown": Format.markdown,
    ".html": Format.html, ".htm": Format.html, ".txt": Format.text, ".text": Format.text,
}


def _format_for(fmt: Format | None, output: Path | None, as_dir: bool = False) -> Format:
    """The format asked for, else the one ``-o``'s suffix names; never a guess.
    ``as_dir``: ``-o`` was written with a trailing slash."""
    if fmt is Format.csv:
        if output is None:
            raise OutputError("--format csv writes several files: give a directory with -o DIR")
        if output.exists() and not output.is_dir():
            raise OutputError(f"{output}: --format csv writes a directory of tables; this is a file")
        return fmt
    if fmt is not None:
        if output is not None and output.is_dir():
            raise OutputError(f"{output}: is a directory; give a file name for --format {fmt.value}")
        return fmt
    if output is None:
        return Format.text if sys.stdout.isatty() else Format.json
    if output.is_dir() or as_dir:
        return Format.csv
    suffix = output.suffix.lower()
    if suffix == ".csv":
        raise OutputError(
            f"{output}: CSV output is a directory of tables (documents.csv, clusters.csv, ...): "
            f"use -o {output.with_suffix('')}/ or --format csv -o DIR"
        )
    if suffix not in _SUFFIX_FORMATS:
        raise OutputError(
            f"{output}: cannot tell the format from the suffix {suffix or '(none)'!r}: "
            "use .json, .md, .html or .txt, a directory for CSV, or --format"
        )
    return _SUFFIX_FORMATS[suffix]


def _text_console(output: Path | None, fmt_given: bool, color: bool | None) -> Console:
    """The console for the text report: stdout (colour on a terminal, and for
    an explicit ``-f text`` into a pipe such as ``less -R``), or a recording
    console for ``-o FILE`` (plain text, 100 columns)."""
    import io

    if output is not None:
        return _console_class()(
            record=True, width=100, file=io.StringIO(), highlight=False, emoji=False, color_system=None
        )
    force = None
    if color is True or (color is None and fmt_given and not sys.stdout.isatty()):
        force = True
    return _console_class()(highlight=False, emoji=False, force_terminal=force, no_color=color is False or None)


@app.command(cls=_Command, epilog=_examples(*_SCAN_EXAMPLES))
@_exit_on_error
def scan(
    paths: list[str] = typer.Argument(..., help="Files, directories (recursive) or - for JSONL on stdin."),
    fmt: Format | None = typer.Option(
        None, "--format", "-f",
        help="text (default on a terminal), json (default otherwise), markdown, html (one file), csv (-o DIR).",
    ),
    output_arg: str | None = typer.Option(
        None, "--output", "-o", metavar="FILE|DIR",
        help="Write the report there; the format follows the suffix (.json .md .html .txt; a directory: csv).",
    ),
    top: int | None = typer.Option(
        None, "--top", min=1, help="Text and markdown: show the top N clusters, documents, outlets (text: 10)."
    ),
    show_all: bool = typer.Option(False, "--all", help="Text and markdown: show everything."),
    color: bool | None = typer.Option(
        None, "--color/--no-color", show_default=False,
        help="Colour in the text report (default: on a terminal, and with -f text into a pipe: less -R).",
    ),
    parquet: bool = typer.Option(False, "--parquet", help="With --format csv: Parquet files too (needs pyarrow)."),
    strict: bool = typer.Option(False, "--strict", help="Exit 2 if any input was skipped."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or notes on stderr."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Stage times and parameters on stderr."),
    workers: int | None = typer.Option(
        None, "--workers", help="Processes for the heavy stages (default: all cores)."
    ),
    lexicon: list[Path] = typer.Option([], "--lexicon", metavar="FILE", help="Extra boilerplate rules (TOML, see README)."),
    timings: bool = typer.Option(False, "--timings", help="Add stage timings to the JSON report."),
    all_pairs: bool = typer.Option(
        False, "--all-pairs", help="List every document pair, also those that share only a popular passage."
    ),
    engine: Engine = typer.Option(Engine.local, "--engine", help="local (this machine) or spark (Apache Spark)."),
    spark_master: str | None = typer.Option(
        None, "--spark-master", help="--engine spark: master URL (default: spark-submit's, else local[*])."
    ),
    partitions: int | None = typer.Option(None, "--partitions", help="--engine spark: partitions per shuffle."),
    spark_tables: str | None = typer.Option(
        None, "--spark-tables", metavar="DIR",
        help="--engine spark: also write the report as Parquet tables under DIR (from the executors)."
    ),
    shingle_size: int = ShingleOpt, num_perm: int = NumPermOpt, seed: int = SeedOpt,
    threshold: float = ThresholdOpt, bands: int | None = BandsOpt, rows: int | None = RowsOpt,
    min_span_words: int = MinSpanOpt, min_overlap: float = MinOverlapOpt, max_gap_words: int = MaxGapOpt,
    id_field: str | None = IdFieldOpt, text_field: str | None = TextFieldOpt, title_field: str | None = TitleFieldOpt,
    date_field: str | None = DateFieldOpt, outlet_field: str | None = OutletFieldOpt, url_field: str | None = UrlFieldOpt,
    encoding: str | None = EncodingOpt,
) -> int:
    """Scan a corpus: reused passages, boilerplate and provenance.

    The report goes to stdout (text on a terminal, JSON otherwise) or to -o.
    """
    if engine is not Engine.spark and (spark_master or spark_tables or partitions):
        raise ParameterError("--spark-master, --partitions and --spark-tables need --engine spark")
    from syndetect.pipeline.scan import scan as run_scan
    from syndetect.render.text import DEFAULT_TOP

    params = _params(shingle_size, num_perm, seed, threshold, bands, rows, min_span_words, min_overlap, max_gap_words)
    params = params.with_(all_pairs=all_pairs)
    options = _reader_options(id_field, text_field, title_field, date_field, outlet_field, url_field, encoding, workers)
    output = Path(output_arg) if output_arg is not None else None
    as_dir = output_arg is not None and output_arg.endswith(("/", os.sep))
    chosen = _format_for(fmt, output, as_dir)  # a bad -o fails before the scan, not after
    if parquet and chosen is not Format.csv:
        raise OutputError("--parquet goes with --format csv -o DIR")
    progress, update = _progress_callback(quiet)
    if progress is not None:
        progress.start()
    try:
        if engine is Engine.spark:
            from syndetect.engines.spark import scan_to_report

            inputs = None
            report = scan_to_report(paths, params, master=spark_master, lexicon_paths=[str(p) for p in lexicon],
                                    partitions=partitions, parquet=spark_tables, options=options)
        else:
            inputs = read_inputs(paths, options=options)
            source = progress.counted(inputs, "read") if update is not None else inputs
            report = run_scan(source, params, workers=workers, progress=update,
                              lexicon_paths=[str(p) for p in lexicon])
        _keep_until_exit(report, inputs)
        if not quiet:
            from syndetect.render.safe import safe_text

            for s in report.skipped:
                _err.print(safe_text("skipped ", "yellow") + safe_text(str(s)), soft_wrap=True)
        if inputs is not None and inputs.documents == 0:
            raise _nothing_read(inputs, paths)
        if inputs is None and not report.documents:
            raise _nothing_read(read_inputs([p for p in paths if "://" not in p], options=options), paths)
        if verbose and not quiet:
            _print_verbose(report)
        if progress is not None:
            if output is None:  # the report goes to stdout, maybe the same terminal: no live display over it
                progress.stop()
                progress = None
            else:
                progress.begin("write", f"writing {output}")
        text_top = None if show_all else (top or DEFAULT_TOP)
        wrote = _render_scan(report, chosen, output, fmt is not None, color=color, timings=timings,
                             text_top=text_top, md_top=None if show_all else top, parquet=parquet)
    finally:
        if progress is not None:
            progress.stop()
    if wrote and not quiet:
        from rich.text import Text

        _err.print(Text(safety.for_terminal(wrote)))
    if strict and report.skipped:
        first = report.skipped[0]
        raise InputError(first.source, f"{first.reason} ({len(report.skipped)} input(s) skipped; --strict)", first.line)
    return ExitCode.OK


def _print_verbose(report) -> None:
    from rich.text import Text

    for stage, seconds in report.timings.items():
        _err.print(Text(f"  {stage:<20} {seconds:8.2f} s", style="dim"))
    _err.print(Text("  parameters: " + ", ".join(f"{k}={v}" for k, v in report.parameters.items()), style="dim"),
               soft_wrap=True)


def _size_of(path: Path) -> int:
    if path.is_dir():
        return sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    return path.stat().st_size


def _render_scan(report, chosen: Format, output: Path | None, fmt_given: bool, *, color, timings: bool,
                 text_top, md_top, parquet: bool) -> str | None:
    """Render and write the report; returns the "wrote ..." note for ``-o``."""
    if chosen is Format.json:
        from syndetect.render.json import json_chunks

        # indented for people (a terminal, or a small report), compact for large machine-read reports
        # (written in pieces: the whole text of a large report is never held)
        pretty = (output is None and sys.stdout.isatty()) or len(report.clusters) <= 2000
        _write(json_chunks(report, timings=timings, pretty=pretty), output)
    elif chosen is Format.markdown:
        from syndetect.render.markdown import render_markdown

        _write(render_markdown(report, top=md_top), output)
    elif chosen is Format.html:
        from syndetect.render.html import html_bytes

        _write(html_bytes(report), output)
    elif chosen is Format.csv:
        from syndetect.render.csv import write_csv

        assert output is not None  # _format_for demands -o DIR for csv
        files = write_csv(report, output, parquet=parquet)
        return f"wrote {len(files)} files to {output} ({_size(sum(f.stat().st_size for f in files))})"
    else:
        from syndetect.render.text import render_text

        console = _text_console(output, fmt_given, color)
        render_text(report, console, top=text_top)
        if output is not None:
            _write(console.export_text(), output)
    if output is None:
        return None
    return f"wrote {output} ({_size(_size_of(output))})"


def single_threaded_blas() -> None:
    """Run numpy's BLAS on one thread unless the user chose otherwise.

    OpenBLAS starts a thread per core when numpy is imported (about 0.08 s of
    CPU, a quarter of a whole ``syndetect check``); syndetect does no linear
    algebra worth them (its parallelism is its executors' processes). Only the
    command line does this: the library leaves its host process alone. Call it
    before numpy is imported."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


_KEEP_AT_EXIT = False  # set by main(): the console script's process ends with its one command


def _keep_until_exit(*objects: object) -> None:
    """Leave ``objects`` (a finished scan's report: millions of small objects) to the end of the
    process, which returns all its memory at once, instead of freeing them one by one when the
    command returns (≈ 0.5 s of CPU at 100k paragraphs, ≈ 7 % of the whole scan). They are held by
    a reference cycle frozen out of the cyclic collector's reach (:func:`gc.freeze`), which also
    stops the collector from traversing them again while the report is written. Only in the
    console script (:func:`main`), never when the command runs inside a longer-lived process."""
    if not _KEEP_AT_EXIT:
        return
    import gc

    holder: list = [*objects]
    holder.append(holder)
    gc.freeze()


def main() -> None:
    """Console-script entry point."""
    global _KEEP_AT_EXIT
    _KEEP_AT_EXIT = True
    single_threaded_blas()
    for stream in (sys.stdout, sys.stderr):
        # always UTF-8 out, whatever the locale; a character that slips past the
        # escaping becomes a visible backslash escape, never an invalid byte
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="backslashreplace")
    app(prog_name="syndetect")


# ---------------------------------------------------------------------------
# The persistent index: `syndetect index add|stats|remove|list|verify` and `check`
# ---------------------------------------------------------------------------
class CheckFormat(str, Enum):
    text = "text"
    json = "json"


IndexOpt = typer.Option(..., "--index", "-i", metavar="INDEX", help="Index directory, or redis://host:port/db[?prefix=NAME].")
LexiconOpt = typer.Option([], "--lexicon", help="Extra boilerplate rules (TOML, see README).")
# Candidate parameters: by default the index's own; if given they must match it.
IxShingleOpt = typer.Option(None, "--shingle-size", help="Words per shingle (new index; must match an existing one).")
IxNumPermOpt = typer.Option(None, "--num-perm", help="MinHash permutations (new index; must match).")
IxSeedOpt = typer.Option(None, "--seed", help="MinHash seed (new index; must match).")
IxThresholdOpt = typer.Option(None, "--threshold", help="LSH Jaccard threshold (new index; must match).")
IxBandsOpt = typer.Option(None, "--bands", help="LSH bands, with --rows (new index; must match).")
IxRowsOpt = typer.Option(None, "--rows", help="LSH rows per band, with --bands (new index; must match).")


def _require_documents(ix) -> None:
    """``check`` against an index with no documents would pass everything: an error (exit 2)."""
    from syndetect.errors import IndexStoreError

    if ix.stats().documents == 0:
        raise IndexStoreError(
            f"index {ix.location} holds no documents, so every check would pass;"
            " add the archive first with `syndetect index add PATH --index ...`"
        )


def _overrides(**given) -> dict:
    """The candidate parameters given on the command line (``None``: not given)."""
    return {k: v for k, v in given.items() if v is not None}


def _read_documents(paths: list[str], options: ReaderOptions | None = None) -> tuple[list, list]:
    """The documents of the inputs and the skipped inputs (each costs only itself); none readable: exit 2."""
    from syndetect.model import Skipped

    docs: list = []
    skipped: list = []
    inputs = read_inputs(paths, options=options)
    for item in inputs:
        (skipped if isinstance(item, Skipped) else docs).append(item)
    if not docs:
        if not skipped:
            raise _nothing_read(inputs, paths)
        _unchecked(skipped, ", ".join(paths), "nothing to check")
    return docs, skipped


def _unchecked(skipped: list, where: str, what: str) -> None:
    """Fail with exit 2 naming the first skipped input (the others as notes above it)."""
    for s in skipped[1:]:
        _note("skipped", "yellow", s)
    if not skipped:
        raise InputError(where, "no documents to check")
    first = skipped[0]
    raise InputError(first.source, f"{first.reason} ({len(skipped)} input(s) not read; {what})", first.line)


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)  # pragma: no cover


def _clip(text: str, width: int = 240) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


def _render_verdicts(verdicts, out) -> None:
    """Plain-text check report (no colour: it ends up in hook and job logs).

    Every value from input (ids, sources, titles, outlets, span text) goes
    through :func:`syndetect.safety.for_terminal` (``_t``).
    """
    _t = safety.for_terminal
    for v in verdicts:
        where = f" ({_t(v.source)})" if v.source and v.source != v.doc else ""
        if not v.reused:
            extra = f"; {len(v.matches)} span(s) below --max-reused-fraction" if v.matches else ""
            note = f"; {len(v.allowed)} allowed span(s)" if v.allowed else ""
            out.write(f"clean   {_t(v.doc)}{where}: {v.reused_fraction:.1%} reused{extra}{note}\n")
        else:
            out.write(
                f"REUSED  {_t(v.doc)}{where}: {v.reused_fraction:.1%} of its text {_in_where(v)}"
                f" (limit {v.max_reused_fraction:.1%})\n"
            )
        if not v.matches and not v.allowed:
            continue
        for d in v.documents:
            label = ", ".join(_t(x) for x in (d.title and f'"{_clip(d.title, 80)}"', d.outlet, d.published) if x)
            pending = " [earlier in this check]" if d.pending else ""
            out.write(
                f"  matches {_t(d.id)}{pending}{' — ' + label if label else ''}:"
                f" {d.spans} span(s), {d.words} words, {d.reused_fraction:.1%} of this document\n"
            )
        groups: dict = {}
        for m in v.matches:
            groups.setdefault((m.paragraph, m.start, m.end), []).append(m)
        if groups:
            out.write("  shared spans:\n")
        for (par, start, end), ms in groups.items():
            sources = ", ".join(f"{_t(m.indexed_doc)} ¶{m.indexed_paragraph}" for m in ms)
            hashes = ", ".join(dict.fromkeys(m.hash for m in ms))
            out.write(f"    ¶{par} [{start}:{end}] {max(m.words for m in ms)} words, in {sources} (hash {hashes})\n")
            out.write(f"      \"{_t(_clip(ms[0].text))}\"\n")
        for m in v.allowed:
            out.write(
                f"  allowed: ¶{m.paragraph} [{m.start}:{m.end}] {m.words} words in {_t(m.indexed_doc)}"
                f" ¶{m.indexed_paragraph} — {_t(m.allowed_by)}\n"
            )


def _in_where(v) -> str:
    """Where the reused text is: the index, other files of this same check, or both."""
    pending = {d.pending for d in v.documents}
    if pending == {True}:
        return "is in another file of this check"
    if True in pending:
        return "is in the index or in another file of this check"
    return "is in the index"


def _how_to_proceed(verdicts, max_reused_fraction: float, ignore_quoted: bool) -> str:
    """The ways past a failed check, for the message that ends it."""
    ways = [
        "if the text is licensed, list the span's hash (shown above) in --allowlist FILE or use --allow-outlet NAME",
        f"allow some reuse with --max-reused-fraction (now {max_reused_fraction:g})",
    ]
    if not ignore_quoted:
        ways.append("let quoted, attributed statements through with --ignore-quoted")
    if any(d.pending for v in verdicts for d in v.documents):
        ways.append("a match marked [earlier in this check] is with another file of this same run, not with the index")
    return "to proceed: " + "; ".join(ways) + "\n"


def _json_out(payload: object, *, indent: int | None = 2) -> None:
    """JSON on stdout (original text kept; lone surrogates escaped, so always valid UTF-8)."""
    import json

    sys.stdout.write(safety.escape_surrogates(json.dumps(payload, ensure_ascii=False, indent=indent)) + "\n")


@app.command(cls=_Command, epilog=_examples(*_CHECK_EXAMPLES))
@_exit_on_error
def check(
    paths: list[str] = typer.Argument(..., help="New articles: files, directories or - for JSONL on stdin."),
    index: str = IndexOpt,
    max_reused_fraction: float = typer.Option(
        0.0, "--max-reused-fraction", help="Reused share of a document's text allowed before it counts (0: any span)."
    ),
    min_span_words: int | None = typer.Option(
        None, "--min-span-words", help="Fewest matching words in a reused span (default: the index's, 15)."
    ),
    allow_outlet: list[str] = typer.Option(
        [], "--allow-outlet", help="Outlet whose text may be reprinted (repeatable)."
    ),
    allowlist: Path | None = typer.Option(
        None, "--allowlist", help="File of content hashes (and outlets) that may be reprinted: JSON, TOML or text."
    ),
    add: bool = typer.Option(False, "--add", help="Add the documents to the index when none reuses indexed text."),
    ignore_quoted: bool = typer.Option(
        False, "--ignore-quoted", help="Let spans of quoted, attributed speech through (verbatim paragraphs still count)."
    ),
    fmt: CheckFormat = typer.Option(CheckFormat.text, "--format", "-f", help="text or json."),
    lexicon: list[Path] = LexiconOpt,
    shingle_size: int | None = IxShingleOpt, num_perm: int | None = IxNumPermOpt, seed: int | None = IxSeedOpt,
    threshold: float | None = IxThresholdOpt, bands: int | None = IxBandsOpt, rows: int | None = IxRowsOpt,
    id_field: str | None = IdFieldOpt, text_field: str | None = TextFieldOpt, title_field: str | None = TitleFieldOpt,
    date_field: str | None = DateFieldOpt, outlet_field: str | None = OutletFieldOpt, url_field: str | None = UrlFieldOpt,
    encoding: str | None = EncodingOpt,
) -> int:
    """Check new articles against the index: exit 1 if any reuses indexed text, 0 if clean, 2 on error."""
    from syndetect.index import Allowlist, Index

    allow = Allowlist.of(outlets=allow_outlet, quoted=ignore_quoted)
    if allowlist is not None:
        allow = allow.merged(Allowlist.load(allowlist))
    docs, skipped = _read_documents(
        paths, _reader_options(id_field, text_field, title_field, date_field, outlet_field, url_field, encoding, 1)
    )
    overrides = _overrides(
        shingle_size=shingle_size, num_perm=num_perm, seed=seed, threshold=threshold, bands=bands, rows=rows
    )
    with Index.open(index, overrides or None, lexicon_paths=[str(p) for p in lexicon]) as ix:
        _require_documents(ix)
        verdicts = ix.check_many(
            docs, max_reused_fraction=max_reused_fraction, min_span_words=min_span_words, allow=allow
        )
        reused = [v for v in verdicts if v.reused]
        added = None
        if add and not reused and not skipped:
            added = ix.add(docs)
        if fmt is CheckFormat.json:
            payload = {
                "schema": "syndetect-check/1",
                "version": __version__,
                "index": ix.location,
                "parameters": ix.params.to_dict(),
                "max_reused_fraction": max_reused_fraction,
                "reused": len(reused),
                "checked": len(verdicts),
                "added": added.documents if added else 0,
                "documents": [v.to_dict() for v in verdicts],
            }
            _json_out(payload)
        else:
            _render_verdicts(verdicts, sys.stdout)
            sys.stdout.write(f"{len(reused)} of {len(verdicts)} document(s) reuse indexed text\n")
            if reused:
                sys.stdout.write(_how_to_proceed(reused, max_reused_fraction, ignore_quoted))
        sys.stdout.flush()
        if add:
            if added:
                _note("added", "", f"{added.documents} document(s) to {ix.location}")
            else:
                _note("nothing added:", "", "a document reuses indexed text" if reused else "an input was not read")
    if reused:
        for s in skipped:
            _note("skipped", "yellow", s)
        return ExitCode.REUSE_FOUND
    if skipped:  # the rest is clean, but the gate cannot vouch for what it could not read
        _unchecked(skipped, "", "the other documents were checked")
    return ExitCode.OK


@index_app.command("add", cls=_Command, epilog=_examples(*_INDEX_EXAMPLES))
@_exit_on_error
def index_add(
    paths: list[str] = typer.Argument(..., help="Files, directories (recursive) or - for JSONL on stdin."),
    index: str = IndexOpt,
    batch_size: int = typer.Option(500, "--batch-size", help="Documents per transaction."),
    workers: int = typer.Option(1, "--workers", help="Processes that map documents while one writes."),
    strict: bool = typer.Option(False, "--strict", help="Exit 2, adding nothing, if any input cannot be read."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress or notes on stderr."),
    lexicon: list[Path] = LexiconOpt,
    shingle_size: int | None = IxShingleOpt, num_perm: int | None = IxNumPermOpt, seed: int | None = IxSeedOpt,
    threshold: float | None = IxThresholdOpt, bands: int | None = IxBandsOpt, rows: int | None = IxRowsOpt,
    id_field: str | None = IdFieldOpt, text_field: str | None = TextFieldOpt, title_field: str | None = TitleFieldOpt,
    date_field: str | None = DateFieldOpt, outlet_field: str | None = OutletFieldOpt, url_field: str | None = UrlFieldOpt,
    encoding: str | None = EncodingOpt,
) -> int:
    """Add documents to the index (created if missing); re-adding an id replaces it."""
    from syndetect.index import Index
    from syndetect.model import Skipped

    skipped: list = []
    inputs = read_inputs(
        paths, options=_reader_options(id_field, text_field, title_field, date_field, outlet_field, url_field, encoding, workers)
    )

    def documents():
        for item in inputs:
            if isinstance(item, Skipped):
                skipped.append(item)
                if not quiet:
                    _note("skipped", "yellow", item)
            else:
                yield item

    source = documents()
    if strict:
        source = list(source)
        if skipped:
            first = skipped[0]
            raise InputError(first.source, f"{first.reason} ({len(skipped)} input(s) skipped; --strict)", first.line)
        if not source:
            raise _nothing_read(inputs, paths)
    # an index made from nothing would pass every check: create none without a document
    first_doc = next(iter(source), None)
    if first_doc is None:
        raise _nothing_read(inputs, paths)  # and no index is created
    source = itertools.chain([first_doc], source)
    overrides = _overrides(
        shingle_size=shingle_size, num_perm=num_perm, seed=seed, threshold=threshold, bands=bands, rows=rows
    )
    with Index.open(index, overrides or None, create=True, lexicon_paths=[str(p) for p in lexicon]) as ix:
        progress, update = _progress_callback(quiet)
        if progress is not None:
            progress.start()
        try:
            result = ix.add(source, batch_size=batch_size, workers=workers, progress=update)
        finally:
            if progress is not None:
                progress.stop()
        if inputs is not None and inputs.documents == 0:
            raise _nothing_read(inputs, paths)
        if not quiet:
            _note(
                "added", "",
                f"{result.documents} document(s), {result.paragraphs} paragraphs"
                f" ({result.replaced} replaced) to {ix.location} in {result.seconds:.2f} s"
                + (f"; {len(skipped)} input(s) skipped" if skipped else ""),
            )
    return ExitCode.OK


@index_app.command("stats", cls=_Command, epilog=_examples(*_INDEX_EXAMPLES))
@_exit_on_error
def index_stats(
    index: str = IndexOpt,
    fmt: CheckFormat = typer.Option(CheckFormat.text, "--format", "-f", help="text or json."),
) -> int:
    """Documents, paragraphs, band-key rows, size and parameters of an index."""
    from syndetect.index import Index

    with Index.open(index) as ix:
        s = ix.stats()
    if fmt is CheckFormat.json:
        _json_out(s.to_dict())
        return ExitCode.OK
    lines = [
        f"index       {safety.for_terminal(s.location)} ({s.backend}, schema {s.schema_version})",
        f"created     {s.created or '?'} by {s.created_by or '?'} (key fingerprint {s.key_fingerprint})",
        f"documents   {s.documents:,}",
        f"paragraphs  {s.paragraphs:,}",
        f"band keys   {s.key_rows:,} rows",
        f"size        {_size(s.size_bytes)} ({s.size_note})",
        "parameters  " + ", ".join(f"{k}={v}" for k, v in s.parameters.items()),
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return ExitCode.OK


@index_app.command("remove", cls=_Command, epilog=_examples(*_INDEX_EXAMPLES))
@_exit_on_error
def index_remove(
    ids: list[str] = typer.Argument(..., help="Document ids to remove."),
    index: str = IndexOpt,
) -> int:
    """Remove documents from the index by id (unknown ids are reported, not an error)."""
    from syndetect.index import Index

    with Index.open(index) as ix:
        removed = ix.remove(ids)
    missing = [i for i in dict.fromkeys(ids) if i not in set(removed)]
    sys.stdout.write(f"removed {len(removed)} document(s)\n")
    for i in missing:
        _note("not in the index:", "yellow", i)
    return ExitCode.OK


@index_app.command("list", cls=_Command, epilog=_examples(*_INDEX_EXAMPLES))
@_exit_on_error
def index_list(index: str = IndexOpt) -> int:
    """List the indexed documents: id, paragraphs, outlet, title."""
    from syndetect.index import Index

    with Index.open(index) as ix:
        for d in ix.documents():
            fields = (d.id, str(d.paragraphs), d.outlet or "", d.title or "")
            sys.stdout.write("\t".join(safety.for_terminal(f) for f in fields) + "\n")
    return ExitCode.OK


@index_app.command("migrate", cls=_Command, epilog=_examples(*_INDEX_EXAMPLES))
@_exit_on_error
def index_migrate(index: str = IndexOpt) -> int:
    """Convert an SQLite index of schema version 1 to the current one, in place (all or nothing)."""
    from syndetect.index import migrate

    before, rows = migrate(index)
    sys.stdout.write(f"{'migrated' if before == 1 else 'already current:'} {index} ({rows} band-key rows)\n")
    return ExitCode.OK


@index_app.command("verify", cls=_Command, epilog=_examples(*_INDEX_EXAMPLES))
@_exit_on_error
def index_verify(index: str = IndexOpt) -> int:
    """Check an index: storage integrity, every document whole with its band keys (exit 2 if not)."""
    from syndetect.errors import IndexStoreError
    from syndetect.index import Index

    with Index.open(index) as ix:
        problems = ix.verify()
        n = ix.stats().documents
    if problems:
        from rich.text import Text

        for p in problems[:50]:
            _err.print(Text("  " + safety.for_terminal(p)))
        raise IndexStoreError(f"index {index}: {len(problems)} problem(s) found")
    sys.stdout.write(f"ok: {n} document(s), all whole\n")
    return ExitCode.OK
