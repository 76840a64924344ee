"""Time, one way everywhere: what the warehouse stores is naive UTC; what a contract's datetimes mean is UK time.

Every timestamp Concordat writes (ingest log, quarantine, build runs, validation runs) is `utc_now()`, so they
order and compare with each other whatever the season. `uk_now()` is for comparisons with the data itself.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def utc_now() -> datetime:
    """Now in UTC, without a time zone (DuckDB TIMESTAMP)."""
    return datetime.now(UTC).replace(tzinfo=None)


def uk_now() -> datetime:
    """Now in UK local time (naive): the contracts' datetimes are local UK time, so "not in the future" is too."""
    try:
        from zoneinfo import ZoneInfo

        return datetime.now(ZoneInfo("Europe/London")).replace(tzinfo=None)
    except (ImportError, KeyError, OSError):  # no time zone database: allow for British Summer Time
        return utc_now() + timedelta(hours=1)


def utc_label(value: datetime | str | None) -> str:
    """A stored UTC timestamp as people read it: `2026-11-23 18:42 UTC` (`none` when missing)."""
    if value is None:
        return "none"
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return f"{moment:%Y-%m-%d %H:%M} UTC"
