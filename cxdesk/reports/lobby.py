"""What the lobby board shows (EO 12862 1(c), 1(g)): the numbers being called and their
window, an honest estimate of the wait for someone who takes a ticket now, and the
posted service standards with this week's result. Read-only; the terminal board and the
web page render the same frozen dataclasses, in English and Spanish.

Nothing here names a person: tickets, windows and figures only.

The estimate. The office has one line (appointments that are due go first, then first
come, first served; cxdesk.domain.visits), so the wait of a new ticket does not depend on
the service it is for: one estimate, for the walk-in line. It comes from the people in
line, the windows open (an open shift at an active station) and the windows free, and
the recent cycle times at the windows (call to finish, the last RECENT of finished
visits). With every window busy, windows finish customers at about W / c̄ a minute, so the
new ticket is called after about (ahead − free + ½) · c̄ / W; the range around it widens
with the spread of cycle times and the number of customers ahead, and is rounded out to
5 minutes. Fewer than MIN_CYCLES recent cycles, or no window open: "—". The same pure
``estimate()`` is replayed over past days (``replay_accuracy``) to say how often the
actual wait fell inside the range given.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cxdesk.domain.complaints.settings import load_settings
from cxdesk.reports.scope import Scope
from cxdesk.reports.standards import MET, MISSED, StandardResult, load_standards, measure_standards
from cxdesk.store.models import Office, Shift, Station, Visit, ticket_number
from cxdesk.store.models import WaitEstimate as WaitEstimateRow
from cxdesk.vocab import VisitState

CALLS_SHOWN = 6
# Cycle times (call to finish) of visits finished within this long before now.
RECENT = timedelta(minutes=90)
MIN_CYCLES = 5
# A cycle longer than this (a window left open over lunch) says nothing about the line.
LONGEST_CYCLE_SECONDS = 3 * 3600
ROUND_TO_MINUTES = 5
# Half-width of the range: this many standard deviations of the time to be called,
# plus a share of the estimate for what the figures cannot see (appointments that fall
# due, holds, a window that closes). Tuned once on the demo office's month and checked
# there by tests/reports/test_lobby.py.
SPREAD_SD = 1.3
SPREAD_SHARE = 0.3

LANGS = ("en", "es")


def lobby_office(session: Session) -> Office:
    """The office this database belongs to (the lobby reads, never sets one up)."""
    office = session.exec(select(Office).order_by(Office.created_at)).first()
    if office is None:
        from cxdesk.errors import CxdeskError

        raise CxdeskError("This database has no office yet: run the first-run setup (cxdesk).")
    return office


# --- now calling -----------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """A ticket called to a window. ``calling``: called and not yet at the counter."""

    ticket: str
    window_code: str
    window_name: str
    called_at: datetime
    calling: bool

    def window(self, lang: str = "en") -> str:
        return window_name(self.window_name, lang)

    def spoken(self, lang: str = "en") -> str:
        """For a screen reader: 'Ticket A 0 3 3, please go to Window 2.'"""
        spelled = " ".join(self.ticket)
        if lang == "es":
            return f"Turno {spelled}, pase a {self.window('es')}."
        return f"Ticket {spelled}, please go to {self.window('en')}."


_WINDOW = re.compile(r"^\s*window\s+(\w+)\s*$", re.IGNORECASE)


def window_name(name: str, lang: str) -> str:
    """'Window 2' as the customer reads it ('Ventanilla 2' in Spanish)."""
    match = _WINDOW.match(name)
    if lang == "es" and match:
        return f"Ventanilla {match.group(1)}"
    return name


def now_calling(session: Session, office: Office, now: datetime, limit: int = CALLS_SHOWN) -> list[Call]:
    """Today's last tickets called to a window, newest first; those still being called
    (not yet at the counter) before those already served. Walk-ups logged at a window
    without queueing were never called and are left out."""
    day = office.local_day(now)
    calling = Visit.state == VisitState.CALLED
    rows = session.execute(
        select(Visit.appointment, Visit.seq, Visit.called_at, Visit.state, Station.code, Station.name)
        .join(Station, Station.id == Visit.station_id)
        .where(Visit.office_id == office.id, Visit.day == day, col(Visit.called_at).is_not(None),
               Visit.called_at <= now, Visit.called_at != Visit.arrived_at,
               col(Visit.state).in_((VisitState.CALLED, VisitState.SERVING, VisitState.DONE,
                                     VisitState.NO_SHOW)))
        .order_by(sa.case((calling, 0), else_=1), col(Visit.called_at).desc())
        .limit(limit)
    ).all()
    return [Call(ticket_number(appointment, seq), code, name, called_at, state == VisitState.CALLED)
            for appointment, seq, called_at, state, code, name in rows]


# --- the estimate ------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueState:
    """The line at one moment: what an estimate is made from."""

    ahead: int  # people in line (a new ticket would be behind them)
    windows_open: int
    windows_free: int  # open windows with nobody called or served at them
    cycles: tuple[int, ...] = field(default=())  # recent call-to-finish times, seconds
    calls: int = 0  # customers called within RECENT (the pace of the line, idle gaps included)
    window_minutes: float = 0.0  # minutes windows were open within RECENT


@dataclass(frozen=True)
class WaitRange:
    low: int  # minutes
    high: int


def estimate(state: QueueState) -> WaitRange | None:
    """The range of minutes a new ticket will wait, or None when there is not enough to go on."""
    if state.windows_open <= 0 or len(state.cycles) < MIN_CYCLES:
        return None
    if state.ahead < state.windows_free:
        return WaitRange(0, ROUND_TO_MINUTES)
    spread = statistics.pstdev(state.cycles) / 60
    windows = state.windows_open
    # Minutes between calls at one window: the cycle at the counter, or the line's
    # actual pace when that is slower (paperwork between customers, breaks, backups).
    mean = statistics.fmean(state.cycles) / 60
    if state.calls and state.window_minutes:
        mean = max(mean, state.window_minutes / state.calls)
    turns = state.ahead - state.windows_free + 1  # windows that must come free before ours
    expected = max(turns - 0.5, 0.0) * mean / windows
    half = SPREAD_SD * math.sqrt(turns) * spread / windows + SPREAD_SHARE * expected
    step = ROUND_TO_MINUTES
    low = max(0, math.floor((expected - half) / step) * step)
    high = max(low + step, math.ceil((expected + half) / step) * step)
    return WaitRange(low, high)


@dataclass(frozen=True)
class WaitEstimate:
    """The estimate shown for one line (today the office line)."""

    group: str
    label_en: str
    label_es: str
    waiting: int
    windows_open: int
    range: WaitRange | None

    def label(self, lang: str = "en") -> str:
        return self.label_es if lang == "es" else self.label_en

    def text(self, lang: str = "en") -> str:
        """'about 15–25 minutes', 'less than 5 minutes', or '—'."""
        if self.range is None:
            return "—"
        low, high = self.range.low, self.range.high
        if low == 0:
            return f"menos de {high} minutos" if lang == "es" else f"less than {high} minutes"
        return f"unos {low}–{high} minutos" if lang == "es" else f"about {low}–{high} minutes"

    def why_missing(self, lang: str = "en") -> str:
        """Why there is no figure, in the customer's words ('' when there is one)."""
        if self.range is not None:
            return ""
        if self.windows_open == 0:
            return "No hay ventanillas abiertas ahora." if lang == "es" else "No window is open now."
        return ("Todavía no hay datos suficientes para estimarlo." if lang == "es"
                else "Not enough served yet today to estimate it.")

    def people(self, lang: str = "en") -> str:
        n, w = self.waiting, self.windows_open
        if lang == "es":
            return (f"{n} {'persona' if n == 1 else 'personas'} en espera · "
                    f"{w} {'ventanilla abierta' if w == 1 else 'ventanillas abiertas'}")
        return f"{n} {'person' if n == 1 else 'people'} waiting · {w} {'window' if w == 1 else 'windows'} open"


