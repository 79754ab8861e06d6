"""The demo office: a Springfield field office with a realistic history, made from a seed.

Deterministic for a seed and a clock. Generated day by day and inserted in
chunks, so a million visits fill in constant memory.
"""

from __future__ import annotations

import math
import random
import time as timer
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from cxdesk.clock import local_day, office_zone
from cxdesk.demo.hooks import DemoDay, DemoEnd, DemoExtender, DemoOffice
from cxdesk.domain.staff import check_new_pin, hash_pin
from cxdesk.domain.workdays import federal_holidays, is_working_day
from cxdesk.errors import CxdeskError
from cxdesk.store.catalogs import office_catalog as catalog
from cxdesk.store.db import Database, describe_url, open_database
from cxdesk.store.models import Office, Shift, Staff, Station, Visit, VisitChannelOffer
from cxdesk.vocab import VisitState

WAITING, CALLED, SERVING, ON_HOLD = VisitState.WAITING, VisitState.CALLED, VisitState.SERVING, VisitState.ON_HOLD
DONE, NO_SHOW, LEFT = VisitState.DONE, VisitState.NO_SHOW, VisitState.LEFT

OFFICE_CODE = "DEMO1"
OFFICE_NAME = "Springfield Field Office"
OFFICE_TIMEZONE = "America/Chicago"
STATION_NAMES = tuple(f"Window {number}" for number in range(1, 6))


@dataclass(frozen=True)
class DemoStaff:
    code: str
    name: str
    role: str
    pin: str
    station: str  # the window they usually work at


DEMO_STAFF = (
    DemoStaff("SUP1", "Ana Ruiz", "supervisor", "2468", "W5"),
    DemoStaff("CLK1", "Ben Okafor", "clerk", "1357", "W1"),
    DemoStaff("CLK2", "Carmen Diaz", "clerk", "4826", "W2"),
    DemoStaff("CLK3", "Dev Patel", "clerk", "5937", "W3"),
    DemoStaff("CLK4", "Erin Walsh", "clerk", "6149", "W4"),
)
DEMO_HINT = "Demo office: supervisor SUP1 / PIN 2468, clerk CLK1 / PIN 1357"
# Today CLK1 is off the floor and Window 1 is free: that seat is for whoever runs the demo.
VISITOR_STAFF = "CLK1"

# Opening hours (office-local). The door closes at CLOSES; whoever is inside
# is still called, up to LAST_CALL after closing.
OPENS = time(9, 0)
CLOSES = time(16, 0)
OPEN_MINUTES = (CLOSES.hour - OPENS.hour) * 60
LAST_CALL = timedelta(minutes=50)

# SSA Inspector General audits: about 140 visitors a working day per field
# office, average waits of 19-40 minutes with about 11% waiting over an hour.
VISITS_PER_DAY = 140
WAIT_MEDIAN_MINUTES = 21.0
WAIT_SIGMA = 1.0
APPOINTMENT_WAIT_MEDIAN_MINUTES = 6.0
SERVICE_SIGMA = 0.5

QUICK_LOG_SHARE = 0.04
NO_SHOW_SHARE = 0.03
SPANISH_SHARE = 0.15
CHANNEL_STEP_SHARE = 0.65
HOLD_SHARE = 0.04
TRANSFER_SHARE = 0.02
OTHER_SERVICE_SHARE = 0.08
CLAIM_SERVICES = frozenset({"retirement_claim", "disability_claim", "ssi_question", "appeal"})

# Busier on Mondays and after a holiday, quieter on Fridays.
WEEKDAY_VOLUME = (1.15, 1.0, 0.95, 1.0, 0.9)
# How crowded the lobby is over the day (minutes after opening -> wait factor).
CROWDING = ((0, 0.55), (60, 0.85), (120, 1.2), (180, 1.35), (240, 1.25), (300, 1.05),
            (360, 0.9), (420, 0.8))

# Weights for catalog codes the demo knows; entries of an overridden catalog
# that it does not know get weight 1.
OUTCOME_WEIGHTS = {"resolved": 76, "follow_up": 10, "referred": 9, "not_served": 5}
REFERRAL_WEIGHTS = {"agency_website": 5, "other_field_office": 3, "state_medicaid": 3, "irs": 2,
                    "uscis": 2, "veterans_affairs": 2, "hearing_office": 2, "legal_aid": 1,
                    "state_unemployment": 1, "other": 1}
