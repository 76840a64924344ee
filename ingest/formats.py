"""What the loader accepts as a date, a time, a yes/no and a financial year: one list, read by the SQL and the docs.

The lists are deliberately explicit (no format sniffing): UK day-first dates only, never US month-first, so
`04/12/2024` is always 4 December. A year outside 1900-2100 is treated as a typo (`01/04/24` is not 2024).
"""

from __future__ import annotations

import re

from concordat.contracts import BOOLEAN_FALSE, BOOLEAN_TRUE

#: Formats tried in order for `datetime` columns (DuckDB strptime syntax). Local UK time, stored naive.
DATETIME_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d",
    "%d/%m/%Y",
)

#: Formats for `date` columns: a date, or a date-time at exactly midnight (what Excel exports for a date cell).
DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%Y-%m-%d 00:00:00",
    "%Y-%m-%d 00:00",
    "%Y-%m-%dT00:00:00",
    "%Y-%m-%dT00:00",
    "%d/%m/%Y 00:00",
    "%d/%m/%Y 00:00:00",
)

#: Plausible years; anything else is a typo such as a two-digit year.
EARLIEST_DATE = "1900-01-01"
LATEST_DATE_EXCLUSIVE = "2101-01-01"

TRUE_TOKENS: tuple[str, ...] = BOOLEAN_TRUE
FALSE_TOKENS: tuple[str, ...] = BOOLEAN_FALSE

_FY = re.compile(r"(?:fy\s*)?(\d{4})\s*[/-]\s*(\d{2}|\d{4})", re.IGNORECASE)


def financial_year(raw: str) -> str | None:
    """`2023-24`, `2023/24` or `2023/2024` -> `2023/24`; None when it is not a financial year."""
    match = _FY.fullmatch(raw.strip())
    if not match:
        return None
    start, end = int(match[1]), match[2]
    if (len(end) == 4 and int(end) != start + 1) or int(end[-2:]) != (start + 1) % 100:
        return None
    return f"{start}/{(start + 1) % 100:02d}"