def _recent_cycles(session: Session, office: Office, now: datetime) -> tuple[int, ...]:
    rows = session.execute(
        select(Visit.called_at, Visit.finished_at)
        .where(Visit.office_id == office.id, Visit.finished_at > now - RECENT, Visit.finished_at <= now,
               col(Visit.state).in_((VisitState.DONE, VisitState.NO_SHOW)),
               col(Visit.called_at).is_not(None), Visit.called_at != Visit.arrived_at)
    ).all()
    return _cycles((called, finished) for called, finished in rows)


def _cycles(pairs: Iterable[tuple[datetime, datetime]]) -> tuple[int, ...]:
    out = []
    for called, finished in pairs:
        seconds = (finished - called).total_seconds()
        if 0 < seconds <= LONGEST_CYCLE_SECONDS:
            out.append(int(seconds))
    return tuple(out)


def queue_now(session: Session, office: Office, now: datetime) -> QueueState:
    """The line as it stands (by the visits' states): a few small queries."""
    day = office.local_day(now)
    ahead = session.execute(
        select(sa.func.count()).select_from(Visit)
        .where(Visit.office_id == office.id, Visit.day == day, col(Visit.state).in_(VisitState.IN_LINE))
    ).scalar_one()
    shifts = session.execute(
        select(Shift.station_id, Shift.started_at, Shift.ended_at).join(Station, Station.id == Shift.station_id)
        .where(Station.office_id == office.id, Station.active, Shift.started_at <= now,
               Shift.started_at > now - timedelta(hours=16),
               sa.or_(col(Shift.ended_at).is_(None), Shift.ended_at > now - RECENT))
    ).all()
    open_stations = {station for station, _started, ended in shifts if ended is None}
    busy = set(session.execute(
        select(Visit.station_id).where(Visit.office_id == office.id, Visit.day == day,
                                       col(Visit.state).in_(VisitState.AT_COUNTER))
    ).scalars())
    calls = session.execute(
        select(sa.func.count()).select_from(Visit)
        .where(Visit.office_id == office.id, Visit.called_at > now - RECENT, Visit.called_at <= now,
               Visit.called_at != Visit.arrived_at)
    ).scalar_one()
    return QueueState(int(ahead), len(open_stations), len(open_stations - busy),
                      _recent_cycles(session, office, now), int(calls), _window_minutes(shifts, now))


