"""Bytes to text: a byte-order mark, UTF-8, a declared charset, ``--encoding``, else a guess.

The decoder never silently replaces characters: text that fits no encoding
is reported (the caller turns the :class:`DecodeError` into a skipped
input). When the encoding is not plain UTF-8, :func:`decode` says which one
was used and why (``"cp1252 (guessed by charset-normalizer)"``) and the
document carries it as ``encoding``.
"""

from __future__ import annotations

import codecs

__all__ = ["DecodeError", "decode", "normalise_codec", "choose_encoding"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_GUESS_BYTES = 1 << 20  # charset-normalizer looks at the first MiB at most


class DecodeError(ValueError):
    """The bytes are not text in any encoding tried; the message says why."""


def normalise_codec(name: str | None) -> str | None:
    """Python's name for an encoding label (``"Windows-1252"`` → ``"cp1252"``), or ``None`` if unknown."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def decode(data: bytes, *, encoding: str | None = None, declared: str | None = None) -> tuple[str, str | None]:
    """``(text, note)``; ``note`` is ``None`` for UTF-8 (with or without BOM), else the encoding and how it was chosen."""
    if encoding:
        codec = normalise_codec(encoding)
        if codec is None:
            raise DecodeError(f"unknown encoding {encoding!r} (--encoding)")
        try:
            return _strip_bom(data.decode(codec)), None if codec == "utf-8" else f"{codec} (--encoding)"
        except UnicodeDecodeError as exc:
            raise DecodeError(
                f"not {codec} text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}; --encoding)"
            ) from None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    f"not {codec} text despite its byte-order mark (invalid data at offset {exc.start + len(bom)})"
                ) from None
            return text, None if codec == "utf-8" else f"{codec.split('-')[0]}-{codec.split('-')[1]} (byte-order mark)"
    if b"\x00" in data[:8192]:
        raise DecodeError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    codec = normalise_codec(declared)
    if codec and codec != "utf-8":
        try:
            return data.decode(codec), f"{codec} (declared)"
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:_GUESS_BYTES]).best()
    codec = normalise_codec(best.encoding) if best is not None else None
    if codec:
        try:
            return data.decode(codec), f"{codec} (guessed by charset-normalizer)"
        except UnicodeDecodeError:
            pass
    raise DecodeError(
        f"not UTF-8 text (invalid byte 0x{data[first_bad]:02x} at offset {first_bad}) and no other encoding fits;"
        " give --encoding"
    )


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def choose_encoding(head: bytes, *, encoding: str | None = None) -> tuple[str, int, str | None]:
    """``(codec, bytes of BOM to drop, note)`` for a stream read from its first bytes (``head``).

    For streamed inputs (JSONL, CSV): the choice is made once, from the head;
    a byte that does not fit further on is reported at its line.
    """
    if encoding:
        codec = normalise_codec(encoding)
        if codec is None:
            raise DecodeError(f"unknown encoding {encoding!r} (--encoding)")
        return codec, (len(codecs.BOM_UTF8) if codec == "utf-8" and head.startswith(codecs.BOM_UTF8) else 0), (
            None if codec == "utf-8" else f"{codec} (--encoding)")
    for bom, codec in _BOMS:
        if head.startswith(bom):
            note = None if codec == "utf-8" else f"{'-'.join(codec.split('-')[:2])} (byte-order mark)"
            return codec, len(bom), note
    if b"\x00" in head[:8192]:
        # a line format decides per line (hostile input): lines with a NUL are not evidence of the encoding
        head = b"\n".join(line for line in head.split(b"\n") if b"\x00" not in line)
        if not head.strip():
            raise DecodeError("binary file (contains NUL bytes)")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8", 0, None
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    codec = normalise_codec(best.encoding) if best is not None else None
    if codec:
        return codec, 0, f"{codec} (guessed by charset-normalizer)"
    raise DecodeError(
        f"not UTF-8 text (invalid byte 0x{head[first_bad]:02x} at offset {first_bad}) and no other encoding fits;"
        " give --encoding"
    )
