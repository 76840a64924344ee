"""The one SQL statement that types, maps and judges every row of a staged file, driven by its contract.

Before it, each lookup column gets a small table of its DISTINCT raw cells: categories, forces and financial
years mapped in Python by the contract's own rules (ingest.categories), identifiers hashed in DuckDB
(`pseudonym_sql`); a million rows have a few hundred distinct categories, so nothing runs per row in Python.
Then, for a staged file (ingest.readers) and its header match (ingest.headers):

    src     the cells, trimmed (blank -> NULL); lookup columns passed on raw, to be joined
    parsed  dates and numbers
    typed   every contract column in its SQL type: lookups joined (their trimmed value becomes `__v__<name>`,
            identifiers become pseudonyms), derived columns (age_band from age, is_suppressed)
    judged  `__check`: the number of the first failing check of the row, in contract column order (NULL when
            the row is fine); `__skip` for rows outside the contract's scope

Only what the load needs is materialised (typed columns, `__extra`, `__skip`, `__check`, `__detail`), so no raw
identifier is. A narrow statement then finds keys repeated among otherwise good rows: the later rows fail the
last check, "duplicate key" (`Plan.duplicate_sql`; a window over the wide rows was most of the cost). The row as read,
for quarantine, is rebuilt last, when some rows fail, for those only, identifiers hashed (`Plan.bad_sql`); there, rows
failing a required column whose every cell is blank become "empty row". The reason in quarantine is the check's
`kind` followed by `__detail` (the offending value).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import duckdb

from concordat import pseudonymise
from concordat.clock import uk_now
from concordat.contracts import Column, Contract
from concordat.sql import lit, q
from ingest import formats
from ingest.categories import MAPPED_TYPES, MappingSpec, create_mapping_tables
from ingest.headers import HeaderMatch
from ingest.readers import Staged

#: Longest cell value quoted back in a quarantine reason.
DETAIL_CHARS = 60
_INT32 = 2**31


def _list(items: tuple[str, ...]) -> str:
    return "[" + ", ".join(lit(i) for i in items) + "]"


def _in(items: tuple[str, ...]) -> str:
    return "(" + ", ".join(lit(i) for i in items) + ")"


def read_col(name: str) -> str:
    """The column holding a contract column as read (trimmed; the pseudonym for identifiers)."""
    return q(f"__v__{name}")


def extra_col(index: int) -> str:
    return q(f"__x{index}")


def _case(pairs: list[tuple[str, str]], default: str = "NULL") -> str:
    if not pairs:
        return default
    return "CASE " + " ".join(f"WHEN {cond} THEN {value}" for cond, value in pairs) + f" ELSE {default} END"


@dataclass(frozen=True)
class Check:
    """A row error: `condition` is TRUE when the row fails; `detail` is SQL appended to `kind` in the reason."""

    condition: str
    column: str
    kind: str
    detail: str | None = None
    missing_value: bool = False  # a required column is blank: how an emptied row first fails (Plan.bad_sql)


@dataclass(frozen=True)
class Plan:
    """The SQL of one file's load, and what the loader needs to copy rows where they belong."""

    sql: str  # CREATE the checked table
    duplicate_sql: str  # UPDATE it: later rows of a key repeated within the file fail
    bad_sql: str  # CREATE the table of failing rows as read (row number, check, detail, cells); rows failing a
    # required column whose every cell is blank are empty rows there
    mapping: tuple[MappingSpec, ...]
    present: tuple[str, ...]  # contract columns found in the file
    extras: tuple[tuple[int, str], ...]
    checks: tuple[Check, ...]  # `__check` = index + 1; the last is the duplicate key
    flag_rules: tuple[tuple[str, str], ...]  # (rule name, SQL TRUE when the row is flagged)
    pseudonym_tables: tuple[str, ...] = ()

    @property
    def temp_tables(self) -> tuple[str, ...]:
        """The helper tables to drop after the load (besides the checked and bad-row tables)."""
        return (*(spec.table for spec in self.mapping), *self.pseudonym_tables)

    def column_sql(self) -> str:
        """SQL naming the failing column of a row from its `__check`."""
        return (
            "CASE __check " + " ".join(f"WHEN {i} THEN {lit(c.column)}" for i, c in enumerate(self.checks, 1)) + " END"
        )

    def kind_sql(self) -> str:
        """SQL giving the reason (without the value) of a row from its `__check`."""
        return "CASE __check " + " ".join(f"WHEN {i} THEN {lit(c.kind)}" for i, c in enumerate(self.checks, 1)) + " END"

    def reason_sql(self) -> str:
        return f"({self.kind_sql()}) || coalesce(__detail, '')"