REASON_WEIGHTS = {"missing_documents": 8, "needs_specialist": 3, "system_outage": 1,
                  "outside_jurisdiction": 2, "language_unavailable": 1, "customer_left": 1,
                  "other": 1}
CHANNEL_WEIGHTS = {"online": 8, "phone": 5, "appointment": 4, "mobile_app": 3, "mail": 2,
                   "email": 2, "video": 1, "partner_office": 1, "kiosk": 1}

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


# --- generating a day ---------------------------------------------------------------------


class _Choice:
    """A weighted pick from a catalog, cumulative weights computed once."""

    def __init__(self, codes: Sequence[str], weights: Sequence[float]):
        self.codes = list(codes)
        self.cum = []
        total = 0.0
        for weight in weights:
            total += weight
            self.cum.append(total)

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.codes, cum_weights=self.cum)[0]


def _known_weights(name: str, weights: dict[str, float]) -> _Choice:
    codes = catalog(name).codes()
    return _Choice(codes, [weights.get(code, 1) for code in codes])


class _Catalogs:
    def __init__(self):
        services = catalog("services")
        self.services = _Choice(services.codes(), [item.extra["weight"] for item in services])
        self.minutes = {item.code: float(item.extra["minutes"]) for item in services}
        segments = catalog("segments")
        self.segments = _Choice(segments.codes(), [item.extra["weight"] for item in segments])
        self.outcomes = _known_weights("outcomes", OUTCOME_WEIGHTS)
        self.requires = {item.code: item.extra.get("requires") for item in catalog("outcomes")}
        self.referrals = _known_weights("referrals", REFERRAL_WEIGHTS)
        self.reasons = _known_weights("not_served_reasons", REASON_WEIGHTS)
        self.channels = _known_weights("channels", CHANNEL_WEIGHTS)


def _new_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _crowding(minute: float) -> float:
    for (m0, f0), (m1, f1) in zip(CROWDING, CROWDING[1:]):
        if minute <= m1:
            return f0 + (f1 - f0) * (minute - m0) / (m1 - m0)
    return CROWDING[-1][1]


def _arrival_minutes(rng: random.Random) -> float:
    """Minutes after opening: a queue at the door, a late-morning peak, a steady trickle."""
    draw = rng.random()
    if draw < 0.06:
        return rng.uniform(0, 10)
    if draw < 0.80:
        return rng.triangular(0, OPEN_MINUTES, 110)
    return rng.uniform(0, OPEN_MINUTES)


# Every row carries every column, so one executemany covers a whole chunk.
_VISIT_TEMPLATE = {column.name: None for column in Visit.__table__.columns} | {
    "appointment": False, "language": "en", "state": DONE, "hold_count": 0,
}


def _visit_row(office_id: uuid.UUID, day: date, seq: int) -> dict:
    return _VISIT_TEMPLATE | {"office_id": office_id, "day": day, "seq": seq}


@dataclass
class _Duty:
    staff_code: str
    station: str
    starts: datetime
    ends: datetime
    shift_id: uuid.UUID
    free_at: datetime
    last_finish: datetime


