"""`concordat validate [--json]`: run the GX suites on the build warehouse; exit 1 if a critical check failed."""

from __future__ import annotations

import argparse

from concordat.errors import ValidationFailed
from expectations import results
from expectations.validate import validate


def run(args: argparse.Namespace) -> int:
    json_mode = bool(getattr(args, "json", False))
    outcome = validate(json_mode=json_mode)
    print(results.to_json(outcome) if json_mode else results.to_text(outcome), flush=True)
    if not outcome.success:
        failed = outcome.failed("critical")
        raise ValidationFailed(
            f"{len(failed)} critical check{'s' if len(failed) != 1 else ''} failed "
            f"(first: {failed[0].suite}: {failed[0].expectation} on {failed[0].table_name}); nothing may be published"
        )
    return 0
