"""Speed measurements. Each ``bench_<name>.py`` module has a ``main()`` that writes JSON to ``results/``.

Run one with ``python -m benchmarks.bench_<name>``, or all of them with ``python -m benchmarks``.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
#: Every benchmark measures the same demo data: this seed, at the scale it asks for.
DEMO_SEED = 136


def generate_demo(out: Path, scale: str) -> Path:
    """`concordat demo` in a child process (so its memory and time are its own); returns ``out``."""
    subprocess.run(
        [sys.executable, "-m", "concordat.cli", "demo", "--out", str(out), "--scale", scale, "--seed", str(DEMO_SEED)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out


def write_result(name: str, result: dict[str, object]) -> Path:
    """Write ``results/<name>.json`` with the machine it ran on; returns the path."""
    import os

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": name,
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        **result,
    }
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path