def _window_minutes(shifts, at: datetime) -> float:
    """Minutes of open windows within RECENT before ``at``."""
    total = 0.0
    for _station, started, ended in shifts:
        begin, end = max(started, at - RECENT), min(ended or at, at)
        if end > begin:
            total += (end - begin).total_seconds() / 60
    return total


OFFICE_LINE = ("line", "Walk-in line", "Fila sin cita")


def wait_estimates(session: Session, office: Office, now: datetime) -> list[WaitEstimate]:
    """One estimate per line the office calls from (one today: the office line)."""
    state = queue_now(session, office, now)
    group, en, es = OFFICE_LINE
    return [WaitEstimate(group, en, es, state.ahead, state.windows_open, estimate(state))]


# --- how honest the estimate is, replayed over past days --------------------------------


@dataclass(frozen=True)
class Accuracy:
    """Walk-in customers who were called, against the range the board would have shown
    when they arrived. ``no_estimate``: the board showed '—'."""

    judged: int
    inside: int
    shorter: int  # called before the low end
    longer: int  # waited past the high end
    no_estimate: int
    mean_width: float | None  # minutes
    unrecorded: int = 0  # recorded estimates only: arrivals with no estimate noted (no board running)

    @property
    def share_inside(self) -> float | None:
        return round(100.0 * self.inside / self.judged, 1) if self.judged else None


@dataclass(frozen=True)
class _Row:
    arrived_at: datetime
    called_at: datetime | None
    finished_at: datetime | None
    station_id: object
    appointment: bool
    wait_seconds: int | None
    quick: bool


def _judge(pairs: Iterable[tuple[int, WaitRange | None | bool]]) -> Accuracy:
    """(actual wait in seconds, the range shown — None for '—', False for nothing recorded)."""
    judged = inside = shorter = longer = missing = unrecorded = 0
    widths: list[int] = []
    for wait_seconds, found in pairs:
        if found is False:
            unrecorded += 1
            continue
        if found is None:
            missing += 1
            continue
        judged += 1
        widths.append(found.high - found.low)
        minutes = wait_seconds / 60
        if minutes < found.low:
            shorter += 1
        elif minutes > found.high:
            longer += 1
        else:
            inside += 1
    return Accuracy(judged, inside, shorter, longer, missing,
                    round(statistics.fmean(widths), 1) if widths else None, unrecorded)


