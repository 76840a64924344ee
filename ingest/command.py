"""`concordat ingest SOURCE PATH... [--json]` (specs/cli.md): load files of one source into the build warehouse.

Each file is loaded on its own (ingest.loader) and reported in one line, or one JSON object with --json. A
rejected file is reported on stderr, naming the file and the problem, and the others are still loaded; the exit
code is then 2. An internal error stops the command (exit 3) after its file has been rolled back.
"""

from __future__ import annotations

import argparse
import contextlib
import sys

import duckdb

from concordat import contracts, database, paths, progress
from concordat.errors import UserInputError
from concordat.pseudonymise import key_check, key_source, load_key
from ingest.loader import load_file
from ingest.schema import ensure_raw_tables
from ingest.summary import IngestResult


def verify_key(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """Refuse a pseudonymisation key other than the one the files already loaded were pseudonymised with."""
    recorded = con.execute(
        "SELECT key_check FROM raw.ingest_log WHERE status = 'loaded' AND key_check IS NOT NULL "
        "ORDER BY finished_at DESC LIMIT 1"
    ).fetchone()
    if recorded and recorded[0] != key_check(key):
        raise UserInputError(
            f"the pseudonymisation key ({key_source()}) is not the one the files already in "
            f"{paths.build_warehouse()} were loaded with: the same person would get another pseudonym, breaking "
            "repeat detentions and officer links; use that key, or load into a new CONCORDAT_HOME"
        )


def run(args: argparse.Namespace) -> int:
    contract = contracts.get(args.source)
    json_mode = bool(getattr(args, "json", False))
    key = load_key()
    con = database.connect(paths.build_warehouse())
    exit_code = 0
    replaced = False
    try:
        ensure_raw_tables(con)
        verify_key(con, key)
        for given in args.paths:
            try:
                with progress.step(f"ingest {contract.source} {given}", json_mode):
                    result = load_file(con, contract, given, key)
            except UserInputError as exc:
                print(f"concordat ingest: {exc}", file=sys.stderr, flush=True)
                if json_mode:
                    rejected = IngestResult(source=contract.source, file=given, sha256="", status="rejected")
                    rejected.message = str(exc)
                    print(rejected.json_line(), flush=True)
                exit_code = 2
                continue
            replaced = replaced or result.rows_replaced > 0
            print(result.json_line() if json_mode else result.human_line(), flush=True)
    finally:
        if not replaced:
            # nothing deleted, nothing to compact: the checkpoint on closing keeps the part-filled row groups of
            # an appending (parallel) insert rather than merge them, which costs about as much as the insert did
            with contextlib.suppress(duckdb.Error):  # never in the way of the error that ended the command
                con.execute("SET max_vacuum_tasks = 0")
        con.close()
    return exit_code
