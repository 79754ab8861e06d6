"""The waiting line and visits: check in, call next, serve, finish.

Every step is committed at once. The order of the line, for a station: customers
transferred to that station first, then customers sent back to the line from a
window (a transfer to the office line, a clerk who signed out mid-visit), then
appointments that are due (earliest appointment first), then everyone else
first come, first served. A customer transferred to one station is never
called by another, and nobody is ever left "called" at a window nobody staffs.

One module for the whole life of a visit in the line (about 440 lines): the line's
order and the steps that change it are one rule, read together.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from cxdesk.domain.numbering import commit_numbered
from cxdesk.domain.staff import SignedIn, open_shift_at
from cxdesk.errors import CxdeskError
from cxdesk.store.catalogs import office_catalog as catalog
from cxdesk.store.db import begin_write
from cxdesk.store.models import (
    Office,
    Station,
    Visit,
    VisitChannelOffer,
    bound,
    ticket_number,
)
from cxdesk.text import clean_block
from cxdesk.vocab import LANGUAGES, VisitState

WAITING = VisitState.WAITING
CALLED = VisitState.CALLED
SERVING = VisitState.SERVING
ON_HOLD = VisitState.ON_HOLD
DONE = VisitState.DONE
NO_SHOW = VisitState.NO_SHOW
LEFT = VisitState.LEFT
IN_LINE = VisitState.IN_LINE
AT_COUNTER = VisitState.AT_COUNTER
# An appointment counts as "due" this long before its time.
APPOINTMENT_GRACE = timedelta(minutes=10)
NOTE_LIMIT = 500
# A no-show or "left" marked by mistake can be undone this long after.
UNDO_WINDOW = timedelta(minutes=2)


def ticket(visit: Visit) -> str:
    """What the customer hears called (A033, P007)."""
    return visit.ticket


def _commit_numbered(session: Session, office: Office, visit: Visit) -> Visit:
    def numbered(seq: int) -> list[Visit]:
        visit.seq = seq
        return [visit]

    return commit_numbered(session, Visit, office.id, visit.day, numbered,
                           busy="Could not number the ticket: the line is very busy, try again.")


def _check_choice(name: str, code: str | None, what: str) -> str:
    if not code:
        raise CxdeskError(f"Choose a {what}.")
    return catalog(name).get(code).code


def check_in(session: Session, office: Office, *, segment: str, service: str,
             appointment_at: datetime | None = None, language: str = "en",
             now: datetime) -> Visit:
    """Put a customer in the waiting line."""
    if language not in LANGUAGES:
        raise CxdeskError(f"Language must be one of {', '.join(LANGUAGES)}.")
    visit = Visit(
        office_id=office.id,
        day=office.local_day(now),
        seq=0,
        segment=_check_choice("segments", segment, "customer segment"),
        service_wanted=_check_choice("services", service, "service"),
        appointment=appointment_at is not None,
        appointment_at=appointment_at,
        language=language,
        state=WAITING,
        arrived_at=now,
    )
    return _commit_numbered(session, office, visit)


@dataclass(frozen=True)
class LineEntry:
    """A row of the waiting line as the counter screen shows it."""

    id: uuid.UUID
    ticket: str
    segment: str
    service_wanted: str
    language: str
    appointment_at: datetime | None
    arrived_at: datetime
    state: str
    hold_count: int
    # Transferred to this station (only its clerk calls them), or None.
    waits_for: uuid.UUID | None = None
    # Sent back to the line from a window: first in line.
    sent_back: bool = False

    def waited(self, now: datetime) -> timedelta:
        return max(now - self.arrived_at, timedelta(0))


def _line_order():
    """Transferred to this station, then sent back from a window, then appointments
    due (by appointment time), then arrival order; customers who arrived in the same
    instant go by ticket number (the order they were given their tickets).

    Over the parameters of ``_line_params``: ``station`` (None: no station comes first)
    and ``due_by`` (appointments up to then are due)."""
    due = sa.and_(Visit.appointment, Visit.appointment_at <= bound("due_by", Visit.appointment_at))
    sent_back = sa.and_(Visit.state == WAITING, col(Visit.transferred_from).is_not(None))
    mine = Visit.station_id == bound("station", Visit.station_id)  # NULL (never true) for no station
    return (
        sa.case((mine, 0), (col(Visit.station_id).is_not(None), 1), (sent_back, 1), (due, 2), else_=3),
        sa.case((sent_back, Visit.called_at), (due, Visit.appointment_at), else_=Visit.arrived_at),
        Visit.arrived_at,
        Visit.seq,
    )


# The line's columns: what the counter shows, and what "next" needs to claim the first.
_SHOWN = ("id", "appointment", "seq", "segment", "service_wanted", "language", "appointment_at", "arrived_at",
          "state", "hold_count", "station_id", "transferred_from")
_TO_CLAIM = ("id", "arrived_at", "called_at")


@functools.cache
def _line_query(columns: tuple[str, ...], callable_here_only: bool):
    """Today's line in calling order: ``columns`` of each visit, the first ``limit``. With
    ``callable_here_only``, only those this station may call (not those transferred to another).

    Built once, over the parameters of ``_line_params``: building the statement was half of
    reading a 200-person line (issue 16), and "next" built it on every call."""
    query = sa.select(*(getattr(Visit, name) for name in columns)).where(
        Visit.office_id == bound("office", Visit.office_id), Visit.day == bound("day", Visit.day),
        col(Visit.state).in_(IN_LINE))
    if callable_here_only:
        query = query.where(sa.or_(col(Visit.station_id).is_(None),
                                   Visit.station_id == bound("station", Visit.station_id)))
    return query.order_by(*_line_order()).limit(sa.bindparam("limit"))


def _line_params(office: Office, station: Station | None, now: datetime, limit: int) -> dict:
    return {"office": office.id, "day": office.local_day(now), "due_by": now + APPOINTMENT_GRACE,
            "station": station.id if station is not None else None, "limit": limit}


def waiting_line(session: Session, office: Office, now: datetime, limit: int = 200,
                 station: Station | None = None) -> list[LineEntry]:
    """Today's line in calling order (for ``station``, if given). Uses the (office, day, state) index."""
    # Only the columns the line shows: a 200-person line read as whole Visit objects spent
    # most of its time building them (issue 16: one refresh of the line <= 16 ms).
    rows = session.execute(_line_query(_SHOWN, False), _line_params(office, station, now, limit)).all()
    # Rows unpacked as tuples: a Row's named attributes cost a lookup each, 2,400 a line.
    return [
        LineEntry(id_, ticket_number(appointment, seq), segment, service_wanted, language, appointment_at,
                  arrived_at, state, hold_count, station_id, state == WAITING and transferred_from is not None)
        for (id_, appointment, seq, segment, service_wanted, language, appointment_at, arrived_at, state,
             hold_count, station_id, transferred_from) in rows
    ]