class _DayMaker:
    """Makes one working day of visits, shifts and channel offers as row dicts."""

    def __init__(self, office: DemoOffice, catalogs: _Catalogs, after_holiday: set[date]):
        self.office = office
        self.cat = catalogs
        self.after_holiday = after_holiday

    def make(self, rng: random.Random, day: date, now: datetime) -> tuple[list, list, list]:
        zone = self.office.zone
        opens = datetime.combine(day, OPENS, tzinfo=zone).astimezone(timezone.utc)
        is_today = local_day(now, zone) == day
        duties = self._duties(rng, day, opens, is_today)

        volume = VISITS_PER_DAY * WEEKDAY_VOLUME[day.weekday()]
        if day in self.after_holiday:
            volume *= 1.2
        if day.day <= 5:  # benefit payments go out early in the month
            volume *= 1.08
        count = max(20, round(rng.gauss(volume, math.sqrt(volume))))
        arrivals = sorted(_arrival_minutes(rng) for _ in range(count))

        rows = []
        for seq, minute in enumerate(arrivals, start=1):
            rows.append(self._visit(rng, day, seq, opens, minute))
        self._assign(rng, rows, duties)
        offers = [offer for row in rows for offer in self._channels(rng, row)]
        if is_today:
            rows, offers = self._as_of(rng, rows, offers, duties, now)
        shifts = self._shift_rows(duties, rows, now, is_today)
        return rows, offers, shifts

    def _duties(self, rng, day, opens, is_today) -> list[_Duty]:
        duties = []
        for member in DEMO_STAFF:
            if member.role == "supervisor":
                # The supervisor opens Window 5 over the lunch-time peak.
                starts, ends = opens + timedelta(minutes=85), opens + timedelta(minutes=300)
                present = rng.random() < 0.9
            else:
                starts, ends = opens - timedelta(minutes=10), opens + timedelta(minutes=OPEN_MINUTES) + LAST_CALL
                present = rng.random() < 0.92
            if is_today and member.code == VISITOR_STAFF:
                present = False
            if present:
                duties.append(_Duty(member.code, member.station, starts, ends, _new_uuid(rng),
                                    starts, starts))
        if not any(duty.staff_code != "SUP1" for duty in duties):
            # Never a day without a clerk: CLK2 is called in.
            member = DEMO_STAFF[2]
            starts, ends = opens - timedelta(minutes=10), opens + timedelta(minutes=OPEN_MINUTES) + LAST_CALL
            duties.append(_Duty(member.code, member.station, starts, ends, _new_uuid(rng), starts, starts))
        return duties

    def _visit(self, rng, day, seq, opens, minute) -> dict:
        cat = self.cat
        row = _visit_row(self.office.office_id, day, seq)
        row["id"] = _new_uuid(rng)
        wanted = cat.services.pick(rng)
        row["segment"] = cat.segments.pick(rng)
        row["service_wanted"] = wanted
        row["language"] = "es" if rng.random() < SPANISH_SHARE else "en"
        arrived = opens + timedelta(minutes=minute)
        row["arrived_at"] = arrived

        if rng.random() < QUICK_LOG_SHARE:
            # Served at once without queueing (the counter's quick log).
            row.update(called_at=arrived, serving_at=arrived, finished_at=arrived,
                       wait_seconds=0, service_seconds=0)
            self._finish(rng, row, wanted)
            return row

        appointment = rng.random() < (0.6 if wanted in CLAIM_SERVICES else 0.1)
        if appointment:
            slot = opens + timedelta(minutes=15 * math.ceil((minute + 1) / 15))
            row["appointment"] = True
            row["appointment_at"] = slot
            wait = rng.lognormvariate(math.log(APPOINTMENT_WAIT_MEDIAN_MINUTES), 0.7)
            wait += (slot - arrived).total_seconds() / 60
        else:
            median = WAIT_MEDIAN_MINUTES * _crowding(minute)
            wait = rng.lognormvariate(math.log(median), WAIT_SIGMA)
        # Nobody is called later than the last call after closing.
        last_call = (OPEN_MINUTES - minute) + LAST_CALL.total_seconds() / 60
        if wait > last_call:
            wait = last_call * rng.uniform(0.7, 1.0)
        called = arrived + timedelta(minutes=wait)

        # The longer the wait, the likelier someone gives up and leaves.
        leave_chance = 0.015 + min(0.35, max(0.0, wait - 40) / 150)
        if not appointment and rng.random() < leave_chance:
            row["state"] = LEFT
            row["finished_at"] = arrived + timedelta(minutes=wait * rng.uniform(0.4, 0.95))
            return row

        row["called_at"] = called
        row["wait_seconds"] = int((called - arrived).total_seconds())
        if rng.random() < NO_SHOW_SHARE:
            row["state"] = NO_SHOW
            row["finished_at"] = called + timedelta(minutes=rng.uniform(2, 4))
            return row

        served = wanted if rng.random() > OTHER_SERVICE_SHARE else self.cat.services.pick(rng)
        median = self.cat.minutes[served] * 0.85
        minutes = min(max(rng.lognormvariate(math.log(median), SERVICE_SIGMA), 1.0), 240.0)
        if rng.random() < HOLD_SHARE:
            row["hold_count"] = 1
            minutes += rng.uniform(5, 15)
        serving = called + timedelta(minutes=rng.uniform(0.3, 2.0))
        finished = serving + timedelta(minutes=minutes)
        row.update(serving_at=serving, finished_at=finished,
                   service_seconds=int((finished - serving).total_seconds()))
        self._finish(rng, row, served)
        return row

    def _finish(self, rng, row, served) -> None:
        cat = self.cat
        row["state"] = DONE
        row["service"] = served
        outcome = cat.outcomes.pick(rng)
        row["outcome"] = outcome
        needs = cat.requires.get(outcome)
        if needs == "referral":
            row["referral"] = cat.referrals.pick(rng)
        elif needs == "reason":
            row["not_served_reason"] = cat.reasons.pick(rng)

    def _assign(self, rng, rows, duties) -> None:
        """Each called visit goes to the window on duty that is free first."""
        queued = [row for row in rows if row["called_at"] is not None and row["wait_seconds"] != 0]
        called = sorted(queued, key=lambda row: row["called_at"])
        for row in called:
            at = row["called_at"]
            open_now = [duty for duty in duties if duty.starts <= at <= duty.ends] or duties
            duty = min(open_now, key=lambda d: d.free_at)
            self._seat(row, duty)
            duty.free_at = max(duty.free_at, at) + (row["finished_at"] - at)
            duty.last_finish = max(duty.last_finish, row["finished_at"])
            if rng.random() < TRANSFER_SHARE and row["state"] == DONE and len(duties) > 1:
                other = rng.choice([d for d in duties if d is not duty])
                row["transferred_from"] = self.office.station_ids[other.station]
        for row in rows:
            if row["wait_seconds"] == 0:  # quick logs: whoever is on duty logs them
                open_now = [d for d in duties if d.starts <= row["arrived_at"] <= d.ends] or duties
                duty = open_now[rng.randrange(len(open_now))]
                self._seat(row, duty)
                duty.last_finish = max(duty.last_finish, row["finished_at"])

    def _seat(self, row, duty) -> None:
        row["station_id"] = self.office.station_ids[duty.station]
        row["staff_id"] = self.office.staff_ids[duty.staff_code]
        row["shift_id"] = duty.shift_id

    def _channels(self, rng, row) -> list[dict]:
        """EO 12862 1(f): most clerks offer other channels; some customers pick one."""
        if row["state"] != DONE:
            return []
        if rng.random() >= CHANNEL_STEP_SHARE:
            row["channel_step"] = "skipped"
            return []
        row["channel_step"] = "done"
        offered = sorted({self.cat.channels.pick(rng) for _ in range(rng.randint(1, 3))})
        if rng.random() < 0.7:
            row["preferred_channel"] = rng.choice(offered)
        return [{"visit_id": row["id"], "channel": code} for code in offered]

    def _as_of(self, rng, rows, offers, duties, now) -> tuple[list, list]:
        """Today is still going on: later events have not happened yet."""
        rows = [row for row in rows if row["arrived_at"] <= now]
        busy: dict[uuid.UUID, dict] = {}
        for row in sorted(rows, key=lambda r: r["called_at"] or r["arrived_at"], reverse=True):
            if row["finished_at"] is not None and row["finished_at"] <= now:
                continue
            if row["called_at"] is None or row["called_at"] > now:
                _back_in_line(row, WAITING)
                continue
            # At a counter now: one customer per window, the latest called.
            if row["station_id"] in busy:
                if row["serving_at"] is not None and row["serving_at"] + timedelta(minutes=1) <= now:
                    row["finished_at"] = row["serving_at"] + (now - row["serving_at"]) * rng.uniform(0.5, 0.95)
                    row["service_seconds"] = int((row["finished_at"] - row["serving_at"]).total_seconds())
                    if row["state"] != DONE:
                        self._finish(rng, row, row["service_wanted"])
                    continue
                # Sent back to the line mid-visit (fetching a document, say).
                _back_in_line(row, ON_HOLD if row["hold_count"] else WAITING)
                continue
            busy[row["station_id"]] = row
            serving = row["serving_at"] is not None and row["serving_at"] <= now
            row.update(state=SERVING if serving else CALLED, finished_at=None, service_seconds=None,
                       service=None, outcome=None, referral=None, not_served_reason=None,
                       preferred_channel=None, channel_step=None,
                       serving_at=row["serving_at"] if serving else None)
        done_ids = {row["id"] for row in rows if row["state"] == DONE}
        return rows, [offer for offer in offers if offer["visit_id"] in done_ids]

    def _shift_rows(self, duties, rows, now, is_today) -> list[dict]:
        used = {row["shift_id"] for row in rows}
        shifts = []
        for duty in duties:
            if is_today and duty.starts > now and duty.shift_id not in used:
                continue
            ended = max(duty.ends, duty.last_finish + timedelta(minutes=5))
            if is_today and ended > now:
                ended = None  # still at the counter
            shifts.append({"id": duty.shift_id, "staff_id": self.office.staff_ids[duty.staff_code],
                           "station_id": self.office.station_ids[duty.station],
                           "started_at": duty.starts, "ended_at": ended})
        return shifts


