"""The command line's own coercion of plain values (:mod:`syndetect.cli.coerce`) against typer's,
and what a ``syndetect check`` process imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer._click import Context
from typer._coercion import build_runtime_param

from syndetect.cli import coerce
from syndetect.cli.app import app

ROOT = Path(__file__).resolve().parent.parent

RAW = [
    "12", "-3", "007", "0", "+4", " 5", "1_000", "1e3", "0.5", ".5", "5.", "-0.25", "abc", "", "nan", "inf",
    "text", "json", "JSON", "csv", "local", "spark", "xml", "some/path.toml", "-",
    ("a", "b"), ("1", "2"), ("x",), (), 3, 0.5, True, False,
]


def _commands():
    group = typer.main.get_command(app)
    yield group
    stack = [group]
    while stack:
        g = stack.pop()
        for cmd in getattr(g, "commands", {}).values():
            yield cmd
            stack.append(cmd)


def _outcome(runtime, value, param, ctx):
    try:
        got = runtime.coerce(value, param=param, ctx=ctx)
    except typer.BadParameter as exc:
        return ("error", exc.format_message())
    except (TypeError, ValueError) as exc:  # typer's own would raise the same for a value no CLI gives
        return ("raised", type(exc).__name__)
    return ("value", type(got).__name__, repr(got))


def test_every_parameter_coerces_every_value_as_typer_does():
    """The direct coercion gives typer's result (value and type) or typer's error, for every parameter."""
    checked = direct = 0
    for cmd in _commands():
        ctx = Context(cmd)
        params = list(cmd.params)
        help_opt = cmd.get_help_option(ctx)
        if help_opt is not None:
            params.append(help_opt)
        for p in params:
            desc = getattr(p, "type_descriptor", None)
            if desc is None:
                continue
            ours = p.get_runtime_param()
            theirs = build_runtime_param(desc)
            direct += type(ours).__name__ == "Direct"
            for raw in RAW:
                multi = p.multiple or p.nargs == -1
                if multi != isinstance(raw, tuple):
                    continue
                assert _outcome(ours, raw, p, ctx) == _outcome(theirs, raw, p, ctx), (cmd.name, p.name, raw)
                checked += 1
    assert direct >= 40 and checked > 1000, (direct, checked)  # the plain parameters do take the direct path


def test_install_leaves_other_types_to_typer():
    from typer._coercion import resolve_type_descriptor
    from typer.core import TyperOption
    from typer.models import OptionInfo

    class Custom:
        pass

    opt = TyperOption(param_decls=["--custom"], type_descriptor=resolve_type_descriptor(Custom, OptionInfo()))
    coerce.install([opt])
    assert opt._runtime_param is None  # typer builds its own on first use


def test_check_process_imports_neither_pydantic_nor_the_scan(tmp_path, seed_paths):
    """A ``check`` run does not pay for pydantic, the scan's orchestration, provenance inference,
    numpy.ma, the Redis client, the ``regex`` module (the built-in lexicon compiles with ``re``) or
    ``email.utils`` (imported only to read an RFC 2822 date), or rich's console (a check prints plain text)."""
    index = tmp_path / "idx"
    subprocess.run(
        [sys.executable, "-m", "syndetect", "index", "add", seed_paths["000"], "--index", str(index), "--quiet"],
        cwd=ROOT, check=True,
    )
    code = (
        "import sys\n"
        "from syndetect.cli.app import main\n"
        f"sys.argv = ['syndetect', 'check', {str(seed_paths['001'])!r}, '--index', {str(index)!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
        "names = ['pydantic', 'syndetect.pipeline.scan', 'syndetect.provenance.inference', 'numpy.ma', 'redis',\n"
        "         'syndetect.index.stores.redis', 'datasketch', 'scipy', 'regex', 'email.utils', 'rich.console']\n"
        "print(code, *[n in sys.modules for n in names], file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    last = proc.stderr.strip().splitlines()[-1].split()
    assert last[0] == "1", proc.stderr  # seed 001 reuses seed 000's text: the check itself ran
    assert last[1:] == ["False"] * 11, proc.stderr


@pytest.mark.parametrize("name", ["scan", "read_inputs", "Params", "Index", "Verdict", "Document", "ExitCode"])
def test_package_names_import_on_first_use(name):
    code = f"import sys, syndetect; before = 'syndetect.pipeline.scan' in sys.modules; x = syndetect.{name}; print(before, x.__name__)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", name]


def test_unknown_package_name_is_an_attribute_error():
    import syndetect

    with pytest.raises(AttributeError):
        syndetect.no_such_name  # noqa: B018
    assert "scan" in dir(syndetect)
