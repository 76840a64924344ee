"""Internal errors are written in full to a log file in CONCORDAT_HOME; the user sees one line."""

from __future__ import annotations

import datetime as dt
import traceback
from pathlib import Path

from concordat import paths


def log_exception(command: str, exc: BaseException) -> Path:
    """Append the traceback of an internal error to $CONCORDAT_HOME/logs/concordat.log; return its path."""
    log = paths.logs_dir() / "concordat.log"
    with log.open("a", encoding="utf-8") as fh:
        fh.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')} concordat {command}\n")
        fh.write("".join(traceback.format_exception(exc)))
    return log