def _days(start: date, end: date) -> Iterable[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def _day_rows(session: Session, office: Office, day: date) -> list[_Row]:
    return [_Row(a, c, f, s, appt, w, c is not None and c == a) for a, c, f, s, appt, w in session.execute(
        select(Visit.arrived_at, Visit.called_at, Visit.finished_at, Visit.station_id, Visit.appointment,
               Visit.wait_seconds).where(Visit.office_id == office.id, Visit.day == day)
        .order_by(Visit.arrived_at))]


def _judged(visit: _Row) -> bool:
    """Walk-ins who queued and were called: the people an estimate was for."""
    return not visit.appointment and not visit.quick and visit.wait_seconds is not None


def replay_accuracy(session: Session, office: Office, start: date, end: date) -> Accuracy:
    """For each walk-in who arrived start..end and was called: the range ``estimate()``
    gives from the line as it stood at their arrival (rebuilt from the visits' times and
    the shifts), and whether their actual wait fell inside it.

    The rebuilt line cannot see holds (a held customer is back in line until called
    again), so it is a little shorter than the live one was."""

    def pairs():
        for day in _days(start, end):
            visits = _day_rows(session, office, day)
            if not visits:
                continue
            begin = min(v.arrived_at for v in visits) - timedelta(hours=12)
            shifts = session.execute(
                select(Shift.station_id, Shift.started_at, Shift.ended_at)
                .join(Station, Station.id == Shift.station_id)
                .where(Station.office_id == office.id, Shift.started_at >= begin,
                       Shift.started_at <= max(v.arrived_at for v in visits))).all()
            for visit in visits:
                if _judged(visit):
                    yield visit.wait_seconds, estimate(_state_at(visits, shifts, visit.arrived_at))

    return _judge(pairs())


# An arrival is matched with the latest estimate recorded no longer than this before it.
STALE_ESTIMATE = timedelta(minutes=10)


def recorded_accuracy(session: Session, office: Office, start: date, end: date,
                      line: str = "line") -> Accuracy:
    """The same question for the estimates the board actually showed (the waitestimate
    rows it wrote): the latest one at each walk-in's arrival. Arrivals with no estimate
    recorded shortly before (no board running) count as ``unrecorded``."""
    from bisect import bisect_right

    def pairs():
        for day in _days(start, end):
            shown = session.execute(
                select(WaitEstimateRow.given_at, WaitEstimateRow.low_minutes, WaitEstimateRow.high_minutes)
                .where(WaitEstimateRow.office_id == office.id, WaitEstimateRow.day == day,
                       WaitEstimateRow.line == line)
                .order_by(WaitEstimateRow.given_at)).all()
            times = [given for given, _low, _high in shown]
            for visit in _day_rows(session, office, day):
                if not _judged(visit):
                    continue
                index = bisect_right(times, visit.arrived_at) - 1
                if index < 0 or visit.arrived_at - times[index] > STALE_ESTIMATE:
                    yield visit.wait_seconds, False
                    continue
                _given, low, high = shown[index]
                yield visit.wait_seconds, (WaitRange(low, high) if low is not None else None)

    return _judge(pairs())


def _state_at(visits: Sequence[_Row], shifts, at: datetime) -> QueueState:
    ahead = sum(1 for v in visits if v.arrived_at < at and not v.quick
                and (v.called_at is None or v.called_at > at) and (v.finished_at is None or v.finished_at > at))
    open_stations = {s for s, started, ended in shifts if started <= at and (ended is None or ended > at)}
    busy = {v.station_id for v in visits if v.called_at is not None and v.called_at <= at and not v.quick
            and (v.finished_at is None or v.finished_at > at)}
    cycles = _cycles((v.called_at, v.finished_at) for v in visits
                     if not v.quick and v.called_at is not None and v.finished_at is not None
                     and at - RECENT < v.finished_at <= at)
    calls = sum(1 for v in visits if not v.quick and v.called_at is not None and at - RECENT < v.called_at <= at)
    return QueueState(ahead, len(open_stations), len(open_stations - busy), cycles, calls,
                      _window_minutes([(s, b, e if e is None or e <= at else None) for s, b, e in shifts
                                       if b <= at], at))


# --- the posted standards, with this week's result --------------------------------------


@dataclass(frozen=True)
class PostedStandard:
    """A standard as the lobby posts it: its promise and this week's result."""

    code: str
    wording_en: str
    wording_es: str
    result: StandardResult | None  # None: nothing to measure it on this week yet

    def wording(self, lang: str = "en") -> str:
        return self.wording_es if lang == "es" else self.wording_en

    @property
    def status(self) -> str:
        return self.result.status if self.result is not None else "no data"

    def mark(self, lang: str = "en") -> str:
        """Met or not met in words and a symbol, never colour alone."""
        words = {MET: ("✔ Met", "✔ Cumplido"), MISSED: ("✖ Not met", "✖ No cumplido")}
        pair = words.get(self.status, ("– Not measured yet", "– Aún sin medir"))
        return pair[1] if lang == "es" else pair[0]

    def figure(self, lang: str = "en") -> str:
        """'87% (goal: at least 90%)' in the customer's language."""
        result = self.result
        if result is None or result.value is None:
            return "—"
        def show(value: float) -> str:
            if result.unit == "points":
                return f"{value:.1f} / 5"
            return f"{value:.0f} %" if lang == "es" else f"{value:.0f}%"
        if lang == "es":
            bound = "como máximo" if result.lower_is_better else "al menos"
            return f"{show(result.value)} (meta: {bound} {show(result.target)})"
        bound = "at most" if result.lower_is_better else "at least"
        return f"{show(result.value)} (goal: {bound} {show(result.target)})"


def week_of(day: date) -> tuple[date, date]:
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=6)


