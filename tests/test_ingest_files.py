"""`ingest.files`: encoding detection in `inspect` (ASCII chunks skip decoding, so check the chunk boundaries), and
which files are worth staging while they are inspected."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ingest import files


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (b"a,b\n" + b"x" * (files.CHUNK * 2) + b"\n", "utf-8"),
        # a two-byte character split across the first chunk boundary, then an all-ASCII chunk
        (b"a" * (files.CHUNK - 1) + "é".encode() + b"b" * files.CHUNK, "utf-8"),
        # a lead byte ending the first chunk, ASCII next: invalid, even though a continuation byte comes later
        (b"a" * (files.CHUNK - 1) + b"\xc3" + b"b" * files.CHUNK + b"\xa9", "cp1252"),
        # a Windows-1252 byte after two pure-ASCII chunks
        (b"a" * (files.CHUNK * 2) + "£5".encode("cp1252"), "cp1252"),
        # a truncated character at the very end of the file
        (b"a" * 10 + b"\xe2\x80", "cp1252"),
    ],
    ids=["ascii", "split-character", "broken-split", "cp1252-late", "truncated-end"],
)
def test_encoding_is_found_across_chunk_boundaries(data: bytes, encoding: str, tmp_path: Path) -> None:
    found = files.inspect(_write(tmp_path / "f.csv", data))
    assert found.encoding == encoding
    assert found.sha256 == hashlib.sha256(data).hexdigest()
    assert found.size == len(data)


@pytest.mark.parametrize(
    ("data", "blank_lines"),
    [
        (b"a,b\n1,x\n2,y\n", False),
        (b"a,b\n1,x\n2,y\n\n\r\n  \n", False),  # blank lines only at the end change no row number
        (b"a,b\n1,x\n\n2,y\n", True),
        (b"a,b\r\n1,x\r\n\r\n2,y\r\n", True),
        # the blank line split across the chunk boundary, both ways
        (b"a" * (files.CHUNK - 1) + b"\n" + b"\n2,y\n", True),
        (b"a" * (files.CHUNK - 2) + b"\n\r" + b"\n2,y\n", True),
        (b"a" * (files.CHUNK - 1) + b"\n" + b"2,y\n", False),
    ],
    ids=["none", "only-at-the-end", "lf", "crlf", "split-lf", "split-crlf", "newline-at-boundary"],
)
def test_blank_lines_before_more_rows_are_noted(data: bytes, blank_lines: bool, tmp_path: Path) -> None:
    assert files.inspect(_write(tmp_path / "f.csv", data)).blank_lines is blank_lines


@pytest.mark.parametrize(
    ("name", "data", "likely"),
    [
        ("s136.csv", b"detention_id,force\n", True),
        ("s136.txt", "détention\n".encode("cp1252"), True),  # inspect decides the encoding; it is staged again
        ("s136.csv", b"PK\x03\x04rest", False),  # a workbook named .csv
        ("s136.csv", b"\x1f\x8b\x08\x00", False),  # gzip
        ("s136.csv", b"\xff\xfed\x00", False),  # UTF-16
        ("s136.csv", b"", False),  # empty: inspect says so
        ("s136.xlsx", b"a,b\n", False),
        ("missing.csv", None, False),
    ],
)
def test_files_likely_to_be_utf8_csv_are_staged_while_inspected(
    name: str, data: bytes | None, likely: bool, tmp_path: Path
) -> None:
    path = tmp_path / name if data is None else _write(tmp_path / name, data)
    assert files.likely_utf8_csv(path) is likely
