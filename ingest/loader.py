"""Loading one file of one source: the single loader every contract uses.

    inspect (sha256, kind, encoding) and stage (CSV/XLSX -> text table), at once -> duplicate? -> match headers
    -> prepare (type, map, judge in one SQL statement) -> ONE transaction:
       delete rows whose keys the file re-issues, insert good rows, insert quarantined rows, log the attempt
    -> export the quarantined rows as CSV for the sender.

Nothing reaches raw.* outside that transaction, so a failure or a kill at any point leaves the warehouse as it
was. A rejected file (UserInputError: unreadable, missing required column...) writes no data; its attempt is
recorded in raw.ingest_log with status `rejected`, and a failure inside the transaction with `failed`, each in
a transaction of its own after the data transaction has rolled back.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from concordat import paths, pseudonymise
from concordat.clock import utc_now
from concordat.contracts import Contract
from concordat.errors import UserInputError
from concordat.sql import lit, q
from ingest import faults, files
from ingest.headers import QUARANTINE_EXPORT_HEADER, match_headers
from ingest.readers import Staged, stage_csv, stage_xlsx
from ingest.schema import INGEST_LOG_COLUMNS, raw_table
from ingest.summary import IngestResult
from ingest.transform import Plan, extra_col, prepare, read_col

STAGE = "__ingest_stage"
CHECKED = "__ingest_checked"
BAD_ROWS = "__ingest_bad"
GOOD = "NOT __skip AND __check IS NULL"
BAD = "NOT __skip AND __check IS NOT NULL"


def _log(
    con: duckdb.DuckDBPyConnection,
    result: IngestResult,
    file_name: str,
    started: dt.datetime,
    key_check: str,
) -> None:
    row = {
        "attempt_id": uuid.uuid4().hex,
        "source": result.source,
        "file": file_name,
        "sha256": result.sha256 or None,
        "started_at": started,
        "finished_at": utc_now(),
        "status": result.status,
        "rows_read": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "rows_quarantined": result.rows_quarantined,
        "rows_skipped": result.rows_skipped,
        "rows_replaced": result.rows_replaced,
        "extra_columns": json.dumps(result.extra_columns),
        "message": result.message,
        "key_check": key_check,
    }
    names = [name for name, _ in INGEST_LOG_COLUMNS]
    con.execute(
        f"INSERT INTO raw.ingest_log ({', '.join(q(n) for n in names)}) VALUES ({', '.join('?' for _ in names)})",
        [row[n] for n in names],
    )


def _already_loaded(con: duckdb.DuckDBPyConnection, source: str, sha256: str) -> bool:
    found = con.execute(
        "SELECT 1 FROM raw.ingest_log WHERE source = ? AND sha256 = ? AND status = 'loaded' LIMIT 1",
        [source, sha256],
    ).fetchall()
    return bool(found)


def _stage(con: duckdb.DuckDBPyConnection, contract: Contract, file: files.InputFile) -> Staged:
    if file.kind == "xlsx":
        return stage_xlsx(con, file, contract, STAGE)
    if file.encoding == "utf-8":
        return stage_csv(con, file, file.path, contract, STAGE)
    copy = files.utf8_copy(file)
    try:
        return stage_csv(con, file, copy, contract, STAGE)
    finally:
        os.unlink(copy)


def _inspect_and_stage(
    con: duckdb.DuckDBPyConnection, contract: Contract, path: Path
) -> tuple[files.InputFile, Staged | None]:
    """The file inspected (hash, kind, encoding) and, when it could be, staged (None: stage it as inspected).

    A UTF-8 CSV, the usual file, is staged by DuckDB while a second thread inspects it: reading and hashing a large
    file takes a third as long as staging it. The inspection decides: its error comes first, and a file it finds
    is not a UTF-8 CSV, or has blank lines between rows (numbered apart), is staged again as it says."""
    if not files.likely_utf8_csv(path):
        return files.inspect(path), None
    with ThreadPoolExecutor(max_workers=1) as inspecting:
        found = inspecting.submit(files.inspect, path)
        try:
            early: Staged | None = stage_csv(con, files.InputFile(path, "", "csv", "utf-8", 0), path, contract, STAGE)
        except Exception:  # staging it again as inspected raises the same problem, in its turn
            early = None
        file = found.result()
    if file.kind == "csv" and file.encoding == "utf-8" and not file.blank_lines:
        return file, early
    return file, None


def _json_object(pairs: list[tuple[str, str]]) -> str:
    if not pairs:
        return "NULL::JSON"
    return "json_object(" + ", ".join(f"{lit(k)}, {v}" for k, v in pairs) + ")"


def _row_json(plan: Plan) -> str:
    """The row as read, identifiers already pseudonymised; extra columns under their own headers."""
    pairs = [(name, read_col(name)) for name in plan.present]
    pairs += [(header, extra_col(i)) for i, header in plan.extras]
    return _json_object(pairs)


def _count(con: duckdb.DuckDBPyConnection, plan: Plan, result: IngestResult) -> None:
    flags = "".join(f", count(*) FILTER (WHERE {GOOD} AND {sql})" for _, sql in plan.flag_rules)
    (counts,) = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {GOOD}), count(*) FILTER (WHERE {BAD}), "
        f"count(*) FILTER (WHERE __skip){flags} FROM {CHECKED}"
    ).fetchall()
    result.rows_read, result.rows_loaded, result.rows_quarantined, result.rows_skipped = counts[:4]
    result.flags_by_rule = {name: n for (name, _), n in zip(plan.flag_rules, counts[4:], strict=True) if n}


def _reasons(con: duckdb.DuckDBPyConnection, plan: Plan, result: IngestResult) -> None:
    """How many rows failed for each reason, and an example of each, from the failing rows."""
    reasons = con.execute(
        f"SELECT {plan.kind_sql()} AS kind, count(*) AS n, arg_min(__detail, __row) FROM {BAD_ROWS} "
        "GROUP BY kind ORDER BY n DESC, kind"
    ).fetchall()
    result.errors_by_reason = {kind: n for kind, n, _ in reasons}
    # one line: a value with a line break in it (a quoted cell) would break the summary line
    result.example_by_reason = {kind: " ".join(detail.split()) for kind, _, detail in reasons if detail}


def _write(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    plan: Plan,
    result: IngestResult,
    file: files.InputFile,
    started: dt.datetime,
    key_check: str,
) -> None:
    """The one transaction that changes raw.*: replace re-issued keys, load, quarantine, log."""
    table = raw_table(contract)
    loaded_at = utc_now()
    lineage = ["__extra", lit(file.name), lit(file.sha256), "__row", "?::TIMESTAMP"]
    own = [q(c.name) for c in contract.columns] + [q(name) for name, _, _ in contract.derived_columns]
    target = ", ".join(q(name) for name, _ in contract.raw_table_columns())
    key_match = " AND ".join(f"t.{q(k)} = g.{q(k)}" for k in contract.key)
    keys = ", ".join(q(k) for k in contract.key)
    con.execute("BEGIN TRANSACTION")
    try:
        ((has_rows,),) = con.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchall()
        if has_rows:  # an empty table (a first load) has no keys to replace
            ((deleted,),) = con.execute(
                f"DELETE FROM {table} AS t USING (SELECT DISTINCT {keys} FROM {CHECKED} WHERE {GOOD}) AS g "
                f"WHERE {key_match}"
            ).fetchall()
            result.rows_replaced = int(deleted)
        faults.checkpoint("delete")
        # Appending only: in parallel, in no particular order (each row carries its source_row_number); the
        # part-filled row groups this leaves are kept (ingest.command). Rows replaced: in order, compacted as usual.
        if not result.rows_replaced:
            con.execute("SET preserve_insertion_order = false")
        try:
            con.execute(
                f"INSERT INTO {table} ({target}) SELECT {', '.join(own + lineage)} FROM {CHECKED} WHERE {GOOD}",
                [loaded_at],
            )
        finally:
            con.execute("RESET preserve_insertion_order")
        faults.checkpoint("insert")
        if result.rows_quarantined:
            con.execute(
                f"INSERT INTO raw.quarantine SELECT ?, ?, ?, __row, {plan.column_sql()}, {plan.reason_sql()}, "
                f"{_row_json(plan)}, ?::TIMESTAMP FROM {BAD_ROWS} ORDER BY __row",
                [contract.source, file.name, file.sha256, loaded_at],
            )
        faults.checkpoint("quarantine")
        _log(con, result, file.name, started, key_check)
        faults.checkpoint("log")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _export_quarantine(con: duckdb.DuckDBPyConnection, contract: Contract, plan: Plan, file: files.InputFile) -> Path:
    """Quarantined rows as CSV (UTF-8 with a BOM), for the sender to correct: row number, column, reason, then
    the row as read."""
    out = paths.quarantine_dir() / f"{contract.source}-{file.path.stem}-{file.sha256[:8]}.csv"
    cells = [f"{read_col(n)} AS {q(n)}" for n in plan.present]
    cells += [f"{extra_col(i)} AS {q(h)}" for i, h in plan.extras]
    row_number, column_name, reason = QUARANTINE_EXPORT_HEADER  # ingest refuses a file that starts with them
    con.execute(
        f"COPY (SELECT __row AS {row_number}, {plan.column_sql()} AS {column_name}, {plan.reason_sql()} AS {reason}, "
        f"{', '.join(cells)} FROM {BAD_ROWS} ORDER BY __row) TO {lit(str(out))} (HEADER, DELIMITER ',')"
    )
    # a byte-order mark, so Excel (which senders open it in) reads UTF-8 rather than mangling £, é or –
    out.write_bytes(codecs.BOM_UTF8 + out.read_bytes())
    return out


def _drop_temporaries(con: duckdb.DuckDBPyConnection, plan: Plan | None, staged: Staged | None) -> None:
    for view in staged.tables[:1] if staged else ():
        con.execute(f"DROP VIEW IF EXISTS {view}")
    helpers = plan.temp_tables if plan else ()
    for table in (*(staged.tables[1:] if staged else ()), *helpers, CHECKED, BAD_ROWS):
        con.execute(f"DROP TABLE IF EXISTS {table}")


def load_file(con: duckdb.DuckDBPyConnection, contract: Contract, given: str, key: bytes) -> IngestResult:
    """Ingest one file; UserInputError (after logging the rejected attempt) when the file is not acceptable."""
    started, clock = utc_now(), time.perf_counter()
    key_check = pseudonymise.key_check(key)
    path = Path(given)
    result = IngestResult(source=contract.source, file=given, sha256="", status="rejected")
    staged: Staged | None = None
    plan: Plan | None = None
    try:
        try:
            file, staged = _inspect_and_stage(con, contract, path)
            result.sha256 = file.sha256
            if _already_loaded(con, contract.source, file.sha256):
                result.status = "duplicate"
                result.message = "same file already loaded for this source"
                _log(con, result, file.name, started, key_check)
                return result
            staged = staged or _stage(con, contract, file)
            match = match_headers(contract, staged.headers, file.name, staged.empty_unnamed)
        except UserInputError as exc:
            result.message = str(exc)
            _log(con, result, path.name, started, key_check)
            raise
        result.extra_columns = [header for _, header in match.extras]
        plan = prepare(con, contract, staged, match, key, CHECKED, BAD_ROWS)
        _count(con, plan, result)
        if result.rows_quarantined:
            con.execute(plan.bad_sql)
            _reasons(con, plan, result)
        result.status = "loaded"
        try:
            _write(con, contract, plan, result, file, started, key_check)
        except Exception as exc:
            failed = IngestResult(source=contract.source, file=given, sha256=file.sha256, status="failed")
            failed.message = f"{type(exc).__name__}: {exc}"
            _log(con, failed, file.name, started, key_check)
            raise
        if result.rows_quarantined:
            result.quarantine_file = str(_export_quarantine(con, contract, plan, file))
        return result
    finally:
        result.seconds = time.perf_counter() - clock
        _drop_temporaries(con, plan, staged)
