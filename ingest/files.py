"""Looking at an input file before reading it: its sha256, its kind (CSV or XLSX) and its text encoding.

One streamed pass computes the hash, checks whether the bytes are valid UTF-8 (ASCII chunks, the usual case,
without decoding them) and notes a blank line with rows after it (which the CSV reader numbers apart, see
ingest.readers), so a large file is read once and never held in memory. DuckDB reads UTF-8 (with or
without a BOM) natively; a Windows-1252 file (what Excel's "CSV" saves) is transcoded to a temporary UTF-8 copy
first, also streamed, because DuckDB's encodings extension is not available offline.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from concordat.errors import UserInputError

CHUNK = 1 << 20
_XLSX_MAGIC = b"PK\x03\x04"
_GZIP_MAGIC = b"\x1f\x8b"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_BLANK_LINE = re.compile(rb"\n\r?\n")


@dataclass(frozen=True)
class InputFile:
    path: Path
    sha256: str
    kind: Literal["csv", "xlsx"]
    encoding: Literal["utf-8", "cp1252", "binary"]
    size: int
    blank_lines: bool = False  # a blank line with more rows after it (perhaps inside a quoted cell)

    @property
    def name(self) -> str:
        return self.path.name


def _ascii_between_characters(chunk: bytes, decoder: codecs.IncrementalDecoder) -> bool:
    """True when `chunk` is plain ASCII and starts on a character boundary: valid UTF-8 without decoding it.

    Most extracts are pure ASCII, and `bytes.isascii` is an order of magnitude faster than decoding."""
    pending, _ = decoder.getstate()
    return not pending and chunk.isascii()


class _BlankLines:
    """Fed a file chunk by chunk: `found` when a blank line (`\\n\\n` or `\\n\\r\\n`) has more than whitespace after it.
    Blank lines at the end change no row number, so they do not count."""

    def __init__(self) -> None:
        self.seen = False  # a blank line so far
        self.found = False  # ... and something after it
        self.tail = b""

    def feed(self, chunk: bytes) -> None:
        if not self.found:
            rest = b""
            if self.seen:
                rest = chunk
            elif match := _BLANK_LINE.search(chunk):
                self.seen, rest = True, chunk[match.end() :]
            elif _BLANK_LINE.search(self.tail + chunk[:2]):  # split across the chunk boundary
                self.seen, rest = True, chunk
            self.found = bool(rest.strip())
        self.tail = chunk[-2:]


def likely_utf8_csv(path: Path) -> bool:
    """Whether the file is, by its name and first bytes, most likely a UTF-8 CSV file (`inspect` says for sure):
    worth reading while it is inspected (ingest.loader)."""
    if path.suffix.lower() in (".xls", ".xlsx", ".xlsm", ".zip"):
        return False
    try:
        with open(path, "rb") as fh:
            first = fh.read(4)
    except OSError:
        return False
    return bool(first) and not first.startswith((_XLSX_MAGIC, _GZIP_MAGIC, *_UTF16_BOMS))


def inspect(path: Path) -> InputFile:
    """Hash the file and work out its kind and encoding; UserInputError for a file we cannot read."""
    if not path.exists():
        raise UserInputError(f"{path}: no such file")
    if not path.is_file():
        if path.is_dir():
            raise UserInputError(f"{path}: a folder, not a file; give the files in it, e.g. {path / '*.csv'}")
        raise UserInputError(f"{path}: not a file")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise UserInputError(f"{path.name}: old Excel .xls files are not supported; save it as .xlsx or CSV")
    if suffix == ".zip":
        raise UserInputError(f"{path.name}: a zip archive; extract it and load the CSV or XLSX files inside")
    digest = hashlib.sha256()
    blank_lines = _BlankLines()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    size = 0
    first = b""
    # hashlib releases the GIL, so each chunk is hashed on a second thread while this one checks it
    with ThreadPoolExecutor(max_workers=1) as hashing:
        hashed: Future[None] | None = None
        try:
            with open(path, "rb") as fh:
                while chunk := fh.read(CHUNK):
                    if not first:
                        first = chunk[:4]
                    size += len(chunk)
                    if hashed is not None:
                        hashed.result()  # in order, and at most two chunks in memory
                    hashed = hashing.submit(digest.update, chunk)
                    blank_lines.feed(chunk)
                    if utf8 and not _ascii_between_characters(chunk, decoder):
                        try:
                            decoder.decode(chunk)
                        except UnicodeDecodeError:
                            utf8 = False
            if utf8:
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
        except OSError as exc:
            raise UserInputError(f"{path.name}: cannot read the file ({exc.strerror})") from None
    if size == 0:
        raise UserInputError(f"{path.name}: the file is empty")
    if first.startswith(_GZIP_MAGIC):
        raise UserInputError(f"{path.name}: a gzip-compressed file; decompress it and load the file inside")
    if first.startswith(_XLSX_MAGIC) or suffix in (".xlsx", ".xlsm"):
        if not first.startswith(_XLSX_MAGIC):
            raise UserInputError(f"{path.name}: not a valid .xlsx workbook")
        return InputFile(path, digest.hexdigest(), "xlsx", "binary", size)
    if first.startswith(_UTF16_BOMS):
        raise UserInputError(f"{path.name}: UTF-16 text is not supported; save it as CSV (UTF-8)")
    return InputFile(path, digest.hexdigest(), "csv", "utf-8" if utf8 else "cp1252", size, blank_lines.found)


def utf8_copy(file: InputFile, folder: Path | None = None) -> Path:
    """A temporary UTF-8 copy of a Windows-1252 file (caller deletes it). Streamed in chunks."""
    fd, name = tempfile.mkstemp(prefix="concordat-ingest-", suffix=".csv", dir=folder)
    decoder = codecs.getincrementaldecoder("cp1252")()
    try:
        with open(file.path, "rb") as src, os.fdopen(fd, "w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(CHUNK):
                dst.write(decoder.decode(chunk))
            dst.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError as exc:
        os.unlink(name)
        raise UserInputError(
            f"{file.name}: the text is neither UTF-8 nor Windows-1252 (byte 0x{exc.object[exc.start]:02x}); "
            "save it as CSV UTF-8"
        ) from None
    except BaseException:
        os.unlink(name)
        raise
    return Path(name)