def at_station(session: Session, office: Office, station: Station) -> Visit | None:
    """The customer currently called to or served at this station, if any."""
    return session.exec(_at_station_query(), params={"office": office.id, "station": station.id}).first()


@functools.cache
def _at_station_query():
    # Built once: read on every counter refresh, where building it cost more than running it.
    return (select(Visit).where(Visit.office_id == bound("office", Visit.office_id),
                                Visit.station_id == bound("station", Visit.station_id),
                                col(Visit.state).in_(AT_COUNTER))
            .order_by(col(Visit.called_at).desc()).limit(1))


def _require_free(session: Session, office: Office, station: Station) -> None:
    # On PostgreSQL the station row is locked for the rest of the transaction, so two
    # sign-ins at one station (or two presses of "next") cannot both find it free.
    # SQLite has one writer at a time, and the claim below re-checks in its UPDATE.
    session.exec(select(Station.id).where(Station.id == station.id).with_for_update()).first()
    current = at_station(session, office, station)
    if current is not None:
        raise CxdeskError(f"Finish {ticket(current)} first (or put them on hold).")


def _claim(session: Session, visit: Visit, who: SignedIn, now: datetime, state: str) -> Visit:
    visit.state = state
    visit.station_id = who.station.id
    visit.staff_id = who.staff.id
    visit.shift_id = who.shift.id
    if visit.called_at is None:
        visit.called_at = now
        visit.wait_seconds = int((now - visit.arrived_at).total_seconds())
    if state == SERVING and visit.serving_at is None:
        visit.serving_at = now
    session.add(visit)
    session.commit()
    return visit


