"""Reading a CSV or XLSX file into a DuckDB staging table of text, as it is: no typing, no judgement yet.

Every reader produces the same thing, a `Staged` table: VARCHAR columns `c0..cN` in file order, the header text
of each, and a view adding `__row`, the number of the row as the sender's spreadsheet shows it: title rows, blank
rows and the header counted, so the first data row below a header on the first line is row 2. In a CSV file that is
its line number, unless a quoted cell above the row holds a line break. Typing,
category mapping and validation then happen once, in SQL, whatever the file format (ingest.transform).

CSV is read by DuckDB's parallel reader with an explicit dialect rather than sniffing, which can silently mistake
a ragged file for a one-column one: double quotes, and the separator (comma, else semicolon, tab or pipe) with
which the header is found, as in a workbook (below), so title rows above it are skipped. DuckDB skips blank
lines, so its row order alone would shift the number of every row after one; a file with blank lines between
rows (ingest.files notes them) has its row numbers counted by Python's csv module instead, blank lines included,
as a spreadsheet shows them.

XLSX is read with openpyxl (read-only) into a table of strings, from the first sheet with a header: the first row
naming at least half the required columns, so a cover sheet before the data and a title row above it are skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from concordat.contracts import Contract, normalise_header
from concordat.errors import UserInputError
from concordat.sql import lit
from ingest.files import InputFile

if TYPE_CHECKING:
    from openpyxl import Workbook

#: How many rows at the top of a sheet may sit above the header (titles, notes, blank rows).
MAX_HEADER_SEARCH_ROWS = 30
#: A CSV file is read in parts of its size / DuckDB threads within these bounds (`_buffer_option`): below the
#: lower one DuckDB's default buffers are left alone; the upper one bounds memory.
MIN_CSV_BUFFER_BYTES = 8_000_000
MAX_CSV_BUFFER_BYTES = 128_000_000


@dataclass(frozen=True)
class Staged:
    """A file read into DuckDB: `view` has `__row` and text columns `c0..cN` (see `headers`)."""

    view: str
    headers: tuple[str, ...]
    tables: tuple[str, ...]  # temporary objects to drop afterwards
    rowid_offset: int | None = None  # `__row` is the rowid of `tables[-1]` plus this (CSV), not a column
    empty_unnamed: tuple[int, ...] = ()  # columns with neither a header nor a value: neither kept nor reported

    @staticmethod
    def column(index: int) -> str:
        return f"c{index}"

    def rows_in(self, row_numbers_sql: str) -> str:
        """SQL for the staged rows (as `view` has them) whose `__row` is among those `row_numbers_sql` selects.

        For a CSV the filter is on the table's rowid, which DuckDB fetches directly instead of scanning."""
        if self.rowid_offset is not None:
            rowids = f"SELECT __row - {self.rowid_offset} FROM ({row_numbers_sql})"
            return f"SELECT rowid + {self.rowid_offset} AS __row, * FROM {self.tables[-1]} WHERE rowid IN ({rowids})"
        return f"SELECT * FROM {self.view} WHERE __row IN ({row_numbers_sql})"


def create_table_from_lists(
    con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, tuple[str, list[object]]]
) -> None:
    """A temp table from Python lists (name -> (SQL type, values)), in order.

    Passed as DuckDB list parameters and unnested: no pyarrow or pandas (whose first import costs a second)."""
    names = list(columns)
    select = ", ".join(f"unnest(${i}::{columns[n][0]}[]) AS {n}" for i, n in enumerate(names, 1))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {select}", [columns[n][1] for n in names])


def _blank_headers_named(headers: list[str]) -> tuple[str, ...]:
    return tuple(h.strip() or f"column{i + 1}" for i, h in enumerate(headers))


def _empty_unnamed(con: duckdb.DuckDBPyConnection, table: str, headers: list[str]) -> tuple[int, ...]:
    """The columns without a header and without a value in any row: the empty columns Excel writes for cells
    that were only formatted (`a,b,c,,`). An unnamed column holding values is kept as `columnN`."""
    unnamed = [i for i, header in enumerate(headers) if not header.strip()]
    if not unnamed:
        return ()
    used_sql = ", ".join(f"bool_or(nullif(trim({Staged.column(i)}), '') IS NOT NULL)" for i in unnamed)
    (used,) = con.execute(f"SELECT {used_sql} FROM {table}").fetchall()
    return tuple(i for i, in_use in zip(unnamed, used, strict=True) if not in_use)


