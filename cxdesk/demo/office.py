"""The demo office: a Springfield field office whose history is a simulated queue.

Each working day is a discrete-event simulation (``simulation.simulate_day``) of
seven clerks, a relief clerk and a supervisor at nine windows; ``rows`` turns it
into database rows. Deterministic for a seed and a clock: each day has random
streams of its own, so the same seed gives the same days whatever ``--days`` says.
Generated day by day and inserted in chunks, so a million visits fill in constant memory.
"""

from __future__ import annotations

import random
import time as timer
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

from cxdesk.clock import local_day, office_zone
from cxdesk.demo.database import OFFICE_CODE, office_in, open_for_demo
from cxdesk.demo.day import APPOINTMENT_GRACE, DEFAULT_STAFFING, WAITING, DayPlan, StaffingSlot, duties_for
from cxdesk.demo.hooks import DemoDay, DemoEnd, DemoExtender, DemoOffice
from cxdesk.demo.realism import as_of
from cxdesk.demo.rows import SPANISH_SHARE, Catalogs, day_rows, new_uuid
from cxdesk.demo.simulation import simulate_day
from cxdesk.domain.staff import check_new_pin, hash_pin
from cxdesk.domain.workdays import federal_holidays, is_working_day
from cxdesk.errors import CxdeskError
from cxdesk.store.db import Database, describe_url, open_database
from cxdesk.store.models import Office, Shift, Staff, Station, Visit, VisitChannelOffer
from cxdesk.vocab import VisitState

OFFICE_NAME = "Springfield Field Office"
OFFICE_TIMEZONE = "America/Chicago"
# W1-W7: the clerks' windows; W8: the supervisor's (calls while the line is long);
# W9: the relief clerk's, open on a day a colleague is off.
STATION_NAMES = tuple(f"Window {number}" for number in range(1, 10))


@dataclass(frozen=True)
class DemoStaff:
    code: str
    name: str
    role: str
    pin: str
    station: str  # the window they usually work at


DEMO_STAFF = (
    DemoStaff("SUP1", "Ana Ruiz", "supervisor", "24681357", "W8"),
    DemoStaff("CLK1", "Ben Okafor", "clerk", "1357", "W1"),
    DemoStaff("CLK2", "Carmen Diaz", "clerk", "4826", "W2"),
    DemoStaff("CLK3", "Dev Patel", "clerk", "5937", "W3"),
    DemoStaff("CLK4", "Erin Walsh", "clerk", "6149", "W4"),
    DemoStaff("CLK5", "Farah Haddad", "clerk", "7284", "W5"),
    DemoStaff("CLK6", "Gus Lindqvist", "clerk", "8395", "W6"),
    DemoStaff("CLK7", "Hana Kimura", "clerk", "9416", "W7"),
    DemoStaff("CLK8", "Iris Mendoza", "clerk", "3527", "W9"),
)
# Supervisors need 8 digits or more (cxdesk.domain.pins).
DEMO_HINT = "Demo office: supervisor SUP1 / PIN 24681357, clerk CLK1 / PIN 1357 at Window 1 (kept free for you)"
# Today CLK1 is off the floor and Window 1 is free: that seat is for whoever runs the demo.
VISITOR_STAFF = "CLK1"
RELIEF_STAFF, RELIEF_WINDOW = "CLK8", "W9"

# Opening hours (office-local). The door closes at CLOSES; whoever is inside is still
# called up to the simulation's LAST_CALL after closing.
OPENS = time(9, 0)
CLOSES = time(16, 0)

# SSA Inspector General audits: about 140 visitors a working day per field office, on
# average. Busier on Mondays and after a holiday, quieter on Fridays; benefit payments go
# out early in the month. Those factors average about 1.018 over a year, so the base is
# 140 / 1.018: the simulation is calibrated on an average of 140.
VISITS_PER_DAY = 137.5
WEEKDAY_VOLUME = (1.15, 1.0, 0.95, 1.0, 0.9)
AFTER_HOLIDAY_VOLUME = 1.2
EARLY_MONTH_VOLUME = 1.08
CLAIM_SERVICES = frozenset({"retirement_claim", "disability_claim", "ssi_question", "appeal"})
# Each clerk is off (leave, sickness, training) on about one working day in sixteen.
ABSENCE_SHARE = 0.06