# Another visit at the same station, in the claim's "is this station free" test. Built once:
# an alias made per call cost about 2 ms of statement building in every "next".
_OTHER = aliased(Visit)


def _station_free(station: Station):
    return ~sa.exists().where(_OTHER.station_id == station.id, col(_OTHER.state).in_(AT_COUNTER))


# How many times "next" reads the line again when other counters took every customer it read.
CALL_ROUNDS = 50


def _first_in_line(session: Session, params: dict, *, postgres: bool):
    """Id, arrival and first call of the first customer ``params`` (``_line_params``) finds
    in this station's calling order, or None for an empty line. PostgreSQL: locked (FOR
    UPDATE), passing over those other counters are calling this moment."""
    first = _line_query(_TO_CLAIM, True)
    if not postgres:
        return session.execute(first, params).first()
    found = session.execute(first.with_for_update(skip_locked=True), params).first()
    if found is None:
        # Everyone eligible is being called at another counter this moment: wait for the
        # first of them (called there, or back in line if that claim fails).
        found = session.execute(first.with_for_update(), params).first()
    return found


def _claim_statements(who: SignedIn, now: datetime):
    """The claim's UPDATE for a customer called for the first time (their wait is set
    then) and for one called again; only if still in line and the station is free."""
    again = (
        sa.update(Visit)
        .where(Visit.id == sa.bindparam("claimed"), col(Visit.state).in_(IN_LINE), _station_free(who.station))
        .values(state=CALLED, station_id=who.station.id, staff_id=who.staff.id, shift_id=who.shift.id)
        .execution_options(synchronize_session=False)
    )
    return again.values(called_at=now, wait_seconds=sa.bindparam("waited")), again


def _claim_found(session: Session, statements, found, now: datetime) -> bool:
    """Run the claim (``_claim_statements``) on ``found`` (its id, arrival and first call):
    True if it was still in line and the station free, so it is now called here."""
    first_call, called_again = statements
    if found.called_at is None:
        waited = int((now - found.arrived_at).total_seconds())
        claimed = session.execute(first_call, {"claimed": found.id, "waited": waited})
    else:
        claimed = session.execute(called_again, {"claimed": found.id})
    return claimed.rowcount == 1


def call_next(session: Session, office: Office, who: SignedIn, now: datetime) -> Visit:
    """Call the next customer in line to this station.

    The claim is a conditional UPDATE, so two counters pressing "next" at the
    same moment never get the same customer, and one station never gets two.
    It is one short write transaction (its statements are built before it begins):
    on SQLite the first in line is read under the write lock (BEGIN IMMEDIATE), so
    nobody can take them before the UPDATE; on PostgreSQL with FOR UPDATE SKIP
    LOCKED, so counters calling at once each take the first customer nobody else
    is taking, without waiting for each other.
    """
    _require_free(session, office, who.station)
    postgres = session.get_bind().dialect.name == "postgresql"
    line = _line_params(office, who.station, now, limit=1)
    claim = _claim_statements(who, now)
    for _round in range(CALL_ROUNDS):
        began = begin_write(session)
        found = _first_in_line(session, line, postgres=postgres)
        if found is None:
            if began or postgres:
                session.rollback()
            break
        if _claim_found(session, claim, found, now):
            session.commit()
            return session.get(Visit, found.id, populate_existing=True)
        # Taken meanwhile (a claim that did not read under a lock), or someone is at this station.
        session.rollback()
        _require_free(session, office, who.station)
    # Only an empty line (each round, the customers taken have left it) is "Nobody is waiting".
    raise CxdeskError("Nobody is waiting.")


def call_visit(session: Session, office: Office, who: SignedIn, visit_id: uuid.UUID,
               now: datetime) -> Visit:
    """Call a particular customer out of order (recall)."""
    _require_free(session, office, who.station)
    visit = _get(session, visit_id)
    if visit.state not in IN_LINE:
        raise CxdeskError(f"{ticket(visit)} is not waiting.")
    if not _claim_found(session, _claim_statements(who, now), visit, now):
        session.rollback()
        raise CxdeskError(f"{ticket(visit)} was just called elsewhere, or someone is at this counter.")
    session.commit()
    return session.get(Visit, visit.id, populate_existing=True)