def _find_header(rows: list[tuple[object, ...]] | list[list[str]], contract: Contract) -> int | None:
    """The index of the first row naming at least half the contract's required columns: the header, below any
    title rows the exporting system or the sender wrote above it."""
    header_map = contract.header_map()
    required = set(contract.required_columns)
    for index, row in enumerate(rows):
        named = {header_map.get(normalise_header(str(cell))) for cell in row if cell is not None}
        if len(named & required) * 2 >= len(required):
            return index
    return None


# --- CSV -----------------------------------------------------------------------------------------------------


#: Field separators, by name, in the order the header is looked for with them (Excel saves "CSV" with
#: semicolons where the decimal mark is a comma; case systems export tab- or pipe-separated text).
SEPARATORS: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def _separator(header_line: str) -> str:
    """Where no header is found, the separator of the first line: a comma, else the most frequent other one."""
    if "," in header_line:
        return ","
    found = max(SEPARATORS, key=header_line.count)
    return found if found in header_line else ","


@dataclass(frozen=True)
class _CsvHeader:
    cells: list[str]
    separator: str
    skip: int  # records above the header (title rows, blank lines), as DuckDB's `skip` counts them

    @property
    def first_row(self) -> int:
        """The number of the row below the header, as a spreadsheet numbers the file's records."""
        return self.skip + 2


def _top_records(path: Path, separator: str) -> list[list[str]]:
    """The first records of a file read with `separator`, up to any the csv module cannot read (a quote left open
    under the wrong separator runs on to the field size limit)."""
    records: list[list[str]] = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        try:
            for record in itertools.islice(csv.reader(fh, delimiter=separator), MAX_HEADER_SEARCH_ROWS):
                records.append(record)
        except csv.Error:
            pass
    return records


def _csv_header(path: Path, name: str, contract: Contract) -> _CsvHeader:
    """The header, found as in a workbook: the first of the top records naming at least half the required
    columns, read with each separator in turn. When none does, the first line, with the separator it holds."""
    for separator in SEPARATORS:
        top = _top_records(path, separator)
        index = _find_header(top, contract)
        if index is not None:
            return _CsvHeader(top[index], separator, index)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            first = fh.readline()
            separator = _separator(first)
            return _CsvHeader(next(csv.reader(itertools.chain([first], fh), delimiter=separator)), separator, 0)
    except StopIteration:
        raise UserInputError(f"{name}: the file is empty") from None
    except csv.Error as exc:
        raise UserInputError(f"{name}: cannot read the header line ({exc})") from None


_LINE = re.compile(r"CSV Error on Line: (\d+)")
_FIELDS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def _line_in_editor(utf8_path: Path, separator: str, line: int) -> int:
    """The line an editor shows for DuckDB's error line `line`, which does not count the line breaks inside
    quoted cells: where the `line`-th record (header and blank lines included) starts. Read again with
    Python's csv module, on the error path only."""
    start, number = 1, 0
    try:
        with open(utf8_path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, delimiter=separator)
            for number, _ in enumerate(reader, start=1):
                if number == line:
                    return start
                start = reader.line_num + 1
    except csv.Error:
        if number == line - 1:
            return start  # the record DuckDB names is the one the csv module cannot read either
    return line


def _csv_problem(name: str, exc: duckdb.Error, utf8_path: Path, separator: str) -> UserInputError:
    text = str(exc)
    line, fields = _LINE.search(text), _FIELDS.search(text)
    where = _line_in_editor(utf8_path, separator, int(line[1])) if line else None
    if where and fields:
        return UserInputError(
            f"{name}: line {where} has {fields[2]} fields but the header has {fields[1]}; "
            f"check for an unquoted {SEPARATORS[separator]} in that line"
        )
    if where and "unterminated quote" in text:
        return UserInputError(
            f"{name}: line {where} opens a quoted cell that is never closed; check that line for a stray double quote"
        )
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return UserInputError(f"{name}: not a readable CSV file{f' (line {where})' if where else ''}: {first}")


