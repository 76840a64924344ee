"""Keyed pseudonymisation of person and officer identifiers (HMAC-SHA256), done once, at ingest.

pseudonym(value) = hex(HMAC-SHA256(key, upper(trim(value))))[:32]

The key comes from $CONCORDAT_PSEUDO_KEY, or from a key file in CONCORDAT_HOME created on first use with
owner-only permissions. Same key, same pseudonym: joins across sources keep working. ``sql_expression`` gives
the same function in DuckDB SQL so ingest can hash a whole column without a Python loop (tested to agree).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from concordat import paths

PSEUDONYM_HEX_CHARS = 32
_BLOCK = 64  # SHA-256 block size in bytes
#: A fixed text whose pseudonym tells keys apart (and reveals nothing else about the key). Ingest records it with
#: every attempt and refuses a key other than the one earlier files were loaded with: with another key the same
#: person gets another pseudonym, and repeat detentions and officer links would silently break.
KEY_CHECK_TEXT = "concordat pseudonymisation key check"


def load_key(key_file: Path | None = None) -> bytes:
    """The pseudonymisation key: $CONCORDAT_PSEUDO_KEY, else the key file (created on first use, mode 600)."""
    env = os.environ.get("CONCORDAT_PSEUDO_KEY")
    if env:
        return env.encode("utf-8")
    key_file = key_file or paths.pseudonym_key_file()
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return key_file.read_text().strip().encode("utf-8")


def key_source() -> str:
    """Where `load_key` takes the key from, as a user would name it."""
    return "$CONCORDAT_PSEUDO_KEY" if os.environ.get("CONCORDAT_PSEUDO_KEY") else str(paths.pseudonym_key_file())


def key_check(key: bytes) -> str:
    """The key's check value: the pseudonym of KEY_CHECK_TEXT."""
    check = pseudonym(KEY_CHECK_TEXT, key)
    assert check is not None
    return check


def pseudonym(value: str | None, key: bytes) -> str | None:
    """The pseudonym of one identifier (None and blank stay None)."""
    if value is None or not str(value).strip():
        return None
    digest = hmac.new(key, str(value).strip().upper().encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_HEX_CHARS]


def sql_expression(column_sql: str, key: bytes) -> str:
    """A DuckDB SQL expression computing ``pseudonym`` of a VARCHAR column (HMAC spelled out with sha256)."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    ipad = bytes(b ^ 0x36 for b in key).hex()
    opad = bytes(b ^ 0x5C for b in key).hex()
    msg = f"encode(upper(trim({column_sql})))"
    inner = f"unhex(sha256(unhex('{ipad}') || {msg}))"
    outer = f"sha256(unhex('{opad}') || {inner})"
    return (
        f"CASE WHEN {column_sql} IS NULL OR trim({column_sql}) = '' THEN NULL "
        f"ELSE left({outer}, {PSEUDONYM_HEX_CHARS}) END"
    )
