"""How each feature adds demo data of its own: hooks called by the generator with
the demo office's ids and each day's rows."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session


@dataclass(frozen=True)
class DemoOffice:
    """The demo office's ids, for extenders that add rows of their own."""

    office_id: uuid.UUID
    zone: ZoneInfo
    station_ids: dict[str, uuid.UUID]  # "W1" -> id
    staff_ids: dict[str, uuid.UUID]  # "CLK1" -> id


@dataclass(frozen=True)
class DemoDay:
    """One working day just inserted: its visits as plain row dicts (read-only)."""

    office: DemoOffice
    day: date
    now: datetime
    is_today: bool
    visits: Sequence[dict]
    channel_offers: Sequence[dict]
    shifts: Sequence[dict]


@dataclass(frozen=True)
class DemoEnd:
    """The whole run, for extenders that add data once (e.g. a quarterly staff survey)."""

    office: DemoOffice
    days: Sequence[date]
    now: datetime


@dataclass(frozen=True)
class DemoExtender:
    """Later features add demo data of their own through these two hooks.

    ``day(session, demo_day, rng)`` runs after each working day's visits are
    inserted, ``end(session, demo_end, rng)`` once after the last day. Both run
    inside the generator's transaction: add rows (in bulk, best as
    ``session.execute(sa.insert(Table.__table__), rows)``), never commit. ``rng`` is a ``random.Random`` seeded from
    the demo seed, the extender's name and the day, so an extender never
    changes the visits or another extender's data.
    """

    name: str
    day: Callable[[Session, DemoDay, random.Random], None] | None = None
    end: Callable[[Session, DemoEnd, random.Random], None] | None = None
