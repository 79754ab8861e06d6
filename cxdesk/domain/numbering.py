"""Numbers that count up per office and day (ticket A033, complaint CHI01-20261124-007).

The next number is read, the rows are written with it, and the unique
(office, day, seq) constraint refuses a number another counter took at the
same moment; then the whole attempt is rolled back and tried again with the
next number, after a short random pause so two racing counters fall apart.

On SQLite the attempt first takes the write lock (BEGIN IMMEDIATE), so the last
number is read under it and no other counter can take it in between: without it,
a read that turns into a write after another counter's commit fails at once
("database is locked", no busy wait), and with 8 counters on one file about one
check-in in 800 ran out of attempts (the reliability suite, issue 17).
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import date
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, SQLModel, select

from cxdesk.errors import CxdeskError

T = TypeVar("T", bound=SQLModel)

ATTEMPTS = 8
# Pause between attempts: a few milliseconds, doubling, with jitter.
FIRST_PAUSE_SECONDS = 0.002


def next_seq(session: Session, model: type[SQLModel], office_id: uuid.UUID, day: date) -> int:
    current = session.exec(
        select(sa.func.max(model.seq)).where(model.office_id == office_id, model.day == day)
    ).one()
    return (current or 0) + 1


def commit_numbered(session: Session, model: type[T], office_id: uuid.UUID, day: date,
                    build: Callable[[int], Sequence[SQLModel]], *, busy: str) -> T:
    """Add what ``build(seq)`` returns (its first row is the numbered ``model`` row)
    and commit; on a taken number, roll back and build again with the next one.

    ``busy`` is the clerk's message if every attempt collides.
    """
    pause = FIRST_PAUSE_SECONDS
    for attempt in range(ATTEMPTS):
        locked = False
        try:
            locked = _write_lock_first(session)
            rows = build(next_seq(session, model, office_id, day))
            session.add_all(rows)
            session.commit()
            return rows[0]
        except (IntegrityError, OperationalError) as exc:
            session.rollback()
            if isinstance(exc, OperationalError) and "locked" not in str(exc.orig).lower():
                raise
            if attempt + 1 < ATTEMPTS:
                time.sleep(pause * random.uniform(0.5, 1.5))
                pause *= 2
        except BaseException:
            if locked:
                session.rollback()  # never keep the write lock past a refused attempt
            raise
    raise CxdeskError(busy)


def _write_lock_first(session: Session) -> bool:
    """SQLite: BEGIN IMMEDIATE, unless this session already wrote in its transaction
    (then the unique constraint and the retries still hold). It waits up to the busy
    timeout for another counter's write to finish."""
    connection = session.connection()
    if connection.dialect.name != "sqlite" or connection.connection.dbapi_connection.in_transaction:
        return False
    connection.exec_driver_sql("BEGIN IMMEDIATE")  # a busy wait that times out raises OperationalError
    return True
