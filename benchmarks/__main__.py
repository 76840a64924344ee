"""Run every benchmark: each ``bench_*.py`` module's ``main()`` in this folder, in name order."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def main() -> int:
    failed = []
    for path in sorted(Path(__file__).resolve().parent.glob("bench_*.py")):
        name = f"benchmarks.{path.stem}"
        print(f"== {name}", flush=True)
        try:
            importlib.import_module(name).main()
        except Exception as exc:  # report and carry on: one broken benchmark should not hide the others
            print(f"{name} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
