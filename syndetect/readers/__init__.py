"""Readers: files, directories and streams into documents (or skipped inputs)."""

from syndetect.readers.inputs import SUFFIXES, TEXT_SUFFIXES, read_csv, read_inputs, read_jsonl, read_text_file  # noqa: F401

__all__ = ["read_inputs", "read_jsonl", "read_csv", "read_text_file", "TEXT_SUFFIXES", "SUFFIXES"]
