"""Writing the demo files: streaming CSV and a byte-reproducible XLSX.

openpyxl stamps the save time into the workbook and its zip entries; the XLSX is rewritten with fixed
timestamps so the same seed gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook

FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
FIXED_DOC_TIME = "2020-01-01T00:00:00Z"


class CsvSink:
    """A UTF-8 CSV file written chunk by chunk (header first); counts its data rows."""

    def __init__(self, path: Path, header: Sequence[str]) -> None:
        self.path = path
        self.rows = 0
        self._fh = open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self._writer = csv.writer(self._fh, lineterminator="\n")
        self._writer.writerow(header)

    def write(self, rows: Iterable[Sequence[object]]) -> None:
        rows = list(rows)
        self._writer.writerows(rows)
        self.rows += len(rows)

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> CsvSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    with CsvSink(path, header) as sink:
        sink.write(rows)
        return sink.rows


def write_xlsx(path: Path, sheet: str, title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """One sheet: a title row, the header row, then the rows (dates as real Excel dates)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append([title])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(_reproducible(buffer.getvalue()))


def _reproducible(xlsx: bytes) -> bytes:
    """The same workbook with fixed zip entry times and fixed document created/modified times."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rf"\g<1>{FIXED_DOC_TIME}\g<2>", text)
                data = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, data)
    return out.getvalue()
