"""The one SQL statement that types, maps and judges every row of a staged file, driven by its contract.

For a staged file (ingest.readers) and its header match (ingest.headers) it builds

    src     the cells, trimmed (blank -> NULL); pseudonymised columns hashed here, so no raw identifier
            travels further; extra columns as read
    parsed  dates, numbers
    typed   every contract column in its SQL type; categories, forces and financial years joined from the
            mapping tables (ingest.categories); derived columns (age_band from age, is_suppressed)
    judged  per row the first failing check, in contract column order, as (__column, __kind, __detail);
            __skip for rows outside the contract's scope
    keyed   a repeated key among otherwise good rows: the later rows fail with "duplicate key"

into a temp table the loader then copies into raw.<source> and raw.quarantine. `__kind` is the reason without
the offending value (for counting); the quarantine reason is `__kind || __detail`.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from concordat import pseudonymise
from concordat.contracts import Column, Contract
from ingest import formats
from ingest.categories import MAPPED_TYPES, create_mapping_table
from ingest.headers import HeaderMatch
from ingest.readers import Staged

#: Longest cell value quoted back in a quarantine reason.
DETAIL_CHARS = 60
_INT32 = 2**31


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _list(items: tuple[str, ...]) -> str:
    return "[" + ", ".join(lit(i) for i in items) + "]"


def _in(items: tuple[str, ...]) -> str:
    return "(" + ", ".join(lit(i) for i in items) + ")"


def read_col(name: str) -> str:
    """The column of `src` holding a contract column as read (trimmed; pseudonym for identifiers)."""
    return q(f"__v__{name}")


def extra_col(index: int) -> str:
    return q(f"__x{index}")


@dataclass(frozen=True)
class Check:
    """A row error: `condition` is TRUE when the row fails; `detail` is SQL appended to `kind` in the reason."""

    condition: str
    column: str
    kind: str
    detail: str | None = None


@dataclass(frozen=True)
class Plan:
    """Everything the loader needs to write a checked file: the SQL, and which columns to copy where."""

    sql: str
    mapping_tables: tuple[str, ...]
    present: tuple[str, ...]  # contract columns found in the file
    extras: tuple[tuple[int, str], ...]
    flag_rules: tuple[tuple[str, str], ...]  # (rule name, SQL TRUE when the row is flagged)


class _Builder:
    def __init__(self, contract: Contract, staged: Staged, match: HeaderMatch, key: bytes) -> None:
        self.contract = contract
        self.staged = staged
        self.match = match
        self.key = key
        self.src: list[str] = []
        self.parsed: list[str] = []
        self.typed: list[str] = []
        self.joins: list[str] = []
        self.checks: list[Check] = []
        self.maps: list[tuple[str, Column, str | None]] = []

    # -- per column ---------------------------------------------------------------------------------------

    def value(self, col: Column) -> str:
        """The meaningful value: as read, with the column's null and suppressed tokens as NULL."""
        suppressed = (col.suppressed_token,) if col.suppressed_token else ()
        tokens = tuple(t.upper() for t in (*col.null_tokens, *suppressed))
        ref = read_col(col.name)
        return f"(CASE WHEN upper({ref}) IN {_in(tokens)} THEN NULL ELSE {ref} END)" if tokens else ref

    def add_source(self, col: Column) -> None:
        index = self.match.columns.get(col.name)
        cell = "NULL::VARCHAR" if index is None else f"nullif(trim({q(Staged.column(index))}), '')"
        if col.pseudonymised:
            cell = pseudonymise.sql_expression(cell, self.key)
        self.src.append(f"{cell} AS {read_col(col.name)}")

    def typed_expression(self, col: Column) -> str:
        v = self.value(col)
        p = q(f"__p__{col.name}")
        if col.type in ("text",):
            return v
        if col.type in ("datetime", "date"):
            fmts = formats.DATETIME_FORMATS if col.type == "datetime" else formats.DATE_FORMATS
            self.parsed.append(f"try_strptime({v}, {_list(fmts)}) AS {p}")
            plausible = (
                f"CASE WHEN {p} >= TIMESTAMP {lit(formats.EARLIEST_DATE)} "
                f"AND {p} < TIMESTAMP {lit(formats.LATEST_DATE_EXCLUSIVE)} THEN {p} END"
            )
            return plausible if col.type == "datetime" else f"({plausible})::DATE"
        if col.type in ("int", "decimal"):
            # `29,000`: thousands separators are accepted, any other comma is not a number.
            number = (
                f"CASE WHEN {v} LIKE '%,%' AND regexp_full_match({v}, '-?\\d{{1,3}}(,\\d{{3}})+(\\.\\d+)?') "
                f"THEN replace({v}, ',', '') ELSE {v} END"
            )
            self.parsed.append(f"try_cast({number} AS DOUBLE) AS {p}")
            if col.type == "decimal":
                return f"CASE WHEN isfinite({p}) THEN {p} END"
            return f"CASE WHEN {p} = trunc({p}) AND abs({p}) < {_INT32} THEN {p}::INTEGER END"
        if col.type == "bool":
            return (
                f"CASE WHEN lower({v}) IN {_in(formats.TRUE_TOKENS)} THEN true "
                f"WHEN lower({v}) IN {_in(formats.FALSE_TOKENS)} THEN false END"
            )
        if col.type in MAPPED_TYPES:
            alias = q(f"__m__{col.name}")
            table = f"__map_{self.contract.source}_{col.name}"
            context = self.value(self.contract.column(col.depends_on)) if col.depends_on else None
            self.maps.append((table, col, context))
            on = f"{alias}.raw = {v}" + (f" AND {alias}.context IS NOT DISTINCT FROM {context}" if context else "")
            self.joins.append(f"LEFT JOIN {table} AS {alias} ON {on}")
            mapped = f"{alias}.value"
            return f"coalesce({mapped}, CASE WHEN {v} IS NULL THEN {lit(col.default)} END)" if col.default else mapped
        raise ValueError(f"no typing rule for {col.type}")

    def add_checks(self, col: Column) -> None:
        v, t, name = self.value(col), q(col.name), col.name
        shown = f"' (' || left({read_col(name)}, {DETAIL_CHARS}) || ')'"
        if col.required and not col.default:
            self.checks.append(Check(f"{v} IS NULL", name, f"{name} is required"))
        kinds = {
            "datetime": f"{name} is not a date",
            "date": f"{name} is not a date",
            "int": f"{name} is not a whole number",
            "decimal": f"{name} is not a number",
            "bool": f"{name} is not yes/no",
            "category": f"{name}: unknown category",
            "force": f"{name}: unknown force",
            "fy_label": f"{name} is not a financial year like 2023/24",
        }
        if col.type in kinds:
            detail = f"' ''' || left({v}, {DETAIL_CHARS}) || ''''" if col.type in MAPPED_TYPES else shown
            if col.depends_on:
                detail += f" || ' for {col.depends_on} ' || coalesce({q(col.depends_on)}, '?')"
            self.checks.append(Check(f"{v} IS NOT NULL AND {t} IS NULL", name, kinds[col.type], detail))
        if col.minimum is not None or col.maximum is not None:
            lo, hi = _number(col.minimum), _number(col.maximum)
            bounds = [f"{t} < {lo}"] if lo is not None else []
            bounds += [f"{t} > {hi}"] if hi is not None else []
            kind = (
                f"{name} out of range {lo}-{hi}"
                if lo is not None and hi is not None
                else (f"{name} must be at least {lo}" if lo is not None else f"{name} must be at most {hi}")
            )
            self.checks.append(Check(f"{t} IS NOT NULL AND ({' OR '.join(bounds)})", name, kind, shown))

    # -- derived columns ----------------------------------------------------------------------------------

    def derived(self, name: str) -> str:
        if name == "is_suppressed":
            flags = [
                f"coalesce({read_col(c.name)} = {lit(c.suppressed_token)}, false)"
                for c in self.contract.columns
                if c.suppressed_token
            ]
            return " OR ".join(flags) or "false"
        raise ValueError(f"{self.contract.source}: no rule for derived column {name!r}")

    # -- the statement ------------------------------------------------------------------------------------

    def build(self, table: str) -> Plan:
        contract = self.contract
        for col in contract.columns:
            self.add_source(col)
        typed_cols: dict[str, str] = {}
        for col in contract.columns:
            typed_cols[col.name] = self.typed_expression(col)
        _derive_age_band(contract, typed_cols)
        self.typed = [f"{expr} AS {q(name)}" for name, expr in typed_cols.items()]
        self.typed += [f"{self.derived(name)} AS {q(name)}" for name, _, _ in contract.derived_columns]
        for col in contract.columns:
            self.add_checks(col)
        for rule in contract.row_rules:
            if rule.action == "reject":
                self.checks.append(Check(f"NOT coalesce(({rule.sql}), true)", rule.column, rule.reason))
        extras = self.match.extras
        src = ["__row", *self.src, *(f"{q(Staged.column(i))} AS {extra_col(i)}" for i, _ in extras)]
        skip = f"(({contract.scope_sql}) IS FALSE)" if contract.scope_sql else "false"

        def case(pick: str) -> str:
            whens = " ".join(f"WHEN {c.condition} THEN {pick_value(c, pick)}" for c in self.checks)
            return f"CASE {whens} END" if whens else "NULL::VARCHAR"

        keys = ", ".join(q(k) for k in contract.key)
        dup = f"duplicate key ({', '.join(contract.key)}) in this file"
        sql = f"""
CREATE OR REPLACE TEMP TABLE {table} AS
WITH src AS (SELECT {", ".join(src)} FROM {self.staged.view}),
parsed AS (SELECT src.*{"".join(", " + p for p in self.parsed)} FROM src),
typed AS (SELECT parsed.*, {", ".join(self.typed)} FROM parsed {" ".join(self.joins)}),
judged AS (
    SELECT *, {skip} AS __skip, {case("column")} AS __column, {case("kind")} AS __kind,
        {case("detail")} AS __detail
    FROM typed),
keyed AS (
    SELECT *, CASE WHEN __kind IS NULL AND NOT __skip
        THEN min(__row) OVER (PARTITION BY __kind IS NULL AND NOT __skip, {keys}) END AS __first
    FROM judged)
SELECT * EXCLUDE (__column, __kind, __detail, __first),
    CASE WHEN __first < __row THEN {lit(contract.key[-1])} ELSE __column END AS __column,
    CASE WHEN __first < __row THEN {lit(dup)} ELSE __kind END AS __kind,
    CASE WHEN __first < __row THEN ' (first at row ' || __first || ')' ELSE __detail END AS __detail
FROM keyed"""
        flags = tuple((r.name, f"NOT coalesce(({r.sql}), true)") for r in contract.row_rules if r.action == "flag")
        present = tuple(c.name for c in contract.columns if c.name in self.match.columns)
        return Plan(sql, tuple(t for t, _, _ in self.maps), present, extras, flags)