def _back_in_line(row: dict, state: str) -> None:
    row.update(state=state, station_id=None, staff_id=None, shift_id=None, called_at=None,
               serving_at=None, finished_at=None, wait_seconds=None, service_seconds=None,
               transferred_from=None, service=None, outcome=None, referral=None,
               not_served_reason=None, preferred_channel=None, channel_step=None)
    if state == WAITING:
        row["hold_count"] = 0


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
    office = Office(id=_new_uuid(rng), code=OFFICE_CODE, name=OFFICE_NAME,
                    timezone=OFFICE_TIMEZONE, created_at=created)
    session.add(office)
    session.flush()
    stations = {}
    for number, name in enumerate(STATION_NAMES, start=1):
        station = Station(id=_new_uuid(rng), office_id=office.id, code=f"W{number}", name=name)
        session.add(station)
        stations[station.code] = station.id
    staff = {}
    for member in DEMO_STAFF:
        record = Staff(id=_new_uuid(rng), office_id=office.id, code=member.code, name=member.name,
                       role=member.role, pin_hash=hash_pin(check_new_pin(member.pin)),
                       created_at=created)
        session.add(record)
        staff[member.code] = record.id
    session.flush()
    return DemoOffice(office.id, office_zone(OFFICE_TIMEZONE), stations, staff)


