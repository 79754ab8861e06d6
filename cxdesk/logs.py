"""Unexpected errors go to a log file in the platform's log folder.

Only the exception and its traceback are written: never PINs, names or contact
details (SQL parameters are hidden by the engine, see cxdesk.store.db). The log
is private to the account (0600). Whoever shows an error says whether its log
line was written: on a full disk it usually was not, and the screen must not
send anyone looking for it.
"""

from __future__ import annotations

import errno
import logging
import os
import traceback
from datetime import datetime, timezone
from pathlib import Path

from cxdesk.config import PRIVATE_FILE, log_dir, make_private_dir, tighten

LOG_NAME = "cxdesk.log"
# SQLite's result code for "database or disk is full"; PostgreSQL's SQLSTATE disk_full.
SQLITE_FULL = 13
PG_DISK_FULL = "53100"
# SQLite's "disk I/O error" (the low byte of its extended codes): the disk refused a
# write or a read (a file grown past a size limit, a failing or removed disk).
SQLITE_IOERR = 10


def log_path() -> Path:
    return log_dir() / LOG_NAME


def log_unexpected(exc: BaseException, context: str = "") -> Path | None:
    """Append the error to the log. Returns the log's path if the line was written,
    None if it could not be (a full disk, a read-only folder)."""
    path = log_path()
    try:
        make_private_dir(path.parent)
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
        # Closing flushes: a full disk shows up there at the latest, inside this try.
        with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
            handle.write(f"--- {stamp} {context}\n{text}\n")
    except OSError:
        logging.getLogger("cxdesk").exception("could not write the error log")
        return None
    tighten(path)  # a log left readable by an older cxdesk
    return path


def _chain(exc: BaseException):
    """``exc`` and what it wraps (a driver error's ``orig``, its cause and context), each once."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        error = pending.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        yield error
        pending += [getattr(error, "orig", None), error.__cause__, error.__context__]


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps) says the disk is full: an OSError ENOSPC,
    SQLite's SQLITE_FULL, PostgreSQL's disk_full."""
    return any(_says_full(error) for error in _chain(exc))


def _says_full(error: BaseException) -> bool:
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return True
    if getattr(error, "sqlite_errorcode", None) == SQLITE_FULL or getattr(error, "sqlstate", None) == PG_DISK_FULL:
        return True
    words = str(error).lower()
    return "database or disk is full" in words or "no space left on device" in words


def is_disk_error(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps) says the disk refused to read or write: SQLite's
    SQLITE_IOERR family, an OSError EIO or EFBIG. A full disk is ``is_disk_full``."""
    return any(_says_io_error(error) for error in _chain(exc))


def _says_io_error(error: BaseException) -> bool:
    if isinstance(error, OSError) and error.errno in (errno.EIO, errno.EFBIG):
        return True
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF == SQLITE_IOERR:
        return True
    return "disk i/o error" in str(error).lower()


DISK_ERROR = ("the computer could not write to its disk (it may be full, or failing). "
              "Nothing of this step was saved; ask whoever looks after this computer.")


def unexpected_message(exc: BaseException, context: str = "") -> str:
    """Log an unexpected error and return the sentence for the screen.

    A full disk is called a full disk; the log is named only if the line was
    really written there.
    """
    written = log_unexpected(exc, context)
    if is_disk_full(exc):
        head = ("The disk is full: cxdesk could not save this. Free some space on it "
                "(or ask whoever looks after this computer), then try again.")
    elif is_disk_error(exc):
        head = f"Could not save: {DISK_ERROR}"
    else:
        head = f"Something went wrong ({type(exc).__name__})."
    if written is not None:
        return f"{head} Details were written to {written}."
    return f"{head} Details could not be written to the log ({log_path()}) either."