# Visits per insert chunk; each chunk is one transaction.
CHUNK_VISITS = 5000

Progress = Callable[[int, int], None]


# --- the calendar ------------------------------------------------------------------


def working_days(last: date, count: int) -> list[date]:
    """The ``count`` working days ending at ``last`` (included if it is one), oldest first."""
    if count < 1:
        raise CxdeskError("The demo needs at least one working day (--days 1 or more).")
    days: list[date] = []
    day = last
    while len(days) < count:
        if is_working_day(day):
            days.append(day)
        day -= timedelta(days=1)
    days.reverse()
    return days


# --- one day -----------------------------------------------------------------------


def staffing_for(rng: random.Random, *, visitor_off: bool = False) -> tuple[StaffingSlot, ...]:
    """Who works where on a day: the calibrated staffing, less the clerks who are off.

    The model is calibrated with every window staffed (one clerk short gives ~31 minutes'
    mean wait), so cover comes in: the relief clerk takes the first absence at the spare
    Window 9, the supervisor works Window 8 all day for the second; a third is a short day.
    ``visitor_off``: CLK1 is off whatever the draw (today: their window is the visitor's).
    """
    off = [slot for slot in DEFAULT_STAFFING if not slot.backup and rng.random() < ABSENCE_SHARE]
    if visitor_off and all(slot.staff != VISITOR_STAFF for slot in off):
        off.insert(0, next(slot for slot in DEFAULT_STAFFING if slot.staff == VISITOR_STAFF))
    staffed = [slot for slot in DEFAULT_STAFFING if slot not in off]
    if off:
        staffed.append(replace(off[0], staff=RELIEF_STAFF, station=RELIEF_WINDOW))
    if len(off) > 1:
        staffed = [replace(slot, backup=False) if slot.backup else slot for slot in staffed]
    return tuple(staffed)


def day_plan(day: date, zone: ZoneInfo, catalogs: Catalogs, staffing: Sequence[StaffingSlot],
             *, after_holiday: bool = False) -> DayPlan:
    """The simulation's plan for one working day of the demo office."""
    opens = datetime.combine(day, OPENS, tzinfo=zone).astimezone(timezone.utc)
    volume = VISITS_PER_DAY * WEEKDAY_VOLUME[min(day.weekday(), 4)]
    if after_holiday:
        volume *= AFTER_HOLIDAY_VOLUME
    if day.day <= 5:
        volume *= EARLY_MONTH_VOLUME
    return DayPlan(opens=opens, closes=datetime.combine(day, CLOSES, tzinfo=zone).astimezone(timezone.utc),
                   duties=duties_for(opens, staffing), services=catalogs.services,
                   expected_arrivals=volume, claims=CLAIM_SERVICES)


@dataclass(frozen=True)
class _Run:
    """What every day of one generator run shares."""

    office: DemoOffice
    catalogs: Catalogs
    after_holiday: frozenset[date]
    seed: int
    now: datetime
    today: date

    def make(self, day: date) -> tuple[list, list, list]:
        """One working day's visit, channel-offer and shift rows."""
        rng = random.Random(f"{self.seed}:{day.isoformat()}")
        is_today = day == self.today
        staffing = staffing_for(rng, visitor_off=is_today)
        plan = day_plan(day, self.office.zone, self.catalogs, staffing, after_holiday=day in self.after_holiday)
        queue = random.Random(f"{self.seed}:{day.isoformat()}:queue")
        simulated = simulate_day(plan, queue, until=self.now if is_today else None)
        return day_rows(simulated, office=self.office, day=day, catalogs=self.catalogs, rng=rng,
                        now=self.now, is_today=is_today)


# --- filling a database ---------------------------------------------------------------------


@dataclass
class DemoSummary:
    office_code: str
    first_day: date
    last_day: date
    working_days: int
    visits: int
    waiting_now: int
    at_counters_now: int
    seconds: float
    hint: str = DEMO_HINT
    by_state: dict[str, int] = field(default_factory=dict)