def pick_value(check: Check, pick: str) -> str:
    if pick == "column":
        return lit(check.column)
    if pick == "kind":
        return lit(check.kind)
    return check.detail or "NULL::VARCHAR"


def _number(value: float | None) -> str | None:
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else str(value)


def _derive_age_band(contract: Contract, typed: dict[str, str]) -> None:
    """`age_band` follows `age` when age is given (contract: "derived from age when age is given")."""
    if "age" in typed and "age_band" in typed:
        age = f"({typed['age']})"
        typed["age_band"] = (
            f"CASE WHEN {age} IS NULL THEN {typed['age_band']} WHEN {age} < 18 THEN 'Under 18' ELSE '18 and over' END"
        )


def prepare(
    con: duckdb.DuckDBPyConnection, contract: Contract, staged: Staged, match: HeaderMatch, key: bytes, table: str
) -> Plan:
    """Build the mapping tables and the checked table `table` for one staged file."""
    builder = _Builder(contract, staged, match, key)
    plan = builder.build(table)
    src_view = f"{table}_src"
    # The mapping tables read the same trimmed values the statement joins on.
    con.execute(f"CREATE OR REPLACE TEMP VIEW {src_view} AS SELECT {', '.join(builder.src)} FROM {staged.view}")
    try:
        for map_table, col, context in builder.maps:
            create_mapping_table(con, map_table, contract, col, builder.value(col), context, src_view)
    finally:
        con.execute(f"DROP VIEW IF EXISTS {src_view}")
    con.execute(plan.sql)
    return plan
