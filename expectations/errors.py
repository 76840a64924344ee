"""Why a suite could not be given a batch (a missing table, nothing to reconcile against)."""

from __future__ import annotations


class BatchUnavailable(Exception):
    """The batch a suite validates cannot be built; the suite is recorded as failed (or skipped if optional)."""
