"""What the loader accepts as a date, a time and a yes/no: one list, read by the SQL and the docs.

The lists are deliberately explicit (no format sniffing): UK day-first dates only, never US month-first, so
`04/12/2024` is always 4 December. A year outside 1900-2100 is treated as a typo (`01/04/24` is not 2024).
Financial years (`2023/24`, `2023-24`) are read by `concordat.financial_years`, which the CLI shares.
"""

from __future__ import annotations

from concordat.contracts import BOOLEAN_FALSE, BOOLEAN_TRUE

#: ISO 8601 date-times, exactly: `2023-04-01`, `2023-04-01 14:05`, `2023-04-01T14:05:00`, with fractions of a
#: second. Checked with this pattern first (strict), then converted by DuckDB's fast timestamp cast.
ISO_DATETIME_PATTERN = r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?"
#: ISO 8601 date-times with a UTC offset (`2023-04-01T13:05:00Z`, `...+01:00`), as systems that store UTC export
#: them: converted to UK local time (UK_TIME_ZONE), like every other time stored.
ISO_OFFSET_DATETIME_PATTERN = r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)"
UK_TIME_ZONE = "Europe/London"
#: UK day-first date-times (DuckDB strptime syntax), tried in order. Local UK time, stored naive.
UK_DATETIME_FORMATS: tuple[str, ...] = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y")

#: Dates: ISO or UK, or a date-time at exactly midnight (what Excel exports for a date cell).
ISO_DATE_PATTERN = r"\d{4}-\d{2}-\d{2}([ T]00:00(:00)?)?"
UK_DATE_FORMATS: tuple[str, ...] = ("%d/%m/%Y", "%d/%m/%Y 00:00", "%d/%m/%Y 00:00:00")

#: Human-readable forms of the above, for the docs.
DATETIME_EXAMPLES: tuple[str, ...] = (
    "2023-04-01 14:05",
    "2023-04-01T14:05:00",
    "2023-04-01 14:05:00.250",
    "2023-04-01T13:05:00Z",
    "2023-04-01",
    "01/04/2023 14:05",
    "01/04/2023 14:05:00",
    "01/04/2023",
)
DATE_EXAMPLES: tuple[str, ...] = ("2023-04-01", "01/04/2023", "2023-04-01 00:00:00", "01/04/2023 00:00")

#: Plausible years; anything else is a typo such as a two-digit year.
EARLIEST_DATE = "1900-01-01"
LATEST_DATE_EXCLUSIVE = "2101-01-01"

TRUE_TOKENS: tuple[str, ...] = BOOLEAN_TRUE
FALSE_TOKENS: tuple[str, ...] = BOOLEAN_FALSE
