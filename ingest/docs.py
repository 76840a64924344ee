"""Generate the data-contract reference (docs/data-contracts.md) and example files (docs/examples/<source>.csv).

    .venv/bin/python -m ingest.docs          # rewrite the files
    .venv/bin/python -m ingest.docs --check  # exit 1 when the committed files differ (also a test)

Everything here is read from `concordat.contracts` and the loader's own format lists (`ingest.formats`), so the
page a partner reads is what the loader does. `tests/test_ingest_docs.py` fails when the committed files drift.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

from concordat import paths
from concordat.contracts import CONTRACTS, Column, Contract
from ingest import formats
from ingest.examples import example_rows
from ingest.headers import QUARANTINE_EXPORT_HEADER
from ingest.readers import MAX_HEADER_SEARCH_ROWS
from ingest.schema import INGEST_LOG_COLUMNS, QUARANTINE_COLUMNS

DOC_PATH = paths.PROJECT_ROOT / "docs" / "data-contracts.md"
EXAMPLES_DIR = paths.PROJECT_ROOT / "docs" / "examples"


#: The short rule of each column type; the formats themselves are listed once, under "Rules for every source".
TYPE_RULES = {
    "force": "force code or name, stored as the code",
    "datetime": "date-time (formats above)",
    "date": "date (formats above)",
    "int": "whole number",
    "decimal": "number",
    "bool": "yes/no",
    "fy_label": "financial year, stored as `2023/24`",
}


def _code(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"`{v}`" for v in values)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _rules(contract: Contract, col: Column) -> str:
    """The `values / rules` cell: what the loader accepts for this column."""
    parts: list[str] = [TYPE_RULES[col.type]] if col.type in TYPE_RULES else []
    if col.pseudonymised:
        parts.append("**pseudonymised** at ingest (keyed HMAC-SHA256, 32 hex chars)")
    if col.categories:
        parts.append("one of " + _code(col.categories))
    if col.category_sets:
        sets = "; ".join(f"{k}: {_code(v)}" for k, v in col.category_sets.items())
        parts.append(f"depends on `{col.depends_on}`: {sets}")
    if col.synonyms:
        parts.append("also accepted: " + ", ".join(f"`{k}` → `{v}`" for k, v in sorted(col.synonyms.items())))
    if col.default is not None:
        parts.append(f"blank means `{col.default}`")
    if col.minimum is not None or col.maximum is not None:
        lo = "" if col.minimum is None else f"{col.minimum:g}"
        hi = "" if col.maximum is None else f"{col.maximum:g}"
        parts.append(f"range {lo}–{hi}" if lo and hi else (f"at least {lo}" if lo else f"at most {hi}"))
    if col.null_tokens:
        parts.append("NULL also written as " + _code(col.null_tokens))
    if col.suppressed_token:
        parts.append(f"`{col.suppressed_token}` = suppressed (NULL, `is_suppressed` true)")
    if col.allow_national:
        parts.append("`England and Wales` stored as `EW`")
    if col.aliases:
        parts.append("header also accepted as " + _code(col.aliases))
    if col.name == "age_band" and "age" in {c.name for c in contract.columns}:
        parts.append("derived from `age` when age is given")
    return "; ".join(parts)


def _source_section(contract: Contract) -> list[str]:
    out = [
        f'<a id="{contract.source}"></a>',
        "",
        f"## `{contract.source}` — {contract.title}",
        "",
        contract.description,
        "",
        f"- Kind: {contract.kind}. Key: {_code(contract.key)} (a later file with the same key replaces the row).",
        f"- Required columns: {_code(contract.required_columns)}.",
        f"- Example file: [`examples/{contract.source}.csv`](examples/{contract.source}.csv).",
    ]
    if contract.scope_sql:
        out.append(f"- In scope (other rows are counted as `rows_skipped`, not loaded): `{contract.scope_sql}`.")
    out += ["", "| column | type | required | values / rules | description |", "|---|---|---|---|---|"]
    for col in contract.columns:
        required = "yes" if col.required else ""
        out.append(
            f"| `{col.name}` | {col.type} | {required} | {_cell(_rules(contract, col))} | {_cell(col.description)} |"
        )
    if contract.row_rules:
        out += ["", "Row rules (SQL over the typed row; `reject` quarantines the row, `flag` loads and counts it):"]
        out += ["", "| rule | action | column | reason | true when the row is fine |", "|---|---|---|---|---|"]
        for rule in contract.row_rules:
            out.append(f"| `{rule.name}` | {rule.action} | `{rule.column}` | {rule.reason} | `{_cell(rule.sql)}` |")
    columns = ", ".join(f"`{name}` {sql_type}" for name, sql_type in contract.raw_table_columns())
    out += ["", f"Loaded into `raw.{contract.source}`: {columns}.", ""]
    derived = [f"`{name}` ({description})" for name, _, description in contract.derived_columns]
    if derived:
        out += [f"Derived by the loader: {', '.join(derived)}.", ""]
    return out


def render_markdown() -> str:
    lines = [
        "# Data contracts (reference)",
        "",
        "<!-- Generated by `python -m ingest.docs` from concordat/contracts.py and ingest/formats.py. "
        "Do not edit by hand: tests/test_ingest_docs.py fails when this file differs. -->",
        "",
        "What `concordat ingest SOURCE PATH...` accepts, source by source. The requirement is",
        "[specs/data-contracts.md](specs/data-contracts.md); this page is generated from the machine-readable",
        "contracts the loader runs on.",
        "",
        "## Rules for every source",
        "",
        "- Files: CSV (comma, semicolon, tab or pipe separated, double-quoted fields; UTF-8, UTF-8 with BOM or "
        "Windows-1252) or XLSX (the first sheet with a header, so a cover sheet is passed over; Excel dates are "
        f"read as dates). The header is the first of the top {MAX_HEADER_SEARCH_ROWS} rows naming at least half "
        "the required columns, so title rows above it are skipped.",
        "- Headers: compared after trimming, lower-casing and folding spaces, hyphens, dots and slashes to `_`. "
        "Unknown columns are kept in the `extra` JSON column of each row and listed in the summary. A missing "
        "required column rejects the file (exit 2) and nothing is written.",
        f"- Date-times: {_code(formats.DATETIME_EXAMPLES)} (ISO 8601 or UK day-first; seconds and fractions "
        "optional); local UK time, and a time with a UTC offset (`Z`, `+01:00`) is converted to it. Never US "
        "month-first: `04/12/2023` is 4 December.",
        f"- Dates: {_code(formats.DATE_EXAMPLES)} (a date-time is a date only at midnight).",
        f"- Dates before {formats.EARLIEST_DATE} or from {formats.LATEST_DATE_EXCLUSIVE} on are errors (a two-digit "
        "year is not guessed). A date-time records something that happened: one after the day the file is loaded "
        "is an error (`is in the future`, a mistyped year). Dates (a placement's start and end) may be planned.",
        f"- Yes/no: true {_code(formats.TRUE_TOKENS)}, false {_code(formats.FALSE_TOKENS)} (any case); "
        "blank = unknown.",
        "- Whole numbers and numbers: `34`, `34.0`, `29,000`; `34.5` is not a whole number.",
        "- Financial years: `2023/24`, `2023-24` or `2023/2024`, stored as `2023/24`.",
        "- Categories: matched case-insensitively, with the synonyms listed; anything else is a row error.",
        "- Forces: ONS Police Force Area code or force name (`South Yorkshire`, `South Yorkshire Police`), stored "
        "as the code; British Transport Police is `BTP`.",
        "- Blank cells are NULL. A row breaking a rule goes to `raw.quarantine` with its row number, column and "
        "reason (the first failing check, in column order), and to "
        "`$CONCORDAT_HOME/quarantine/<source>-<file>-<sha8>.csv` for the sender. Every row read is loaded, "
        "quarantined or (`nhs_mha` only) skipped as out of scope. Row numbers (in quarantine and as "
        "`source_row_number`) are the row as the sender's spreadsheet shows it, title rows, blank rows and the header "
        "counted: the first data row below a header on the first line is row 2. In a CSV file that is the line "
        "number, unless a quoted cell above holds a line break. The sender's CSV starts with the columns "
        f"{_code(QUARANTINE_EXPORT_HEADER)}, then the row as read under the file's own headers.",
        "- A key repeated within one file: the first row is loaded, later ones are quarantined.",
        "- The same file (same sha256) again for the same source loads nothing (`duplicate`). A different file "
        "with keys already loaded replaces those rows (a corrected re-issue: last file wins; `raw.ingest_log` keeps "
        "the history).",
        "- Each file is loaded in one transaction: a failure or a kill leaves the warehouse as it was.",
        "",
        "| source | title | kind | key | required |",
        "|---|---|---|---|---|",
    ]
    for c in CONTRACTS.values():
        lines.append(
            f"| [`{c.source}`](#{c.source}) | {c.title} | {c.kind} | {_code(c.key)} | {_code(c.required_columns)} |"
        )
    lines.append("")
    for contract in CONTRACTS.values():
        lines += _source_section(contract)
    lines += [
        "## Load bookkeeping",
        "",
        "`raw.quarantine`: " + ", ".join(f"`{n}` {t}" for n, t in QUARANTINE_COLUMNS) + ". `row_json` is the row as "
        "read with identifiers already pseudonymised.",
        "",
        "`raw.ingest_log` (one row per file attempt; status `loaded`, `duplicate`, `rejected` or `failed`): "
        + ", ".join(f"`{n}` {t}" for n, t in INGEST_LOG_COLUMNS)
        + ".",
        "",
    ]
    return "\n".join(lines)


def render_example(contract: Contract) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.name for c in contract.columns])
    for row in example_rows(contract):
        writer.writerow([row[c.name] for c in contract.columns])
    return buffer.getvalue()


def generated_files() -> dict[Path, str]:
    files = {DOC_PATH: render_markdown()}
    files |= {EXAMPLES_DIR / f"{c.source}.csv": render_example(c) for c in CONTRACTS.values()}
    return files


def stale_files() -> list[Path]:
    """Generated files whose committed text differs from what the registry generates now."""
    return [p for p, text in generated_files().items() if not p.exists() or p.read_text(encoding="utf-8") != text]


def _shown(path: Path) -> str:
    return str(path.relative_to(paths.PROJECT_ROOT)) if path.is_relative_to(paths.PROJECT_ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed files are out of date")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        for path in stale:
            print(f"out of date: {_shown(path)} (run python -m ingest.docs)")
        return 1 if stale else 0
    EXAMPLES_DIR.mkdir(parents=True, exist_ok=True)
    for path, text in generated_files().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {_shown(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