def load_extenders() -> list[DemoExtender]:
    """Every feature's demo data, in the order it is added."""
    from cxdesk.demo import complaints, standards, surveys

    return [surveys.EXTENDER, complaints.EXTENDER, standards.EXTENDER]


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
    calendar = working_days(local_day(now, zone), days)
    rng = random.Random(seed)
    federal = {day for year in range(calendar[0].year - 1, calendar[-1].year + 1)
               for day in federal_holidays(year)}
    after_holiday = {day + timedelta(days=3 if day.weekday() == 4 else 1) for day in federal}

    with db.session() as session:
        if session.exec(select(Office.id)).first() is not None:
            raise CxdeskError(f"{describe_url(db.url)} already holds an office: the demo fills only an empty database.")
        created = datetime.combine(calendar[0] - timedelta(days=7), OPENS, tzinfo=zone).astimezone(timezone.utc)
        office = _create_office(session, rng, created)
        session.commit()

        maker = _DayMaker(office, _Catalogs(), after_holiday)
        summary = DemoSummary(OFFICE_CODE, calendar[0], calendar[-1], len(calendar), 0, 0, 0, 0.0)
        batch: list[tuple[date, list, list, list]] = []
        pending = 0
        for index, day in enumerate(calendar, start=1):
            rows, offers, shifts = maker.make(rng, day, now)
            batch.append((day, rows, offers, shifts))
            pending += len(rows)
            for row in rows:
                summary.by_state[row["state"]] = summary.by_state.get(row["state"], 0) + 1
            summary.visits += len(rows)
            if pending >= CHUNK_VISITS or index == len(calendar):
                _insert_batch(session, office, batch, extenders, seed, now, zone)
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

    summary.waiting_now = summary.by_state.get(WAITING, 0) + summary.by_state.get(ON_HOLD, 0)
    summary.at_counters_now = summary.by_state.get(CALLED, 0) + summary.by_state.get(SERVING, 0)
    summary.seconds = timer.perf_counter() - started
    return summary