def posted_standards(session: Session, office: Office, today: date) -> list[PostedStandard]:
    """The standards in force today, in the office's order, each with this week's result
    (Monday to today) measured against the version in force today."""
    start, end = week_of(today)
    views = load_standards(session, office)
    scope = Scope("week", start, end, f"Week of {start:%d %b %Y}", office.id)
    results = measure_standards(session, office, scope, today, views)
    out = []
    for view in views:
        version = view.version_on(today)
        if version is None:
            continue
        mine = [r for r in results if r.code == view.code and r.start <= today <= r.end]
        out.append(PostedStandard(view.code, version.wording_en, version.wording_es,
                                  mine[0] if mine else None))
    return out


# --- everything on the board ------------------------------------------------------------


@dataclass(frozen=True)
class LobbyFigures:
    office_name: str
    at: datetime  # when the figures were read (UTC)
    local_time: str  # 'HH:MM' office-local
    calls: tuple[Call, ...]
    waits: tuple[WaitEstimate, ...]
    standards: tuple[PostedStandard, ...]
    complain_days: int  # working days to acknowledge a complaint


def complaint_text(days: int, lang: str = "en") -> str:
    """Where to complain (EO 12862 1(g), 1(h))."""
    if lang == "es":
        return (f"¿Quiere presentar una queja o sugerencia? Pídalo en cualquier ventanilla. Es gratis; "
                f"le damos un número de referencia y le respondemos en {days} días hábiles.")
    return (f"To make a complaint or a suggestion, ask at any window. It is free; you get a "
            f"reference number and we answer within {days} working days.")


def lobby_figures(session: Session, office: Office, now: datetime, *,
                  calls: int = CALLS_SHOWN) -> LobbyFigures:
    """Everything the board shows, read at ``now``."""
    complain_days = load_settings().acknowledge
    return LobbyFigures(
        office.name, now, f"{now.astimezone(office.zone):%H:%M}",
        tuple(now_calling(session, office, now, calls)),
        tuple(wait_estimates(session, office, now)),
        tuple(posted_standards(session, office, office.local_day(now))),
        complain_days)
