"""Command-line values without pydantic: the plain cases of typer's coercion, done directly.

typer (0.2x) coerces every parameter through a pydantic ``TypeAdapter``,
built on first use; importing pydantic and building the adapters costs more
than the whole of a ``syndetect check`` of one article. Our parameters are
plain: ``str``, ``int``, ``float``, ``bool``, ``Path``, a ``(str, Enum)``
choice, or a list of those. For those, :func:`install` gives each parameter
a runtime coercion that converts the value itself and hands anything it does
not recognise (a malformed number, a value out of range, an unknown choice,
another type) to typer's own coercion, built only then, so every error
message and every unusual value behaves exactly as typer's.
``tests/test_cli_coerce.py`` holds both paths to the same results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, get_args, get_origin

__all__ = ["install"]

_INT = re.compile(r"-?[0-9]+")
_FLOAT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class _Slow(Exception):
    """The value is not a plain case: typer's own coercion decides."""


def _in_range(value, info):
    if info.clamp:
        raise _Slow
    if (info.min is not None and value < info.min) or (info.max is not None and value > info.max):
        raise _Slow  # typer's message for the range
    return value


def _leaf(annotation: Any, info: Any):
    """The direct coercion of one value of ``annotation`` (``None``: not a plain type)."""
    if info.parser is not None or getattr(info, "formats", None):
        return None
    if annotation is str or annotation is bool:  # click hands over a str, a flag a bool: kept as it is

        def as_is(value, param, ctx):
            if type(value) is annotation:
                return value
            raise _Slow

        return as_is
    if annotation is int:

        def as_int(value, param, ctx):
            if type(value) is int:
                return _in_range(value, info)
            if type(value) is str and _INT.fullmatch(value):
                return _in_range(int(value), info)
            raise _Slow

        return as_int
    if annotation is float:

        def as_float(value, param, ctx):
            if type(value) in (float, int):
                return _in_range(float(value), info)
            if type(value) is str and _FLOAT.fullmatch(value):
                return _in_range(float(value), info)
            raise _Slow

        return as_float
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        from typer._param_types import coerce_cli_choice

        choices = tuple(annotation)

        def as_choice(value, param, ctx):
            try:
                return coerce_cli_choice(value, choices=choices, case_sensitive=info.case_sensitive, ctx=ctx)
            except ValueError:
                raise _Slow from None

        return as_choice
    if annotation is Path and info.path_type is None and not info.resolve_path and not info.allow_dash:
        from typer._param_types import coerce_cli_path

        def as_path(value, param, ctx):
            if type(value) is str:
                value = Path(value)
            if not isinstance(value, Path):
                raise _Slow
            # typer's own checks (exists, file/dir, readable ...) on the value as a Path
            return coerce_cli_path(value, info, path_type=Path, param=param, ctx=ctx)

        return as_path
    return None


@lru_cache(maxsize=1)
def _direct_class():
    """The runtime coercion class, made once (``None``: a typer without this interface)."""
    try:
        from typer._coercion import RuntimeParam, build_runtime_param
    except ImportError:  # another typer: its own coercion throughout
        return None

    @dataclass(frozen=True)
    class Direct(RuntimeParam):
        leaf: Any
        many: bool
        descriptor: Any
        typer_own: list = field(default_factory=list)  # typer's coercion, built on first need

        def _coerce_value(self, value, param, ctx):
            try:
                if self.many:
                    if not isinstance(value, (list, tuple)):
                        raise _Slow
                    return [self.leaf(v, param, ctx) for v in value]
                return self.leaf(value, param, ctx)
            except _Slow:
                if not self.typer_own:
                    self.typer_own.append(build_runtime_param(self.descriptor))
                return self.typer_own[0]._coerce_value(value, param=param, ctx=ctx)

    return Direct


def install(params) -> None:
    """Give each typer parameter of a plain type the direct coercion (others keep typer's)."""
    direct = _direct_class()
    if direct is None:
        return
    for p in params:
        desc = getattr(p, "type_descriptor", None)
        if desc is None or getattr(p, "_runtime_param", "absent") is not None or desc.file_annotation is not None:
            continue
        annotation, many = desc.annotation, False
        if get_origin(annotation) is list and len(get_args(annotation)) == 1:
            annotation, many = get_args(annotation)[0], True
        leaf = _leaf(annotation, desc.parameter_info)
        if leaf is not None:
            p._runtime_param = direct(desc.parameter_info, desc.annotation, leaf, many, desc)