def start_serving(session: Session, visit: Visit, who: SignedIn, now: datetime) -> Visit:
    if visit.state != CALLED:
        raise CxdeskError(f"{ticket(visit)} has not been called.")
    return _claim(session, visit, who, now, SERVING)


def _get(session: Session, visit_id: uuid.UUID) -> Visit:
    # As it is in the database now, in one SELECT (a get then a refresh was two, on every
    # step a form saves: issue 16).
    visit = session.get(Visit, visit_id, populate_existing=True)
    if visit is None:
        raise CxdeskError("That visit no longer exists.")
    return visit


def _require_at_counter(visit: Visit, doing: str) -> None:
    if visit.state not in AT_COUNTER:
        raise CxdeskError(f"Only a customer at the counter can be {doing}.")


def no_show(session: Session, visit: Visit, now: datetime) -> Visit:
    """Called, and nobody came."""
    if visit.state != CALLED:
        raise CxdeskError("Only a called customer can be marked as a no-show.")
    visit.state = NO_SHOW
    visit.finished_at = now
    session.add(visit)
    session.commit()
    return visit


def left_line(session: Session, visit: Visit, now: datetime) -> Visit:
    """Left before service."""
    if visit.state not in IN_LINE:
        raise CxdeskError(f"{ticket(visit)} is not waiting.")
    visit.left_stage = visit.state
    visit.state = LEFT
    visit.finished_at = now
    session.add(visit)
    session.commit()
    return visit


def hold(session: Session, visit: Visit) -> Visit:
    """Back to the line (fetching a document, say); keeps their place by arrival."""
    _require_at_counter(visit, "put on hold")
    visit.state = ON_HOLD
    visit.station_id = None
    visit.hold_count += 1
    session.add(visit)
    session.commit()
    return visit


def transfer(session: Session, visit: Visit, to_station: Station | None, now: datetime) -> Visit:
    """Hand the customer on: to the head of ``to_station``'s line (only its clerk calls
    them next), or with ``to_station=None`` to the head of the office line.

    Either way they are back in the line, visible and counted, never left "called" at
    a window. Only a station where someone is signed in takes a transfer.
    """
    _require_at_counter(visit, "transferred")
    if to_station is not None:
        if visit.station_id == to_station.id:
            raise CxdeskError("That is this station.")
        if not to_station.active:
            raise CxdeskError(f"{to_station.name} is closed.")
        if open_shift_at(session, to_station) is None:
            raise CxdeskError(f"Nobody is signed in at {to_station.name}: send the customer to the "
                              "office line instead (first in line, any window).")
    return _back_to_line(session, visit, to_station)


def send_back_to_line(session: Session, visit: Visit, now: datetime) -> Visit:
    """The customer at the counter goes back to the head of the office line (a clerk
    leaving mid-visit, or taking over a window where a customer was left called)."""
    _require_at_counter(visit, "sent back to the line")
    return _back_to_line(session, visit, None)


def _back_to_line(session: Session, visit: Visit, waits_for: Station | None) -> Visit:
    visit.transferred_from = visit.station_id
    visit.station_id = waits_for.id if waits_for is not None else None
    visit.staff_id = None
    visit.shift_id = None
    visit.state = WAITING
    session.add(visit)
    session.commit()
    return visit


def take_over(session: Session, visit: Visit, who: SignedIn) -> Visit:
    """Carry on with a customer left at this window by an earlier shift (a crash, say)."""
    _require_at_counter(visit, "taken over")
    if visit.station_id != who.station.id:
        raise CxdeskError(f"{ticket(visit)} is not at this station.")
    visit.staff_id = who.staff.id
    visit.shift_id = who.shift.id
    session.add(visit)
    session.commit()
    return visit


