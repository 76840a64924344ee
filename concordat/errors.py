"""Typed errors. The CLI turns each into its exit code and a one-line message (never a traceback).

Exit codes (specs/cli.md): 0 done, 1 a critical validation failed, 2 the user's input was rejected,
3 internal error.
"""

from __future__ import annotations


class ConcordatError(Exception):
    """Base class for every error Concordat reports to a user."""

    exit_code = 3


class UserInputError(ConcordatError):
    """The user's input was rejected: bad arguments, unreadable file, missing required column (exit 2)."""

    exit_code = 2


class WarehouseBusy(UserInputError):
    """A warehouse file another process holds (a DuckDB file has one writer): exit 2, naming that process."""


class ValidationFailed(ConcordatError):
    """A critical expectation failed, or publication was refused for want of a passing validation (exit 1)."""

    exit_code = 1


class InternalError(ConcordatError):
    """Something went wrong that is not the user's fault (exit 3)."""

    exit_code = 3