class _Builder:
    def __init__(self, contract: Contract, staged: Staged, match: HeaderMatch, key: bytes) -> None:
        self.contract = contract
        self.staged = staged
        self.match = match
        self.key = key
        self.parsed: list[str] = []
        self.joins: list[str] = []
        self.checks: list[Check] = []
        self.mapping: list[MappingSpec] = []
        self.lookup_values: list[str] = []

    # -- per column ---------------------------------------------------------------------------------------

    def value(self, col: Column, ref: str | None = None) -> str:
        """The meaningful value of a cell as read (`ref`, default the column's `src` value): the column's null
        and suppressed tokens are NULL."""
        suppressed = (col.suppressed_token,) if col.suppressed_token else ()
        tokens = tuple(t.upper() for t in (*col.null_tokens, *suppressed))
        ref = ref or read_col(col.name)
        return f"(CASE WHEN upper({ref}) IN {_in(tokens)} THEN NULL ELSE {ref} END)" if tokens else ref

    def is_lookup(self, col: Column) -> bool:
        """Typed by joining a table of its distinct cells (categories, forces, years, pseudonyms)."""
        return col.name in self.match.columns and (col.type in MAPPED_TYPES or col.pseudonymised)

    def raw_cell(self, col: Column) -> str:
        return q(Staged.column(self.match.columns[col.name]))

    @staticmethod
    def trimmed(ref: str) -> str:
        return f"nullif(trim({ref}), '')"

    def source_cells(self, hashed: bool) -> list[str]:
        """The `src` select list: each contract column as read (trimmed), then the extras.

        Without `hashed` (the load statement), lookup columns are passed on untrimmed as `__c__<name>`: they are
        trimmed, mapped and pseudonymised once per distinct cell in their lookup table, which also gives their
        `__v__<name>` (in `typed`), so raw identifiers are never materialised. With `hashed` (the failing rows,
        kept as read in quarantine), every cell is trimmed and identifiers are replaced by their pseudonyms."""
        cells = []
        for col in self.contract.columns:
            if col.name not in self.match.columns:
                cells.append(f"NULL::VARCHAR AS {read_col(col.name)}")
            elif self.is_lookup(col) and not hashed:
                cells.append(f"{self.raw_cell(col)} AS {q(f'__c__{col.name}')}")
            else:
                cell = self.trimmed(self.raw_cell(col))
                if col.pseudonymised:
                    cell = pseudonymise.sql_expression(cell, self.key)
                cells.append(f"{cell} AS {read_col(col.name)}")
        cells += [f"{q(Staged.column(i))} AS {extra_col(i)}" for i, _ in self.match.extras]
        return cells

    def _datetime(self, col: Column, v: str, p: str) -> str:
        offset = ""  # a date-time with a UTC offset, in UK local time; tried only after the usual forms
        if col.type == "datetime":
            iso, uk, cast = formats.ISO_DATETIME_PATTERN, formats.UK_DATETIME_FORMATS, f"try_cast({v} AS TIMESTAMP)"
            offset = (
                f" WHEN regexp_full_match({v}, {lit(formats.ISO_OFFSET_DATETIME_PATTERN)}) "
                f"THEN timezone({lit(formats.UK_TIME_ZONE)}, try_cast({v} AS TIMESTAMPTZ))"
            )
        else:
            iso, uk, cast = formats.ISO_DATE_PATTERN, formats.UK_DATE_FORMATS, f"try_cast(left({v}, 10) AS TIMESTAMP)"
        self.parsed.append(
            f"CASE WHEN regexp_full_match({v}, {lit(iso)}) THEN {cast} "
            f"WHEN {v} LIKE '%/%' THEN try_strptime({v}, {_list(uk)}){offset} END AS {p}"
        )
        plausible = (
            f"CASE WHEN {p} >= TIMESTAMP {lit(formats.EARLIEST_DATE)} "
            f"AND {p} < TIMESTAMP {lit(formats.LATEST_DATE_EXCLUSIVE)} THEN {p} END"
        )
        return plausible if col.type == "datetime" else f"({plausible})::DATE"

    def _number(self, col: Column, v: str, p: str) -> str:
        # `29,000`: thousands separators are accepted, any other comma is not a number.
        number = (
            f"CASE WHEN {v} LIKE '%,%' AND regexp_full_match({v}, '-?\\d{{1,3}}(,\\d{{3}})+(\\.\\d+)?') "
            f"THEN replace({v}, ',', '') ELSE {v} END"
        )
        self.parsed.append(f"try_cast({number} AS DOUBLE) AS {p}")
        if col.type == "decimal":
            return f"CASE WHEN isfinite({p}) THEN {p} END"
        return f"CASE WHEN {p} = trunc({p}) AND abs({p}) < {_INT32} THEN {p}::INTEGER END"

    def _lookup(self, col: Column) -> str:
        """Join the column's lookup table on the raw cell; expose its trimmed value as `__v__<name>`."""
        alias = q(f"__m__{col.name}")
        on = f"{alias}.cell = {q(f'__c__{col.name}')}"
        if col.pseudonymised:
            table = self.pseudonym_table(col)
        else:
            parent = self.contract.column(col.depends_on) if col.depends_on else None
            context_cell = self.raw_cell(parent) if parent and self.is_lookup(parent) else None
            spec = MappingSpec(
                table=f"__map_{self.contract.source}_{col.name}",
                column=col,
                cell_sql=self.raw_cell(col),
                value_sql=self.value(col, self.trimmed("cell")),
                context_cell_sql=context_cell,
                context_sql=self.value(parent, self.trimmed("context_cell")) if context_cell and parent else None,
            )
            self.mapping.append(spec)
            table = spec.table
            if context_cell:
                on += f" AND {alias}.context_cell IS NOT DISTINCT FROM {q(f'__c__{col.depends_on}')}"
        self.joins.append(f"LEFT JOIN {table} AS {alias} ON {on}")
        self.lookup_values.append(f"{alias}.trimmed AS {read_col(col.name)}")
        if col.default:
            return f"CASE WHEN {alias}.trimmed IS NULL THEN {lit(col.default)} ELSE {alias}.value END"
        return f"{alias}.value"

    def typed_expression(self, col: Column) -> str:
        v, p = self.value(col), q(f"__p__{col.name}")
        if self.is_lookup(col):
            return self._lookup(col)
        if col.name not in self.match.columns and (col.type in MAPPED_TYPES or col.pseudonymised):
            return lit(col.default) if col.default else "NULL::VARCHAR"
        if col.type == "text":
            return v
        if col.type in ("datetime", "date"):
            return self._datetime(col, v, p)
        if col.type in ("int", "decimal"):
            return self._number(col, v, p)
        if col.type == "bool":
            return (
                f"CASE WHEN lower({v}) IN {_in(formats.TRUE_TOKENS)} THEN true "
                f"WHEN lower({v}) IN {_in(formats.FALSE_TOKENS)} THEN false END"
            )
        raise ValueError(f"no typing rule for {col.type}")

    def add_checks(self, col: Column) -> None:
        v, t, name = self.value(col), q(col.name), col.name
        shown = f"' (' || left({read_col(name)}, {DETAIL_CHARS}) || ')'"
        if col.required and not col.default:
            self.checks.append(Check(f"{v} IS NULL", name, f"{name} is required", missing_value=True))
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
        if col.type == "datetime":  # a time something happened (UK local): not after the day it is loaded
            tomorrow = (uk_now().date() + timedelta(days=1)).isoformat()
            self.checks.append(Check(f"{t} >= TIMESTAMP '{tomorrow}'", name, f"{name} is in the future", shown))
        if col.minimum is not None or col.maximum is not None:
            lo, hi = _number(col.minimum), _number(col.maximum)
            bounds = [f"{t} < {lo}"] if lo is not None else []
            bounds += [f"{t} > {hi}"] if hi is not None else []
            if lo is not None and hi is not None:
                kind = f"{name} out of range {lo}-{hi}"
            else:
                kind = f"{name} must be at least {lo}" if lo is not None else f"{name} must be at most {hi}"
            self.checks.append(Check(f"{t} IS NOT NULL AND ({' OR '.join(bounds)})", name, kind, shown))

    def pseudonym_table(self, col: Column) -> str:
        return f"__pseudonyms_{col.name}"

    def pseudonym_sql(self) -> list[str]:
        """One temp table per identifier column: each distinct raw value and its pseudonym (hashed in DuckDB)."""
        return [
            f"CREATE OR REPLACE TEMP TABLE {self.pseudonym_table(col)} AS "
            f"SELECT cell, {self.trimmed('cell')} AS trimmed, {pseudonymise.sql_expression('cell', self.key)} AS value "
            f"FROM (SELECT DISTINCT {self.raw_cell(col)} AS cell FROM {self.staged.view})"
            for col in self.contract.columns
            if col.pseudonymised and self.is_lookup(col)
        ]

    def derived(self, name: str) -> str:
        if name == "is_suppressed":
            flags = [
                f"coalesce({read_col(c.name)} = {lit(c.suppressed_token)}, false)"
                for c in self.contract.columns
                if c.suppressed_token
            ]
            return " OR ".join(flags) or "false"
        raise ValueError(f"{self.contract.source}: no rule for derived column {name!r}")

    # -- the statements -----------------------------------------------------------------------------------

    def build(self, table: str, bad_table: str) -> Plan:
        contract = self.contract
        typed_cols = {col.name: self.typed_expression(col) for col in contract.columns}
        _derive_age_band(contract, typed_cols)
        typed = [*self.lookup_values, *(f"{expr} AS {q(name)}" for name, expr in typed_cols.items())]
        typed += [f"{self.derived(name)} AS {q(name)}" for name, _, _ in contract.derived_columns]
        for col in contract.columns:
            self.add_checks(col)
        for rule in contract.row_rules:
            if rule.action == "reject":
                self.checks.append(Check(f"NOT coalesce(({rule.sql}), true)", rule.column, rule.reason))
        # an emptied row (`,,,,` as Excel saves one) first fails a required column; Plan.bad_sql relabels it
        required = [i for i, c in enumerate(self.checks, 1) if c.missing_value]
        empty = Check("false", contract.key[0], "empty row (every cell blank)")
        dup = Check("", contract.key[-1], f"duplicate key ({', '.join(contract.key)}) in this file")
        checks = (*self.checks, empty, dup)
        empty_id, dup_id = len(checks) - 1, len(checks)

        skip = f"(({contract.scope_sql}) IS FALSE)" if contract.scope_sql else "false"
        number = _case([(c.condition, str(i)) for i, c in enumerate(self.checks, 1)])
        detail = _case([(f"__check = {i}", c.detail) for i, c in enumerate(self.checks, 1) if c.detail])
        extras = self.match.extras
        extra = "json_object(" + ", ".join(f"{lit(h)}, {extra_col(i)}" for i, h in extras) + ")" if extras else "NULL"
        own = [q(c.name) for c in contract.columns] + [q(n) for n, _, _ in contract.derived_columns]
        keys = ", ".join(q(k) for k in contract.key)
        sql = f"""
CREATE OR REPLACE TEMP TABLE {table} AS
WITH src AS (SELECT __row, {", ".join(self.source_cells(hashed=False))} FROM {self.staged.view}),
parsed AS (SELECT src.*{"".join(", " + p for p in self.parsed)} FROM src),
typed AS (SELECT parsed.*, {", ".join(typed)} FROM parsed {" ".join(self.joins)}),
judged AS (SELECT *, {skip} AS __skip, {number} AS __check FROM typed)
SELECT __row, {", ".join(own)}, {extra}::JSON AS __extra, __skip, __check, {detail} AS __detail
FROM judged"""
        good = "NOT __skip AND __check IS NULL"
        key_match = " AND ".join(f"c.{q(k)} = d.{q(k)}" for k in contract.key)
        duplicate_sql = f"""
UPDATE {table} AS c SET __check = {dup_id}, __detail = ' (first at row ' || d.__first || ')'
FROM (SELECT {keys}, min(__row) AS __first FROM {table} WHERE {good} GROUP BY {keys} HAVING count(*) > 1) AS d
WHERE {key_match} AND c.__row > d.__first AND NOT c.__skip AND c.__check IS NULL"""
        cells = [q(Staged.column(i)) for i in range(len(self.staged.headers))]
        blank = " AND ".join(f"nullif(trim({cell}), '') IS NULL" for cell in cells)
        emptied = f"__check IN ({', '.join(map(str, required))}) AND {blank}" if required else "false"
        bad_sql = f"""
CREATE OR REPLACE TEMP TABLE {bad_table} AS
WITH c AS MATERIALIZED (SELECT __row, __check, __detail FROM {table} WHERE NOT __skip AND __check IS NOT NULL)
SELECT c.__row, CASE WHEN {emptied} THEN {empty_id} ELSE __check END AS __check,
    CASE WHEN {emptied} THEN NULL ELSE __detail END AS __detail, {", ".join(self.source_cells(hashed=True))}
FROM ({self.staged.rows_in("SELECT __row FROM c")}) AS s
JOIN c USING (__row)"""
        flags = tuple((r.name, f"NOT coalesce(({r.sql}), true)") for r in contract.row_rules if r.action == "flag")
        present = tuple(c.name for c in contract.columns if c.name in self.match.columns)
        pseudonym_tables = tuple(
            self.pseudonym_table(c) for c in contract.columns if c.pseudonymised and self.is_lookup(c)
        )
        mapping = tuple(self.mapping)
        return Plan(sql, duplicate_sql, bad_sql, mapping, present, extras, checks, flags, pseudonym_tables)


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
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    staged: Staged,
    match: HeaderMatch,
    key: bytes,
    table: str,
    bad_table: str,
) -> Plan:
    """Build the mapping tables and the checked table `table`; `plan.bad_sql` then builds `bad_table`, the
    failing rows as read, when there are any."""
    builder = _Builder(contract, staged, match, key)
    plan = builder.build(table, bad_table)
    create_mapping_tables(con, contract, list(plan.mapping), staged.view)
    for statement in builder.pseudonym_sql():
        con.execute(statement)
    con.execute(plan.sql)
    con.execute(plan.duplicate_sql)
    return plan
