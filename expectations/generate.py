"""Write the GX suite files (``expectations/gx/expectations/*.json``) from their definitions.

    python -m expectations.generate          # rewrite the suite files
    python -m expectations.generate --check  # exit 1 if the committed files differ (what the drift test runs)

The raw and reconciliation suites come from the data contracts; the marts and privacy suites from
``expectations/suites_*.py``. The JSON files are what GX loads and what a reviewer diffs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from expectations.spec import Suite
from expectations.suites_marts import marts_suites
from expectations.suites_privacy import privacy_suite
from expectations.suites_raw import raw_suites
from expectations.suites_reconcile import reconcile_suites

GX_DIR = Path(__file__).resolve().parent / "gx"
SUITES_DIR = GX_DIR / "expectations"


def all_suites() -> list[Suite]:
    """Every suite `concordat validate` runs, in run order."""
    return [*raw_suites(), *reconcile_suites(), *marts_suites(), privacy_suite()]


def render(suite: Suite) -> str:
    return json.dumps(suite.to_gx(), indent=2, sort_keys=False) + "\n"


def expected_files() -> dict[str, str]:
    return {f"{s.name}.json": render(s) for s in all_suites()}


def drift(directory: Path = SUITES_DIR) -> list[str]:
    """Differences between the committed suite files and what the definitions generate (empty when none)."""
    expected = expected_files()
    present = {p.name: p.read_text(encoding="utf-8") for p in directory.glob("*.json")}
    problems = [f"missing: {name}" for name in sorted(expected.keys() - present.keys())]
    problems += [f"not generated (stale): {name}" for name in sorted(present.keys() - expected.keys())]
    problems += [
        f"differs: {name}" for name in sorted(expected.keys() & present.keys()) if expected[name] != present[name]
    ]
    return problems


def write(directory: Path = SUITES_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    expected = expected_files()
    for stale in directory.glob("*.json"):
        if stale.name not in expected:
            stale.unlink()
    written = []
    for name, text in expected.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report drift instead of writing")
    args = parser.parse_args(argv)
    if args.check:
        problems = drift()
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    for path in write():
        print(path.relative_to(GX_DIR.parent.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
