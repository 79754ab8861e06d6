"""Unexpected errors go to a log file in the platform's log folder.

Only the exception and its traceback are written: never PINs, names or contact
details (SQL parameters are hidden by the engine, see cxdesk.store.db).
"""

from __future__ import annotations

import logging
import traceback
from datetime import datetime, timezone
from pathlib import Path

from cxdesk.config import log_dir

LOG_NAME = "cxdesk.log"


def log_path() -> Path:
    return log_dir() / LOG_NAME


def log_unexpected(exc: BaseException, context: str = "") -> Path:
    """Append the error to the log and return the file's path (for the screen to show)."""
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {stamp} {context}\n{text}\n")
    except OSError:
        logging.getLogger("cxdesk").exception("could not write the error log")
    return path
