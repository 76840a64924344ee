"""The result of ingesting one file, and how it is told: one human line, or one JSON object (specs/cli.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

#: How many reasons the human line names before "..."
SHOWN_REASONS = 3


@dataclass
class IngestResult:
    source: str
    file: str  # the path as given
    sha256: str
    status: str  # loaded | duplicate | rejected
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_skipped: int = 0
    rows_replaced: int = 0
    extra_columns: list[str] = field(default_factory=list)
    errors_by_reason: dict[str, int] = field(default_factory=dict)
    example_by_reason: dict[str, str] = field(default_factory=dict)  # the first failing row's value, as quoted
    flags_by_rule: dict[str, int] = field(default_factory=dict)
    quarantine_file: str | None = None
    message: str | None = None
    seconds: float = 0.0

    @property
    def duplicate(self) -> bool:
        return self.status == "duplicate"

    def to_json(self) -> dict[str, object]:
        """The cli.md keys first (never removed), then Concordat's additions."""
        return {
            "source": self.source,
            "file": self.file,
            "sha256": self.sha256,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "rows_skipped": self.rows_skipped,
            "duplicate": self.duplicate,
            "extra_columns": self.extra_columns,
            "errors_by_reason": self.errors_by_reason,
            "status": self.status,
            "rows_replaced": self.rows_replaced,
            "example_by_reason": self.example_by_reason,
            "flags_by_rule": self.flags_by_rule,
            "quarantine_file": self.quarantine_file,
            "message": self.message,
            "seconds": round(self.seconds, 3),
        }

    def _example(self, reason: str) -> str:
        example = self.example_by_reason.get(reason)
        return f" {example}" if example else ""

    def json_line(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False)

    def human_line(self) -> str:
        """`s136.csv: 12,034 read, 11,990 loaded, 44 quarantined (12 rows: detained_at is not a date (31/02/2024); ...)`

        Each reason named is followed by the value of the first row that failed it, when it has one."""
        name = self.file.replace("\\", "/").rsplit("/", 1)[-1]
        if self.duplicate:
            return f"{name}: already loaded for {self.source} (same sha256 {self.sha256[:12]}); nothing to do"
        parts = [f"{self.rows_read:,} read", f"{self.rows_loaded:,} loaded"]
        quarantined = f"{self.rows_quarantined:,} quarantined"
        if self.errors_by_reason:
            reasons = list(self.errors_by_reason.items())
            shown = "; ".join(
                f"{n:,} {'row' if n == 1 else 'rows'}: {reason}" + self._example(reason)
                for reason, n in reasons[:SHOWN_REASONS]
            )
            more = "; ..." if len(reasons) > SHOWN_REASONS else ""
            quarantined += f" ({shown}{more})"
        parts.append(quarantined)
        if self.rows_skipped:
            parts.append(f"{self.rows_skipped:,} skipped (out of scope)")
        if self.rows_replaced:
            parts.append(f"{self.rows_replaced:,} earlier rows replaced")
        line = f"{name}: " + ", ".join(parts)
        if self.flags_by_rule:
            line += "; flagged: " + ", ".join(f"{n:,} {rule}" for rule, n in self.flags_by_rule.items())
        if self.extra_columns:
            line += "; extra columns kept: " + ", ".join(self.extra_columns)
        if self.quarantine_file:
            line += f"; quarantined rows in {self.quarantine_file}"
        return line
