"""Numbers that count up per office and day (ticket A033, complaint CHI01-20261124-007).

The next number is read, the rows are written with it, and the unique
(office, day, seq) constraint refuses a number another counter took at the
same moment; then the whole attempt is rolled back and tried again with the
next number, after a short random pause so two racing counters fall apart.
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
        rows = build(next_seq(session, model, office_id, day))
        session.add_all(rows)
        try:
            session.commit()
            return rows[0]
        except (IntegrityError, OperationalError) as exc:
            session.rollback()
            if isinstance(exc, OperationalError) and "locked" not in str(exc.orig).lower():
                raise
            if attempt + 1 < ATTEMPTS:
                time.sleep(pause * random.uniform(0.5, 1.5))
                pause *= 2
    raise CxdeskError(busy)
