"""One suite per raw source, derived from the data contracts (``concordat.contracts``), never re-typed.

Most of these re-check what the loader already enforces (required values, canonical categories, integer
ranges, keys, row rules that reject): a failure there is a loader defect or a table written by hand, so it
is critical. What messy but genuine records can break (dates outside the plausible window, flagged row
rules such as a detention over 36 hours) is a warning: reported, not a stop.
"""

from __future__ import annotations

from concordat.contracts import CONTRACTS, RECORD_SOURCES, Column, Contract
from concordat.forces import NATIONAL_CODE, all_forces
from expectations.spec import Expect, Suite, critical, warning, where

#: Records before this date are implausible for s136 work under the current data requirements.
EARLIEST_PLAUSIBLE = "2010-01-01 00:00:00"
#: A date outside [2010, now] as text (NULL when plausible): computed in DuckDB, where a range test over a
#: million timestamps is instant (GX's pandas range check on datetimes goes value by value). `{now}` is filled
#: in at run time; the value itself is what the analyst sees in the failure's examples.
IMPLAUSIBLE_DATE_SQL = (
    "case when {column} < timestamp '" + EARLIEST_PLAUSIBLE + "' or {column} > timestamp '{{now}}' "
    "then cast({column} as varchar) end"
)
FY_LABEL_REGEX = r"^\d{4}/\d{2}$"


def _force_codes(col: Column) -> list[str]:
    codes = [f.code for f in all_forces()]
    # A force column allowing national totals stores `England and Wales` as EW (ho_s136).
    return [*codes, NATIONAL_CODE] if col.allow_national else codes


def _column_expectations(contract: Contract, col: Column) -> list[Expect]:
    out: list[Expect] = []
    if col.required:
        out.append(
            critical(
                "expect_column_values_to_not_be_null",
                f"{col.name} is required by the {contract.source} contract; the loader quarantines rows without it",
                column=col.name,
            )
        )
    if col.type == "force":
        out.append(
            critical(
                "expect_column_values_to_be_in_set",
                "force holds the ONS Police Force Area code (or BTP); a name or unknown code would split an area",
                column=col.name,
                value_set=_force_codes(col),
            )
        )
    elif col.type == "category" and col.depends_on:
        for context, allowed in col.category_sets.items():
            out.append(
                critical(
                    "expect_column_values_to_be_in_set",
                    f"for {col.depends_on} = {context}, {col.name} takes the contract's canonical values only",
                    column=col.name,
                    value_set=list(allowed),
                    **where(f'{col.depends_on} == "{context}"'),
                )
            )
    elif col.type == "category":
        out.append(
            critical(
                "expect_column_values_to_be_in_set",
                f"{col.name} holds canonical categories only; anything else breaks the KPI denominators",
                column=col.name,
                value_set=list(col.categories),
            )
        )
    elif col.type == "int" and (col.minimum is not None or col.maximum is not None):
        out.append(
            critical(
                "expect_column_values_to_be_between",
                f"{col.name} must lie in the contract's range [{col.minimum}, {col.maximum}]",
                column=col.name,
                min_value=col.minimum,
                max_value=col.maximum,
            )
        )
    elif col.type in ("datetime", "date"):
        out.append(
            warning(
                "expect_column_values_to_be_null",
                f"{col.name} should fall between 2010 and now: a future or pre-2010 date is usually a keying "
                "error (day/month swapped, wrong century); reported, not a stop, because real records have them",
                column=implausible_column(col.name),
            )
        )
    elif col.type == "fy_label":
        out.append(
            critical(
                "expect_column_values_to_match_regex",
                f"{col.name} is a financial year stored as 2023/24; other spellings would not join to periods",
                column=col.name,
                regex=FY_LABEL_REGEX,
            )
        )
    return out


def _key_expectation(contract: Contract) -> Expect:
    note = f"{', '.join(contract.key)} identifies a row: a duplicate would count one event twice"
    if len(contract.key) == 1:
        return critical("expect_column_values_to_be_unique", note, column=contract.key[0])
    return critical("expect_compound_columns_to_be_unique", note, column_list=list(contract.key))


def rule_column(name: str) -> str:
    return f"rule_{name}"


def implausible_column(name: str) -> str:
    return f"implausible_{name}"


def raw_suite(contract: Contract) -> Suite:
    expectations: list[Expect] = []
    if contract.source in RECORD_SOURCES:
        expectations.append(
            warning(
                "expect_table_row_count_to_be_between",
                f"no {contract.source} rows loaded: the KPIs built on this source will be empty",
                min_value=1,
            )
        )
    for col in contract.columns:
        expectations += _column_expectations(contract, col)
    expectations.append(_key_expectation(contract))
    derived: dict[str, str] = {
        implausible_column(c.name): IMPLAUSIBLE_DATE_SQL.format(column=f'"{c.name}"')
        for c in contract.columns
        if c.type in ("datetime", "date")
    }
    for rule in contract.row_rules:
        derived[rule_column(rule.name)] = f"coalesce(({rule.sql}), true)"
        make = critical if rule.action == "reject" else warning
        why = (
            "the loader quarantines such rows, so one here is a loader defect"
            if rule.action == "reject"
            else "accepted by the contract but flagged for review"
        )
        expectations.append(
            make(
                "expect_column_values_to_be_in_set",
                f"row rule {rule.name}: {rule.reason}; {why}",
                column=rule_column(rule.name),
                value_set=[True],
            )
        )
    return Suite(
        name=f"raw_{contract.source}",
        description=f"raw.{contract.source}: {contract.title}. Derived from the data contract.",
        batch={
            "kind": "table",
            "table": f"raw.{contract.source}",
            "index_columns": list(contract.key),
            "derived": derived,
        },
        expectations=expectations,
    )


def raw_suites() -> list[Suite]:
    return [raw_suite(c) for c in CONTRACTS.values()]
