"""Valid example rows for every contract, derived from the contract itself (used by the docs and the tests).

Row 1 uses the canonical spellings (ISO dates, force codes, listed categories); row 2 the other accepted ones
(UK dates, force names, synonyms, blank for a defaulted category), so the example files show what a partner may
send. Both rows load cleanly: `tests/test_ingest_docs.py` ingests every example file.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from concordat import forces
from concordat.contracts import Column, Contract

#: Cells a generic example would make meaningless or inconsistent (the nhs_mha scope, a service name, age).
EXAMPLES: dict[tuple[str, str], tuple[str, str]] = {
    ("nhs_mha", "measure"): ("Short term orders", "Short term orders"),
    ("nhs_mha", "measure_subcategory"): ("Section 136", "Section 135"),
    ("nhs_mha", "demographic"): ("Total", "Total"),
    ("nhs_mha", "demographic_breakdown"): ("Total", "Total"),
    ("nhs_mha", "organisation_breakdown"): ("England", "England"),
    ("nhs_mha", "datasource"): ("MHSDS", "MHSDS"),
    ("nhs_mha", "org_id"): ("ENG", "ENG"),
    ("nhs_mha", "org_name"): ("England", "England"),
    ("nhs_mha", "confidence_interval"): ("51.2 - 53.0", "1.9 - 2.4"),
    ("placements", "cohort"): ("2018-03", "2018-09"),
    ("placements", "service"): ("Liaison Service", "Stanage Ward"),
    ("planted_interventions", "name"): ("Street triage pilot", "Officer placements"),
    ("planted_interventions", "description"): ("Co-response car, evenings", "Two-week placements"),
    ("planted_interventions", "kpi_id"): ("s136_detentions_per_100k", "police_station_pos_share"),
    ("s136", "age"): ("34", "16"),
    ("s136", "age_band"): ("18 and over", "u18"),
    ("s136", "transport"): ("Police vehicle", "police car"),
    ("s136", "police_station_reason"): ("", ""),
    ("custody", "age"): ("34", "41"),
}
_FORCE = "E23000011"
_BASE = dt.datetime(2023, 4, 1, 14, 5)


def _text(col: Column, row: int) -> str:
    return f"{col.name.removesuffix('_id').upper()[:3]}-{row + 1:04d}"


def _category(col: Column, row: int, context: str | None) -> str:
    allowed = col.category_sets[context or ""] if col.depends_on else col.categories
    if row == 0:
        return allowed[0]
    if col.default:
        return ""  # blank: the default applies
    synonyms = [raw for raw, value in col.synonyms.items() if value in allowed]
    return synonyms[0].upper() if synonyms else allowed[min(1, len(allowed) - 1)].lower()


def _value(contract: Contract, col: Column, row: int, values: dict[str, str], order: int) -> str:
    uk = row == 1
    fixed = EXAMPLES.get((contract.source, col.name))
    if fixed:
        return fixed[row]
    if col.type == "text":
        return _text(col, row)
    if col.type == "force":
        if col.allow_national and row == 0:
            return "England and Wales"
        name = next(f.name for f in forces.all_forces() if f.code == _FORCE)
        return f"{name} Police" if uk else _FORCE
    if col.type == "datetime":
        when = _BASE + dt.timedelta(days=row, minutes=45 * order)
        return when.strftime("%d/%m/%Y %H:%M") if uk else when.strftime("%Y-%m-%d %H:%M")
    if col.type == "date":
        day = _BASE.date() + dt.timedelta(days=7 * order + row)
        return day.strftime("%d/%m/%Y") if uk else day.isoformat()
    if col.type == "int":
        lo = int(col.minimum) if col.minimum is not None else 0
        hi = int(col.maximum) if col.maximum is not None else lo + 100
        return str(min(hi, lo + (hi - lo) // 2 + row))
    if col.type == "decimal":
        return "2.4" if uk else "52.1"
    if col.type == "bool":
        return "No" if uk else "Y"
    if col.type == "fy_label":
        return "2023-24" if uk else "2023/24"
    if col.type == "category":
        context = contract.column(col.depends_on).canonical(values[col.depends_on]) if col.depends_on else None
        return _category(col, row, context)
    raise ValueError(f"no example for {col.type}")


def example_rows(contract: Contract) -> list[dict[str, str]]:
    """Two valid rows of `contract`, as the text cells of a CSV file (column name -> cell)."""
    rows: list[dict[str, str]] = []
    for row in range(2):
        values: dict[str, str] = {}
        order = {"datetime": 0, "date": 0}
        for col in contract.columns:
            values[col.name] = _value(contract, col, row, values, order.get(col.type, 0))
            if col.type in order:
                order[col.type] += 1
        rows.append(values)
    return rows


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    """Write rows as a CSV file the way a partner's tool would (`utf-8-sig` for a BOM, `cp1252` like Excel)."""
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(h, "") for h in header])
    return path


def write_xlsx(path: Path, header: list[str], rows: list[dict[str, str]], title: str | None = None) -> Path:
    """Write rows as a workbook, optionally with a title row and a blank row above the header (a tracker)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(h) or None for h in header])
    workbook.save(path)
    return path
