"""Fault injection for the atomicity tests: fail, or hang, at a named step inside the load transaction.

    CONCORDAT_INGEST_FAIL_AFTER=insert   raise InjectedFault after that step (the transaction rolls back)
    CONCORDAT_INGEST_HANG_AFTER=insert   print "ingest: holding after insert" on stderr and wait to be killed

Steps, in order: `delete` (re-issued keys removed), `insert` (rows loaded), `quarantine`, `log`.
Unset in normal use; checking costs one environment lookup per step.
"""

from __future__ import annotations

import os
import sys
import time

STEPS = ("delete", "insert", "quarantine", "log")


class InjectedFault(RuntimeError):
    """Raised on purpose by CONCORDAT_INGEST_FAIL_AFTER (an internal error: exit 3)."""


def checkpoint(step: str) -> None:
    if os.environ.get("CONCORDAT_INGEST_FAIL_AFTER") == step:
        raise InjectedFault(f"injected failure after {step}")
    if os.environ.get("CONCORDAT_INGEST_HANG_AFTER") == step:
        print(f"ingest: holding after {step}", file=sys.stderr, flush=True)
        while True:
            time.sleep(60)