def _insert_batch(session: Session, office: DemoOffice, batch, extenders, seed, now, zone) -> None:
    """One transaction: shifts, visits, channel offers, then each extender's rows."""
    shifts = [shift for _day, _rows, _offers, day_shifts in batch for shift in day_shifts]
    visits = [row for _day, rows, _offers, _shifts in batch for row in rows]
    offers = [offer for _day, _rows, day_offers, _shifts in batch for offer in day_offers]
    # Core inserts of the tables (not the ORM classes): one executemany each,
    # where the ORM's bulk path would split rows by which values are None.
    for table, rows in ((Shift, shifts), (Visit, visits), (VisitChannelOffer, offers)):
        if rows:
            session.execute(sa.insert(table.__table__), rows)
    today = local_day(now, zone)
    for day, rows, day_offers, day_shifts in batch:
        demo_day = DemoDay(office, day, now, day == today, rows, day_offers, day_shifts)
        for extender in extenders:
            if extender.day is not None:
                extender.day(session, demo_day, random.Random(f"{seed}:{extender.name}:{day.isoformat()}"))
    session.commit()


# --- the demo database ----------------------------------------------------------------------


def office_in(db: Database) -> Office | None:
    with db.session() as session:
        return session.exec(select(Office).order_by(Office.created_at)).first()


def check_fillable(db: Database) -> str:
    """"empty" or "demo"; any other office is refused with a clear message."""
    office = office_in(db)
    if office is None:
        return "empty"
    if office.code == OFFICE_CODE:
        return "demo"
    raise CxdeskError(
        f"{describe_url(db.url)} holds the office {office.code} ({office.name}), not the demo office. "
        "cxdesk demo fills only an empty database or its own demo file; nothing was changed."
    )


def sqlite_path(url: str) -> Path | None:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def remove_sqlite_file(path: Path) -> None:
    """Delete an SQLite file with its WAL and shared-memory companions."""
    for companion in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            companion.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise CxdeskError(f"Cannot remove {companion}: {exc.strerror}.") from None


def open_for_demo(url: str, *, reset: bool = False) -> tuple[Database, str]:
    """Open ``url`` for the demo: ("empty" | "demo"). ``reset`` rebuilds a demo SQLite file.

    Refuses (CxdeskError) a database holding another office, and a reset of
    anything but the demo's own SQLite file.
    """
    db = open_database(url)
    try:
        state = check_fillable(db)
    except CxdeskError:
        db.dispose()
        raise
    if reset and state == "demo":
        path = sqlite_path(url)
        if path is None:
            db.dispose()
            raise CxdeskError(
                f"--reset rebuilds only an SQLite demo file; drop and recreate {describe_url(url)} yourself."
            )
        db.dispose()
        remove_sqlite_file(path)
        db = open_database(url)
        state = "empty"
    return db, state


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


# A demo opened outside opening hours, or on a later day, would show an empty
# counter. Before opening the app the line is topped up as if the office were
# open right now: customers who arrived over the last hour or so.
LIVE_LINE = 8


def top_up_line(url: str, *, now: datetime, seed: int = 12862) -> int:
    """Check in customers until today's line has ``LIVE_LINE`` waiting; returns how many were added."""
    from cxdesk.domain import visits

    db = open_database(url)
    try:
        with db.session() as session:
            office = office_in(db)
            if office is None:
                return 0
            waiting = len(visits.waiting_line(session, office, now))
            missing = max(LIVE_LINE - waiting, 0)
            rng = random.Random(f"{seed}-live-{local_day(now, office_zone(office.timezone))}")
            catalogs = _Catalogs()
            # Tickets are numbered in arrival order, as at a real check-in desk.
            arrivals = sorted(now - timedelta(minutes=rng.uniform(2, 75)) for _ in range(missing))
            for index, arrived in enumerate(arrivals):
                due = index == 0 and waiting == 0
                visits.check_in(
                    session, office,
                    segment=catalogs.segments.pick(rng), service=catalogs.services.pick(rng),
                    appointment_at=now + timedelta(minutes=5) if due else None,
                    language="es" if rng.random() < 0.2 else "en", now=arrived,
                )
            return missing
    finally:
        db.dispose()