def _create_office(session: Session, rng: random.Random, created: datetime) -> DemoOffice:
    office = Office(id=new_uuid(rng), code=OFFICE_CODE, name=OFFICE_NAME,
                    timezone=OFFICE_TIMEZONE, created_at=created)
    session.add(office)
    session.flush()
    stations = {}
    for number, name in enumerate(STATION_NAMES, start=1):
        station = Station(id=new_uuid(rng), office_id=office.id, code=f"W{number}", name=name)
        session.add(station)
        stations[station.code] = station.id
    staff = {}
    for member in DEMO_STAFF:
        record = Staff(id=new_uuid(rng), office_id=office.id, code=member.code, name=member.name,
                       role=member.role, pin_hash=hash_pin(check_new_pin(member.pin, member.role)),
                       created_at=created)
        session.add(record)
        staff[member.code] = record.id
    session.flush()
    return DemoOffice(office.id, office_zone(OFFICE_TIMEZONE), stations, staff)


def load_extenders() -> list[DemoExtender]:
    """Every feature's demo data, in the order it is added."""
    from cxdesk.demo import barrier, complaints, standards, surveys

    return [surveys.EXTENDER, complaints.EXTENDER, standards.EXTENDER, barrier.EXTENDER]


def generate(db: Database, *, days: int = 30, seed: int = 12862, now: datetime,
             progress: Progress | None = None,
             extenders: Sequence[DemoExtender] | None = None) -> DemoSummary:
    """Fill an empty database with the demo office: ``days`` working days ending today.

    ``now`` is the clock: today's visits stop at ``now`` (some still waiting or
    at a counter). Inserts in chunks of about CHUNK_VISITS visits, one
    transaction each, calling each extender's ``day`` hook after the day's
    visits are in and ``end`` once at the end.
    """
    if now.tzinfo is None:
        raise ValueError("generate needs a timezone-aware now")
    started = timer.perf_counter()
    extenders = load_extenders() if extenders is None else list(extenders)
    zone = office_zone(OFFICE_TIMEZONE)
    today = local_day(now, zone)
    calendar = working_days(today, days)
    federal = {day for year in range(calendar[0].year - 1, calendar[-1].year + 1)
               for day in federal_holidays(year)}
    after_holiday = frozenset(day + timedelta(days=3 if day.weekday() == 4 else 1) for day in federal)

    with db.session() as session:
        if session.exec(select(Office.id)).first() is not None:
            raise CxdeskError(f"{describe_url(db.url)} already holds an office: the demo fills only an empty database.")
        created = datetime.combine(calendar[0] - timedelta(days=7), OPENS, tzinfo=zone).astimezone(timezone.utc)
        office = _create_office(session, random.Random(f"{seed}:office"), created)
        session.commit()

        run = _Run(office, Catalogs(), after_holiday, seed, now, today)
        summary = DemoSummary(OFFICE_CODE, calendar[0], calendar[-1], len(calendar), 0, 0, 0, 0.0)
        batch: list[tuple[date, list, list, list]] = []
        pending = 0
        for index, day in enumerate(calendar, start=1):
            rows, offers, shifts = run.make(day)
            batch.append((day, rows, offers, shifts))
            pending += len(rows)
            for row in rows:
                summary.by_state[row["state"]] = summary.by_state.get(row["state"], 0) + 1
            summary.visits += len(rows)
            if pending >= CHUNK_VISITS or index == len(calendar):
                _insert_batch(session, office, batch, extenders, seed, now, today)
                batch, pending = [], 0
                if progress is not None:
                    progress(index, len(calendar))

        for extender in extenders:
            if extender.end is not None:
                extender.end(session, DemoEnd(office, calendar, now),
                             random.Random(f"{seed}:{extender.name}:end"))
        session.commit()
        # Fresh statistics after a bulk load, so the query planner picks the
        # per-day indexes instead of walking the whole history.
        session.execute(sa.text("ANALYZE"))
        session.commit()

    in_line, at_counter = VisitState.IN_LINE, VisitState.AT_COUNTER
    summary.waiting_now = sum(count for state, count in summary.by_state.items() if state in in_line)
    summary.at_counters_now = sum(count for state, count in summary.by_state.items() if state in at_counter)
    summary.seconds = timer.perf_counter() - started
    return summary


