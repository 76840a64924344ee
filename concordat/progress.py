"""Progress for long steps: shown on a terminal, silent in --json mode or when stdout is not a terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


def enabled(json_mode: bool = False) -> bool:
    return not json_mode and sys.stdout.isatty()


@contextmanager
def step(label: str, json_mode: bool = False) -> Iterator[None]:
    """Print `label ...` then `done in 1.2 s` on a terminal; nothing otherwise."""
    show = enabled(json_mode)
    start = time.perf_counter()
    if show:
        print(f"{label} ...", end="", flush=True, file=sys.stderr)
    try:
        yield
    finally:
        if show:
            print(f" done in {time.perf_counter() - start:.1f} s", file=sys.stderr)


def update(message: str, json_mode: bool = False) -> None:
    """A one-line, overwritten progress message (e.g. `s136: 120,000 rows`)."""
    if enabled(json_mode):
        print(f"\r{message}\033[K", end="", flush=True, file=sys.stderr)
