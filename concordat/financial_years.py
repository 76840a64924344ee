"""UK financial years (1 April to 31 March) as people write them: one reader for the loader and the CLI."""

from __future__ import annotations

import re

_FY = re.compile(r"(?:fy\s*)?(\d{4})\s*[/-]\s*(\d{2}|\d{4})", re.IGNORECASE)


def financial_year(raw: str) -> str | None:
    """`2023-24`, `2023/24`, `2023/2024` or `FY2023/24` -> `2023/24`; None when it is not a financial year."""
    match = _FY.fullmatch(raw.strip())
    if not match:
        return None
    start, end = int(match[1]), match[2]
    if (len(end) == 4 and int(end) != start + 1) or int(end[-2:]) != (start + 1) % 100:
        return None
    return f"{start}/{(start + 1) % 100:02d}"