def _read_csv(utf8_path: Path, header: _CsvHeader, header_row: bool = True) -> str:
    """DuckDB's `read_csv(` call, without its closing parenthesis (options may follow): every column text."""
    columns = "{" + ", ".join(f"'{Staged.column(i)}': 'VARCHAR'" for i in range(len(header.cells))) + "}"
    return (
        f"read_csv({lit(str(utf8_path))}, auto_detect = false, header = {str(header_row).lower()}, "
        f"skip = {header.skip}, columns = {columns}, delim = {lit(header.separator)}, quote = '\"', "
        "escape = '\"', null_padding = true"
    )


def _buffer_option(con: duckdb.DuckDBPyConnection, utf8_path: Path) -> str:
    """A `buffer_size` giving each of DuckDB's threads one part of a large file (`""` for a small one).

    Each buffer is read as one batch; kept in file order (so rowid is the row's place), batches smaller than a
    row group are merged by copying them. DuckDB's smaller default buffers cut a 72 MB file into many such
    batches, and the copies took about 40% of reading it (0.44 s against 0.26 s, 2 threads); a part per thread
    reads as fast in parallel with nothing to merge. Capped, so a very large file is not held in a few huge
    buffers."""
    ((threads,),) = con.execute("SELECT current_setting('threads')").fetchall()
    size = min(-(-utf8_path.stat().st_size // int(threads)), MAX_CSV_BUFFER_BYTES)
    return f", buffer_size = {size}" if size > MIN_CSV_BUFFER_BYTES else ""


def _check_title_rows(con: duckdb.DuckDBPyConnection, name: str, utf8_path: Path, header: _CsvHeader) -> None:
    """DuckDB's `skip` can lose every row below a title row it cannot parse (a closing quote followed by text):
    the first record it reads after the rows it skips must be the header found by Python's csv module."""
    # serial: the parallel reader refuses null_padding in a file with line breaks inside quoted cells
    reader = f"{_read_csv(utf8_path, header, header_row=False)}, parallel = false)"
    first = con.execute(f"SELECT * FROM {reader} LIMIT 1").fetchall()
    found = [(cell or "").strip() for cell in first[0]] if first else []
    if found != [cell.strip() for cell in header.cells]:
        rows, them = ("row", "it") if header.skip == 1 else (f"{header.skip} rows", "them")
        raise UserInputError(f"{name}: cannot read the {rows} above the header; delete {them} and save the file again")


def stage_csv(
    con: duckdb.DuckDBPyConnection, file: InputFile, utf8_path: Path, contract: Contract, table: str
) -> Staged:
    """Read a UTF-8 CSV (BOM or not) into `table`; short rows are padded with NULLs, long rows reject the file."""
    header = _csv_header(utf8_path, file.name, contract)
    cells, separator = header.cells, header.separator
    headers = _blank_headers_named(cells)
    for extra in ("", ", parallel = false"):  # DuckDB's parallel reader cannot pad rows with quoted newlines
        try:
            reader = f"{_read_csv(utf8_path, header)}{extra}{_buffer_option(con, utf8_path)})"
            con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {reader}")
            break
        except duckdb.Error as exc:
            if extra or "parallel" not in str(exc):
                raise _csv_problem(file.name, exc, utf8_path, separator) from None
    if header.skip:
        _check_title_rows(con, file.name, utf8_path, header)
    view = f"{table}_rows"
    numbering = f"{table}_numbers"
    empty = _empty_unnamed(con, table, cells)
    if file.blank_lines and _number_rows_with_csv_module(con, table, numbering, utf8_path, header):
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {view} AS "
            f"SELECT n.__row, s.* FROM {table} AS s JOIN {numbering} AS n ON n.rowid = s.rowid"
        )
        return Staged(view, headers, (view, table, numbering), empty_unnamed=empty)
    offset = header.first_row
    con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT rowid + {offset} AS __row, * FROM {table}")
    return Staged(view, headers, (view, table), rowid_offset=offset, empty_unnamed=empty)


def _number_rows_with_csv_module(
    con: duckdb.DuckDBPyConnection, table: str, numbering: str, utf8_path: Path, header: _CsvHeader
) -> bool:
    """Store in `numbering` (by rowid) the row number of each row of `table` as Python's csv module counts them,
    blank lines included (`header.first_row` is the record after the header). False, storing nothing, when the two
    readers do not agree on the rows; the rows then keep DuckDB's numbering."""
    try:
        with open(utf8_path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, delimiter=header.separator)
            for _ in range(header.skip + 1):  # the title rows and the header
                next(reader, None)
            numbers = [number for number, record in enumerate(reader, start=header.first_row) if record]
    except csv.Error:
        return False
    ((rows,),) = con.execute(f"SELECT count(*) FROM {table}").fetchall()
    if len(numbers) != rows:
        return False
    create_table_from_lists(con, numbering, {"__row": ("BIGINT", numbers)})
    return True


# --- XLSX ----------------------------------------------------------------------------------------------------


def _cell_text(value: object, as_date: bool) -> str | None:
    """One spreadsheet cell as the text a CSV would have held (ISO dates; 34.0 -> 34)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) and as_date:
        from openpyxl.utils.datetime import from_excel

        try:
            return _cell_text(from_excel(value), as_date=False)
        except (ValueError, OverflowError):
            return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _data_sheet(workbook: Workbook, contract: Contract, name: str) -> tuple[Iterator[tuple], list[tuple], int]:
    """The first sheet with a header row among its top rows, so a cover or notes sheet before the data is
    passed over: (the rest of its rows, its top rows, the header's index among them)."""
    for sheet in workbook.worksheets:
        rows = sheet.iter_rows(values_only=True)
        top = list(itertools.islice(rows, MAX_HEADER_SEARCH_ROWS))
        header_index = _find_header(top, contract)
        if header_index is not None:
            return rows, top, header_index
    sheets = ", ".join(f"'{sheet.title}'" for sheet in workbook.worksheets)
    raise UserInputError(
        f"{name}: no header row naming the required columns ({', '.join(contract.required_columns)}) in the "
        f"first {MAX_HEADER_SEARCH_ROWS} rows of any sheet ({sheets})"
    )


def stage_xlsx(con: duckdb.DuckDBPyConnection, file: InputFile, contract: Contract, table: str) -> Staged:
    """Read the data sheet of a workbook into `table`, skipping any title rows above the header."""
    from openpyxl import load_workbook

    handle = open(file.path, "rb")  # noqa: SIM115 - a file, not its name: openpyxl refuses a name not ending .xlsx
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        handle.close()
        raise UserInputError(f"{file.name}: not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        rows, top, header_index = _data_sheet(workbook, contract, file.name)
        raw_headers = ["" if c is None else str(c) for c in top[header_index]]
        while raw_headers and not raw_headers[-1].strip():
            raw_headers.pop()  # trailing blank header cells are formatting, not columns
        headers = _blank_headers_named(raw_headers)
        header_map, date_columns = contract.header_map(), _date_columns(contract)
        dated = [header_map.get(normalise_header(h)) in date_columns for h in headers]  # numbers = Excel serials
        width = len(headers)
        values: list[list[str | None]] = [[] for _ in range(width)]
        numbers: list[int] = []
        for offset, row in enumerate(itertools.chain(top[header_index + 1 :], rows), start=1):
            cells = [_cell_text(v, dated[i]) if i < width else None for i, v in enumerate(row[:width])]
            if not any(c is not None and c.strip() for c in cells) and not any(
                v is not None and str(v).strip() for v in row[width:]
            ):
                continue  # blank row
            extra_cells = [v for v in row[width:] if v is not None and str(v).strip()]
            if extra_cells:
                raise UserInputError(
                    f"{file.name}: row {header_index + 1 + offset} has values beyond the last header column"
                )
            cells += [None] * (width - len(cells))
            for i, cell in enumerate(cells):
                values[i].append(cell)
            numbers.append(header_index + 1 + offset)  # the sheet's row: openpyxl reads a sheet from its row 1
    finally:
        workbook.close()
        handle.close()
    columns: dict[str, tuple[str, list[object]]] = {"__row": ("BIGINT", list(numbers))}
    columns |= {Staged.column(i): ("VARCHAR", list(col)) for i, col in enumerate(values)}
    create_table_from_lists(con, table, columns)
    view = f"{table}_rows"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM {table}")
    return Staged(view, headers, (view, table), empty_unnamed=_empty_unnamed(con, table, raw_headers))


def _date_columns(contract: Contract) -> set[str]:
    return {c.name for c in contract.columns if c.type in ("date", "datetime")}