def undo_end(session: Session, visit_id: uuid.UUID, who: SignedIn, now: datetime) -> Visit:
    """Undo a no-show (called again here) or a "left" (back in the line) marked by mistake,
    within ``UNDO_WINDOW``."""
    visit = _get(session, visit_id)
    if visit.state not in (NO_SHOW, LEFT) or visit.finished_at is None:
        raise CxdeskError(f"{ticket(visit)} is not marked as a no-show or as left.")
    if now - visit.finished_at > UNDO_WINDOW:
        raise CxdeskError(f"Too late to undo: {ticket(visit)} was marked more than "
                          f"{int(UNDO_WINDOW.total_seconds() // 60)} minutes ago.")
    visit.finished_at = None
    if visit.state == NO_SHOW:
        _require_free(session, session.get(Office, visit.office_id), who.station)
        visit.state = CALLED
        visit.station_id = who.station.id
        visit.staff_id = who.staff.id
        visit.shift_id = who.shift.id
    else:
        visit.state = WAITING
    session.add(visit)
    session.commit()
    return visit


@dataclass(frozen=True)
class Finish:
    """What the clerk records when the visit ends (validated before any write)."""

    service: str
    outcome: str
    referral: str | None = None
    not_served_reason: str | None = None
    note: str = ""

    def validated(self) -> Finish:
        service = _check_choice("services", self.service, "service")
        outcome_item = catalog("outcomes").get(self.outcome or "")
        needs = outcome_item.extra.get("requires")
        referral = reason = None
        if needs == "referral":
            referral = _check_choice("referrals", self.referral, "referral (where to)")
        elif needs == "reason":
            reason = _check_choice("not_served_reasons", self.not_served_reason,
                                   "reason the customer could not be served")
        note = clean_block(self.note, "The note", NOTE_LIMIT)
        return Finish(service, outcome_item.code, referral, reason, note)


def finish(session: Session, visit: Visit, details: Finish, who: SignedIn, now: datetime) -> Visit:
    _require_at_counter(visit, "finished")
    checked = details.validated()
    _apply_finish(visit, checked, who, now)
    session.add(visit)
    session.commit()
    return visit


def _apply_finish(visit: Visit, details: Finish, who: SignedIn, now: datetime) -> None:
    if visit.serving_at is None:
        visit.serving_at = visit.called_at or now
    visit.state = DONE
    visit.finished_at = now
    visit.staff_id = who.staff.id
    visit.shift_id = who.shift.id
    visit.station_id = who.station.id
    visit.service_seconds = int((now - visit.serving_at).total_seconds())
    visit.service = details.service
    visit.outcome = details.outcome
    visit.referral = details.referral
    visit.not_served_reason = details.not_served_reason
    visit.note = details.note or None


def quick_log(session: Session, office: Office, who: SignedIn, *, segment: str,
              details: Finish, language: str = "en", now: datetime) -> Visit:
    """A customer served without queueing: checked in, served and finished at once."""
    checked = details.validated()
    visit = Visit(
        office_id=office.id, day=office.local_day(now), seq=0,
        segment=_check_choice("segments", segment, "customer segment"),
        service_wanted=checked.service, language=language, state=DONE,
        arrived_at=now, called_at=now, serving_at=now, wait_seconds=0,
    )
    _apply_finish(visit, checked, who, now)
    visit.service_seconds = 0
    return _commit_numbered(session, office, visit)


def record_channels(session: Session, visit: Visit, offered: Iterable[str],
                    preferred: str | None) -> Visit:
    """EO 12862 1(f): the channels offered and the one preferred next time."""
    channels = catalog("channels")
    offered = sorted({channels.get(code).code for code in offered})
    if preferred:
        preferred = channels.get(preferred).code
    for code in offered:
        session.merge(VisitChannelOffer(visit_id=visit.id, channel=code))
    visit.preferred_channel = preferred or None
    visit.channel_step = "done"
    session.add(visit)
    session.commit()
    return visit


def skip_channels(session: Session, visit: Visit) -> Visit:
    visit.channel_step = "skipped"
    session.add(visit)
    session.commit()
    return visit


def offered_channels(session: Session, visit: Visit) -> list[str]:
    return list(session.exec(
        select(VisitChannelOffer.channel).where(VisitChannelOffer.visit_id == visit.id)
        .order_by(VisitChannelOffer.channel)
    ))


def get_visit(session: Session, visit_id: uuid.UUID) -> Visit:
    return _get(session, visit_id)