def _insert_batch(session: Session, office: DemoOffice, batch, extenders, seed, now, today) -> None:
    """One transaction: shifts, visits, channel offers, then each extender's rows."""
    shifts = [shift for _day, _rows, _offers, day_shifts in batch for shift in day_shifts]
    visits = [row for _day, rows, _offers, _shifts in batch for row in rows]
    offers = [offer for _day, _rows, day_offers, _shifts in batch for offer in day_offers]
    # Core inserts of the tables (not the ORM classes): one executemany each,
    # where the ORM's bulk path would split rows by which values are None.
    for table, rows in ((Shift, shifts), (Visit, visits), (VisitChannelOffer, offers)):
        if rows:
            session.execute(sa.insert(table.__table__), rows)
    for day, rows, day_offers, day_shifts in batch:
        demo_day = DemoDay(office, day, now, day == today, rows, day_offers, day_shifts)
        for extender in extenders:
            if extender.day is not None:
                extender.day(session, demo_day, random.Random(f"{seed}:{extender.name}:{day.isoformat()}"))
    session.commit()


def build(url: str, *, days: int = 30, seed: int = 12862, now: datetime, reset: bool = False,
          progress: Progress | None = None) -> DemoSummary | None:
    """Open ``url`` and fill it unless it already holds the demo (then None)."""
    db, state = open_for_demo(url, reset=reset)
    try:
        if state == "demo":
            return None
        return generate(db, days=days, seed=seed, now=now, progress=progress)
    finally:
        db.dispose()


# --- the live line ----------------------------------------------------------------------------

# A demo opened outside opening hours, or on a later day, would show an empty counter.
# Before opening the app the line is topped up with the line of a simulated day at its
# busiest, as if that moment were now.
LIVE_LINE = 8


def busiest_line(plan: DayPlan, rng: random.Random) -> tuple[datetime, list]:
    """A simulated day's moment with the longest line (checked every ten minutes while the
    door is open), and that line in calling order: due appointments first, then arrivals."""
    visits = simulate_day(plan, rng).visits
    moments = [plan.opens + timedelta(minutes=m)
               for m in range(10, int((plan.closes - plan.opens).total_seconds() // 60) + 1, 10)]
    lines = {moment: [v for v in as_of(visits, moment) if v.state == WAITING] for moment in moments}
    busiest = max(moments, key=lambda moment: len(lines[moment]))

    def order(v):
        due = v.appointment_at is not None and v.appointment_at <= busiest + APPOINTMENT_GRACE
        return (0, v.appointment_at, v.arrived_at) if due else (1, v.arrived_at, v.arrived_at)

    return busiest, sorted(lines[busiest], key=order)


def top_up_line(url: str, *, now: datetime, seed: int = 12862) -> int:
    """Check in customers until today's line has ``LIVE_LINE`` waiting; returns how many were added.

    They are the head of a simulated line at its busiest (the full staffing, the day's
    volume), moved to ``now``: the same waits, services and appointments as the simulation.
    """
    from cxdesk.domain import visits

    db = open_database(url)
    try:
        with db.session() as session:
            office = office_in(db)
            if office is None:
                return 0
            missing = max(LIVE_LINE - len(visits.waiting_line(session, office, now)), 0)
            if not missing:
                return 0
            day = office.local_day(now)
            rng = random.Random(f"{seed}:live:{day.isoformat()}")
            catalogs = Catalogs()
            plan = day_plan(day, office.zone, catalogs, DEFAULT_STAFFING)
            cut, line = busiest_line(plan, random.Random(f"{seed}:live:{day.isoformat()}:queue"))
            # Tickets are numbered in arrival order, as at a real check-in desk.
            for v in sorted(line[:missing], key=lambda v: v.arrived_at):
                visits.check_in(
                    session, office, segment=catalogs.segments.pick(rng), service=v.service_wanted,
                    appointment_at=None if v.appointment_at is None else now + (v.appointment_at - cut),
                    language="es" if rng.random() < SPANISH_SHARE else "en", now=now - (cut - v.arrived_at),
                )
            return min(missing, len(line))
    finally:
        db.dispose()
