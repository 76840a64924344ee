"""The privacy profile: one row per column of every table in the warehouse schemas, counted in DuckDB.

Scanning every text value of every table with three patterns is what GX would do slowest (regexes over pandas
object columns, a million rows per table at national scale). DuckDB does it in one aggregate query per table;
the ``privacy`` suite then checks the counts. No value found is ever copied into the profile: only counts, so a
failed check does not leak what it found into ``marts.dq_results``.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from concordat.contracts import CONTRACTS, normalise_header
from concordat.sql import lit, q

SCHEMAS = ("raw", "staging", "intermediate", "marts")
TEXT_TYPES = ("VARCHAR",)
JSON_TYPES = ("JSON",)

#: The contracts' pseudonymised columns; a column named like one (or ending in `_<name>`) descends from it.
PSEUDONYMISED = tuple(sorted({name for c in CONTRACTS.values() for name in c.pseudonymised_columns}))
PSEUDONYM_REGEX = "[0-9a-f]{32}"
NHS_SHAPE_REGEX = r"\d{3}[ -]?\d{3}[ -]?\d{4}"
#: Whole JSON values shaped like an NHS number: a quoted string, or a bare 10-digit number.
NHS_IN_JSON_STRING = r'"(\d{3}[ -]?\d{3}[ -]?\d{4})"'
NHS_IN_JSON_NUMBER = r"[:,\[]\s*(\d{10})\s*[,}\]]"
#: A whole text value that is a calendar date (dd/mm/yyyy, yyyy-mm-dd, 1 Jan 1990 ...).
DATE_TEXT_REGEX = (
    r"\d{1,2}[/.-]\d{1,2}[/.-](\d{2}|\d{4})|\d{4}[/.-]\d{1,2}[/.-]\d{1,2}"
    r"|\d{1,2}\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{2,4}"
)


def nhs_number_sql(value: str) -> str:
    """SQL: TRUE when the text expression is shaped like an NHS number with a valid modulus-11 check digit.

    Check digit: 11 - (sum of the first nine digits weighted 10..2) mod 11; 11 means 0 and 10 is never valid.
    """
    digits = f"regexp_replace(trim({value}), '[ -]', '', 'g')"
    weighted = f"list_sum([cast(substr({digits}, i, 1) as integer) * (11 - i) for i in range(1, 10)])"
    return (
        f"case when regexp_full_match(trim({value}), {lit(NHS_SHAPE_REGEX)}) "
        f"then (11 - {weighted} % 11) % 11 = cast(substr({digits}, 10, 1) as integer) else false end"
    )


def _json_nhs_sql(column: str) -> str:
    text = f"cast({column} as varchar)"
    candidates = (
        f"list_concat(regexp_extract_all({text}, {lit(NHS_IN_JSON_STRING)}, 1), "
        f"regexp_extract_all({text}, {lit(NHS_IN_JSON_NUMBER)}, 1))"
    )
    return f"len(list_filter({candidates}, lambda x: {nhs_number_sql('x')})) > 0"


def is_identifier(column: str) -> str | None:
    """The pseudonymised contract column a column descends from (`officer_id`, `detaining_officer_id`), if any."""
    name = column.lower()
    for pseudo in PSEUDONYMISED:
        if name == pseudo or name.endswith("_" + pseudo):
            return pseudo
    return None


def _unhashed_sql(value: str) -> str:
    return f"nullif(trim({value}), '') is not null and not regexp_full_match({value}, {lit(PSEUDONYM_REGEX)})"


def _column_checks(column: str, data_type: str) -> dict[str, str]:
    """The filter condition of each count for one column (only what applies to its type and name)."""
    col = q(column)
    checks: dict[str, str] = {}
    if data_type in TEXT_TYPES:
        # cheap length tests first: DuckDB skips the regexes for every value that cannot match
        checks["nhs_number_values"] = f"length({col}) between 10 and 20 and {nhs_number_sql(col)}"
        checks["date_of_birth_values"] = (
            f"length({col}) between 6 and 24 and regexp_full_match(lower(trim({col})), {lit(DATE_TEXT_REGEX)})"
        )
        if is_identifier(column):
            checks["unhashed_identifier_values"] = _unhashed_sql(col)
    elif data_type in JSON_TYPES:
        checks["nhs_number_values"] = _json_nhs_sql(col)
        extracted = [f"json_extract_string({col}, {lit('$.' + p)})" for p in PSEUDONYMISED]
        checks["unhashed_identifier_values"] = " or ".join(f"coalesce({_unhashed_sql(e)}, false)" for e in extracted)
    return checks


COUNTS = ("nhs_number_values", "date_of_birth_values", "unhashed_identifier_values")


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        f"""
        select table_schema || '.' || table_name, column_name, data_type
        from information_schema.columns
        where table_schema in ({", ".join(lit(s) for s in SCHEMAS)})
        order by table_schema, table_name, ordinal_position
        """
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type))
    return tables


def _profile_table(con: duckdb.DuckDBPyConnection, table: str, columns: list[tuple[str, str]]) -> list[dict]:
    person_level = any(is_identifier(c) for c, _ in columns)
    selects: list[str] = []
    for column, data_type in columns:
        for count, condition in _column_checks(column, data_type).items():
            selects.append(f"count(*) filter (where {condition}) as {q(column.lower() + '/' + count)}")
    json_columns = [c for c, t in columns if t in JSON_TYPES]
    rows = [
        {"table_name": table, "column_name": column.lower(), "data_type": data_type, "person_level": person_level}
        for column, data_type in columns
    ]
    schema, name = table.split(".", 1)
    relation = f"{q(schema)}.{q(name)}"
    try:
        counts = {}
        if selects:
            cur = con.execute(f"select {', '.join(selects)} from {relation}")
            counts = dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
        for column in json_columns:
            keys = con.execute(
                f"select distinct unnest(json_keys({q(column)})) from {relation} "
                f"where json_type({q(column)}) = 'OBJECT'"
            ).fetchall()
            rows += [
                {
                    "table_name": table,
                    "column_name": f"{column.lower()}.{normalise_header(key)}",
                    "data_type": "JSON key",
                    "person_level": person_level,
                }
                for (key,) in keys
            ]
    except duckdb.Error as exc:
        return [{**rows[0], "column_name": "*", "scan_error": str(exc).splitlines()[0]}]
    for row in rows:
        for count in COUNTS:
            row[count] = int(counts.get(f"{row['column_name']}/{count}", 0)) if row["data_type"] != "JSON key" else 0
    return rows


def profile(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per column (and JSON key) of every table in the warehouse schemas, with the privacy counts."""
    rows: list[dict] = []
    for table, columns in _tables(con).items():
        rows += _profile_table(con, table, columns)
    frame = pd.DataFrame(
        rows,
        columns=["table_name", "column_name", "data_type", "person_level", *COUNTS, "scan_error"],
    )
    for count in COUNTS:
        frame[count] = frame[count].fillna(0).astype("int64")
    frame["person_level"] = frame["person_level"].astype(bool)
    frame["scan_error"] = frame["scan_error"].astype(object)
    return frame
