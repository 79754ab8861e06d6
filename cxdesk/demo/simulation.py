"""One working day at the service counter, as a discrete-event simulation (SimPy).

The demo office needs a history that looks like a Social Security field office: a
queue at the door at opening, a late-morning peak, claims that hold a window for two
hours, people who give up. Waits drawn one by one cannot get that right (a wait
depends on who is ahead and how many windows are open), so this module runs the day
and returns plain records; the demo generator turns them into database rows.

Pure on purpose: the standard library and SimPy only, no cxdesk imports (the
caller passes the catalogs in as plain data). Everything random comes from the
caller's ``random.Random``, so the same seed gives the same day.

Calibrated on SSA Inspector General audits (A-04-17-50216, Dec 2016; OIG, March
2018): about 140 visitors a working day per field office, average waits of 19
(FY2010) to 26 (FY2015) minutes, about 11% of visitors waiting over an hour.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Generator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import simpy

# The counter's visit states, as the app's visits module spells them (repeated: this stays pure).
WAITING, ON_HOLD, CALLED, SERVING = "waiting", "on_hold", "called", "serving"
DONE, NO_SHOW, LEFT = "done", "no_show", "left"
HANDED_OVER = "transfer"  # how a spell ends when the customer is walked to another window

# The door closes at closing time; whoever is inside is still called until LAST_CALL after it.
LAST_CALL = timedelta(minutes=50)
# The app's line order: an appointment is "due" from 10 minutes before its time.
APPOINTMENT_GRACE = timedelta(minutes=10)

# How busy the door is by minutes after opening (relative: scaled to the day's expected
# arrivals, stretched to the opening hours): a queue at the door at 09:00, the late-morning
# peak around 11:00, a lunch-hour bump, a quiet late afternoon.
ARRIVAL_CURVE: tuple[tuple[float, float], ...] = (
    (0, 16), (6, 1.6), (30, 1.45), (90, 1.85), (120, 2.0), (150, 1.7), (180, 1.45),
    (210, 1.6), (240, 1.1), (300, 0.65), (360, 0.45), (420, 0.3),
)

Process = Generator[simpy.Event, object, None]


# --- what the caller passes in ------------------------------------------------------------
@dataclass(frozen=True)
class Duty:
    """A staff member at one window from ``starts`` to ``ends`` (aware UTC).

    No new call after ``ends``; the customer at the window then is still finished.
    A lunch break is two duties. Duties of one person, or at one window, that
    overlap run one after the other: a window seats one clerk, a clerk one window.
    """
    staff: str
    station: str
    starts: datetime
    ends: datetime
    backup: bool = False  # calls only while the line is long (the supervisor's window)


@dataclass(frozen=True)
class Service:
    """A catalog service: typical minutes at the counter, and its weight among visitors."""
    code: str
    minutes: float
    weight: float


@dataclass(frozen=True)
class Behaviour:
    """How customers and clerks behave: shares per visit, times in minutes."""
    quick_log: float = 0.04  # logged on the spot, never queued
    no_show: float = 0.03  # called, and nobody comes (the window waits 2-4 minutes)
    hold: float = 0.04  # sent to fetch a document, back in line keeping their place
    hold_no_return: float = 0.1  # of those held, the ones who never come back
    transfer: float = 0.02  # walked over to another window mid-service
    other_service: float = 0.08  # served for another service than the one they asked for
    appointment_claim: float = 0.6  # claims are mostly booked...
    appointment_other: float = 0.08  # ...the rest seldom
    # Patience (lognormal). SSA visitors mostly need a card or a claim and stay: a median
    # of 75 minutes made 8-9% walk out at SSA-like waits; 130 leaves "a few percent".
    patience_median: float = 130.0
    patience_sigma: float = 0.45
    appointment_patience_median: float = 200.0
    # Clerks speed up with a long line (KC & Terwiesch 2009): up to 15% faster at 20 waiting.
    # It damps bad days, so waits vary from day to day as in an office, not as in a pure queue.
    rush: float = 0.15
    rush_line: int = 20
    backup_line: int = 10  # a backup window calls when this many are in line...
    backup_wait: float = 45.0  # ...or someone has waited this long


@dataclass(frozen=True)
class DayPlan:
    """One office day. ``expected_arrivals`` is the mean of a Poisson count (the caller
    gives about 140 times a weekday factor); ``claims`` are the services mostly booked."""
    opens: datetime
    closes: datetime
    duties: Sequence[Duty]
    services: Sequence[Service]
    expected_arrivals: float = 140.0
    claims: frozenset[str] = frozenset()
    behaviour: Behaviour = Behaviour()
    arrival_curve: Sequence[tuple[float, float]] = ARRIVAL_CURVE


@dataclass(frozen=True)
class StaffingSlot:
    """One person's day at one window, in minutes after opening; a lunch splits it in two."""
    staff: str
    station: str
    starts: int
    ends: int
    lunch_at: int | None = None
    lunch_minutes: int = 30
    backup: bool = False


# 140 visits x ~21 minutes is ~49 hours of service a day. Seven clerks hold W1-W7 from ten
# minutes before opening to the last call, lunches staggered 11:30-13:30; the supervisor signs
# in at W8 but calls only while the line is long (10 waiting, or someone 45 minutes in), in
# practice over the late-morning and lunch peaks (~10 customers a day). Measured with the
# built-in catalog over 300 days: mean wait ~22 min, ~11% over an hour (SSA: 19-26, ~11%).
# Calibrated with everyone present: one clerk less gives ~31 minutes and 21% over an hour,
# 8% random absences ~28 minutes, so a caller that models absences should call in cover.
DEFAULT_STAFFING: tuple[StaffingSlot, ...] = (
    *(StaffingSlot(f"CLK{n}", f"W{n}", -10, 470, lunch_at=135 + 15 * n) for n in range(1, 8)),
    StaffingSlot("SUP1", "W8", -10, 470, lunch_at=270, backup=True),
)


def duties_for(opens: datetime, staffing: Sequence[StaffingSlot] = DEFAULT_STAFFING) -> tuple[Duty, ...]:
    """The duties of a staffing plan on a day that opens at ``opens``."""
    duties = []
    for slot in staffing:
        stretches = [(slot.starts, slot.ends)] if slot.lunch_at is None else [
            (slot.starts, slot.lunch_at), (slot.lunch_at + slot.lunch_minutes, slot.ends)]
        duties += [Duty(slot.staff, slot.station, opens + timedelta(minutes=start),
                        opens + timedelta(minutes=end), slot.backup) for start, end in stretches]
    return tuple(duties)


# --- what comes out -----------------------------------------------------------------------
@dataclass(frozen=True)
class Spell:
    """A stretch of a customer at one window: called, served from ``serving_at`` (None for a
    no-show), gone at ``until`` (None only in an ``as_of`` view: still there). ``ended``:
    done, no_show, on_hold (sent for a document) or transfer."""
    station: str
    staff: str
    called_at: datetime
    serving_at: datetime | None
    until: datetime | None
    ended: str | None


@dataclass(frozen=True)
class VisitRecord:
    """One arrival, times aware UTC to the second. As in the app, ``called_at``/``serving_at``
    are the first call's and ``station``/``staff`` the window that finished the visit;
    ``finished_at`` is also when a no-show was given up or a customer left."""
    seq: int
    service_wanted: str
    service: str | None
    appointment: bool
    appointment_at: datetime | None
    arrived_at: datetime
    called_at: datetime | None
    serving_at: datetime | None
    finished_at: datetime | None
    state: str
    station: str | None
    staff: str | None
    hold_count: int
    transferred_from: str | None
    wait_seconds: int | None
    service_seconds: int | None
    left_stage: str | None  # "waiting" or "on_hold", for those who left
    quick_log: bool
    spells: tuple[Spell, ...]  # every stretch at a window, in order


@dataclass(frozen=True)
class DutyRecord:
    """A duty and when its clerk finished their last customer (None: served nobody)."""
    duty: Duty
    last_finished_at: datetime | None

    def off_at(self) -> datetime:
        """When the clerk left the window: the end of duty, or later if a customer ran over."""
        return max(self.duty.ends, self.last_finished_at or self.duty.ends)


@dataclass(frozen=True)
class SimulatedDay:
    """What ``simulate_day`` returns: the visits in arrival order, the duties in plan order."""
    visits: tuple[VisitRecord, ...]
    duties: tuple[DutyRecord, ...]


# --- the day itself -----------------------------------------------------------------------
class _Customer:
    """A visitor while the day runs; times in minutes after opening."""
    def __init__(self, seq: int, arrives: float, wanted: str, appointment: float | None,
                 patience: float, quick: bool):
        self.seq, self.arrives, self.wanted, self.appointment = seq, arrives, wanted, appointment
        self.patience, self.quick = patience, quick
        self.state = "coming"  # then waiting, on_hold, "counter", or a final state
        self.in_line, self.joined = False, 0  # joined: bumped at each (re)join, for patience timers
        self.called = self.serving = self.finished = self.remaining = None  # remaining: minutes
        self.service = self.plan = self.station = self.staff = None  # plan: "hold" or "transfer"
        self.transferred_from = self.left_stage = None
        self.hold_count = 0
        self.spells: list[tuple] = []  # Spell fields, in minutes

    def order(self, now: float, grace: float) -> tuple:
        """The app's line order: due appointments by their time, then first come first served."""
        if self.appointment is not None and self.appointment <= now + grace:
            return (0, self.appointment, self.arrives, self.seq)
        return (1, self.arrives, self.arrives, self.seq)


class _Day:
    def __init__(self, plan: DayPlan, rng: random.Random):
        self.plan, self.rng, self.b, self.duties = plan, rng, plan.behaviour, list(plan.duties)
        self.env = simpy.Environment(initial_time=min([0.0, *(self.minutes(d.starts) for d in self.duties)]))
        self.last_call = self.minutes(plan.closes + LAST_CALL)
        self.grace = APPOINTMENT_GRACE.total_seconds() / 60
        self.codes = [service.code for service in plan.services]
        self.cum_weights = list(itertools.accumulate(service.weight for service in plan.services))
        self.typical = {service.code: service.minutes for service in plan.services}
        self.line: list[_Customer] = []
        self.handoffs: list[tuple[_Customer, str, simpy.Event]] = []  # (who, from station, taken)
        self.wake = self.env.event()
        self.seats = {d.station: simpy.Resource(self.env) for d in self.duties}
        self.people = {d.staff: simpy.Resource(self.env) for d in self.duties}
        self.open_windows: set[str] = set()
        self.last_finish: list[float | None] = [None] * len(self.duties)
        self.customers = self._arrivals()

    def minutes(self, moment: datetime) -> float:
        return (moment - self.plan.opens).total_seconds() / 60

    def pick_service(self) -> str:
        return self.rng.choices(self.codes, cum_weights=self.cum_weights)[0]

    def _arrivals(self) -> list[_Customer]:
        """A non-homogeneous Poisson process (by thinning), then what each arrival wants."""
        rng, b, open_minutes = self.rng, self.b, self.minutes(self.plan.closes)
        stretch = open_minutes / self.plan.arrival_curve[-1][0]
        points = [(x * stretch, y) for x, y in self.plan.arrival_curve]
        area = sum((x1 - x0) * (y0 + y1) / 2 for (x0, y0), (x1, y1) in zip(points, points[1:]))
        peak = max(y for _, y in points)
        top_rate = self.plan.expected_arrivals * peak / area  # arrivals a minute at the busiest
        customers: list[_Customer] = []
        t, segment = 0.0, 0
        while (t := t + rng.expovariate(top_rate)) < open_minutes:
            while points[segment + 1][0] < t:
                segment += 1
            (x0, y0), (x1, y1) = points[segment], points[segment + 1]
            if rng.random() * peak >= y0 + (y1 - y0) * (t - x0) / (x1 - x0):
                continue
            wanted, quick = self.pick_service(), rng.random() < b.quick_log
            booked = b.appointment_claim if wanted in self.plan.claims else b.appointment_other
            slot = 15 * math.ceil((t + 2) / 15)  # booked on the quarter hour, come a little early
            appointment = slot if not quick and rng.random() < booked and slot < open_minutes else None
            median = b.patience_median if appointment is None else b.appointment_patience_median
            patience = rng.lognormvariate(math.log(median), b.patience_sigma)
            customers.append(_Customer(len(customers) + 1, t, wanted, appointment, patience, quick))
        return customers

    # --- the line ---
    def ring(self) -> None:
        """Wake the idle clerks: someone joined the line or waits to be handed over."""
        woken, self.wake = self.wake, self.env.event()
        woken.succeed()

    def join(self, c: _Customer) -> None:
        c.state, c.in_line, c.joined = ON_HOLD if c.hold_count else WAITING, True, c.joined + 1
        self.line.append(c)
        self.env.process(self._patience(c, c.joined))
        self.ring()

    def leave(self, c: _Customer) -> None:
        if c.in_line:
            self.line.remove(c)
        c.left_stage = ON_HOLD if c.hold_count else WAITING
        c.in_line, c.state, c.finished = False, LEFT, self.env.now

    def _patience(self, c: _Customer, joined: int) -> Process:
        yield self.env.timeout(c.patience)
        if c.in_line and c.joined == joined:
            self.leave(c)

    def _door(self) -> Process:
        env = self.env
        for c in self.customers:
            yield env.timeout(c.arrives - env.now)
            on_duty = [i for i, d in enumerate(self.duties)
                       if self.minutes(d.starts) <= env.now < self.minutes(d.ends)]
            if c.quick and on_duty:  # logged by someone at a window, without calling anyone
                index = self.rng.choice(on_duty)
                c.station, c.staff = self.duties[index].station, self.duties[index].staff
                c.called = c.serving = c.finished = env.now
                c.state, c.service = DONE, c.wanted
                self.last_finish[index] = max(self.last_finish[index] or env.now, env.now)
            else:
                c.quick = False
                self.join(c)

    def _last_call(self) -> Process:
        yield self.env.timeout(self.last_call - self.env.now)
        for c in self.customers:
            if c.state in (WAITING, ON_HOLD):
                self.leave(c)

    def _fetch(self, c: _Customer) -> Process:
        """On hold: off for a document, then back in line keeping their place by arrival."""
        yield self.env.timeout(self.rng.uniform(5, 20))
        if c.state == ON_HOLD:  # unless the last call came first
            self.leave(c) if self.rng.random() < self.b.hold_no_return else self.join(c)

    # --- the windows ---
    def _clerk(self, index: int, duty: Duty) -> Process:
        env = self.env
        start, end = self.minutes(duty.starts), min(self.minutes(duty.ends), self.last_call)
        yield env.timeout(max(0.0, start - env.now))
        seat, person = self.seats[duty.station].request(), self.people[duty.staff].request()
        yield seat & person
        self.open_windows.add(duty.station)
        while env.now < end:
            taken = self._next_for(duty.station) if not duty.backup or self._long_line() else None
            if taken is not None:
                yield from self._serve(index, duty, *taken)
            else:  # a backup window also has a look at the line every five minutes
                yield self.wake | env.timeout(min(5.0 if duty.backup else math.inf, end - env.now))
        self.open_windows.discard(duty.station)
        self.seats[duty.station].release(seat)
        self.people[duty.staff].release(person)

    def _long_line(self) -> bool:
        now = self.env.now
        return bool(self.handoffs) or len(self.line) >= self.b.backup_line or any(
            now - c.arrives >= self.b.backup_wait for c in self.line)

    def _next_for(self, station: str) -> tuple[_Customer, simpy.Event | None] | None:
        """Someone handed over from another window first, then the head of the line."""
        for handoff in self.handoffs:
            if handoff[1] != station:
                self.handoffs.remove(handoff)
                return handoff[0], handoff[2]
        if not self.line:
            return None
        c = min(self.line, key=lambda c: c.order(self.env.now, self.grace))
        self.line.remove(c)
        c.in_line = False
        return c, None

    def _serve(self, index: int, duty: Duty, c: _Customer, handed: simpy.Event | None) -> Process:
        env, rng, b = self.env, self.rng, self.b
        called, c.state = env.now, "counter"
        if handed is not None:
            handed.succeed()  # the other window is free again
        if c.called is None:
            c.called = called
            if rng.random() < b.no_show:
                yield env.timeout(rng.uniform(2, 4))
                c.state, c.finished = NO_SHOW, env.now
                return self._spell(index, duty, c, called, None, NO_SHOW)
        yield env.timeout(rng.uniform(0.3, 1.5))  # walking up to the window
        serving = env.now
        c.serving = serving if c.serving is None else c.serving
        if c.remaining is None:  # lognormal: median 0.85x the catalog's minutes, 1-240 minutes
            c.service = c.wanted if rng.random() >= b.other_service else self.pick_service()
            median = 0.85 * self.typical[c.service]
            c.remaining = min(max(rng.lognormvariate(math.log(median), 0.5), 1.0), 240.0)
            c.remaining *= 1 - b.rush * min(1.0, len(self.line) / b.rush_line)
            draw = rng.random()
            c.plan = "hold" if draw < b.hold else "transfer" if draw < b.hold + b.transfer else None
        interruption, c.plan = c.plan, None
        if interruption is not None:
            part = c.remaining * rng.uniform(0.2, 0.6)
            yield env.timeout(part)
            c.remaining -= part
        # Nobody is sent for a document they could not bring back before the last call.
        if interruption == "hold" and env.now + 20 < self.last_call:
            c.hold_count, c.state = c.hold_count + 1, ON_HOLD
            env.process(self._fetch(c))
            return self._spell(index, duty, c, called, serving, ON_HOLD)
        if interruption == "transfer" and self.open_windows - {duty.station} and env.now < self.last_call:
            # To the head of the line for another window. This clerk stays with the customer
            # until a colleague takes them over (the app transfers only to a free window).
            taken = env.event()
            self.handoffs.append((c, duty.station, taken))
            self.ring()
            yield taken | env.timeout(min(20.0, self.last_call - env.now))
            if taken.triggered:
                c.transferred_from = duty.station
                return self._spell(index, duty, c, called, serving, HANDED_OVER)
            self.handoffs.remove((c, duty.station, taken))  # nobody free: finished here
        yield env.timeout(c.remaining)
        c.remaining, c.state, c.finished = 0.0, DONE, env.now
        self._spell(index, duty, c, called, serving, DONE)

    def _spell(self, index: int, duty: Duty, c: _Customer, called: float,
               serving: float | None, ended: str) -> None:
        c.spells.append((duty.station, duty.staff, called, serving, self.env.now, ended))
        c.station, c.staff, self.last_finish[index] = duty.station, duty.staff, self.env.now

    def run(self) -> SimulatedDay:
        self.env.process(self._door())
        self.env.process(self._last_call())
        for index, duty in enumerate(self.duties):
            self.env.process(self._clerk(index, duty))
        self.env.run()
        return SimulatedDay(tuple(map(self._record, self.customers)),
                            tuple(DutyRecord(d, self._at(t)) for d, t in zip(self.duties, self.last_finish)))

    def _at(self, minutes: float | None) -> datetime | None:
        """Minutes after opening as a datetime, to the second (the database's grain)."""
        return None if minutes is None else self.plan.opens + timedelta(seconds=round(minutes * 60))

    def _record(self, c: _Customer) -> VisitRecord:
        at, served, gone = self._at, c.state == DONE, c.state == LEFT
        arrived, called, serving, finished = at(c.arrives), at(c.called), at(c.serving), at(c.finished)
        return VisitRecord(
            seq=c.seq, service_wanted=c.wanted, service=c.service if served else None,
            appointment=c.appointment is not None, appointment_at=at(c.appointment),
            arrived_at=arrived, called_at=called, serving_at=serving,
            finished_at=finished, state=c.state, station=None if gone else c.station,
            staff=None if gone else c.staff, hold_count=c.hold_count,
            transferred_from=c.transferred_from,
            wait_seconds=None if called is None else int((called - arrived).total_seconds()),
            service_seconds=int((finished - serving).total_seconds()) if served else None,
            left_stage=c.left_stage, quick_log=c.quick,
            spells=tuple(Spell(st, sf, at(ca), at(se), at(un), en) for st, sf, ca, se, un, en in c.spells))


def simulate_day(plan: DayPlan, rng: random.Random, until: datetime | None = None) -> SimulatedDay:
    """Run one office day: a VisitRecord per arrival (in arrival order), a DutyRecord per duty.

    With ``until`` (today, still going on) the whole day is run all the same, so today is
    what the full day would have been, and the visits are cut with ``as_of(visits, until)``;
    a clerk is still at the window if their duty's ``off_at()`` is after ``until``.
    """
    day = _Day(plan, rng).run()
    return day if until is None else replace(day, visits=tuple(as_of(day.visits, until)))


def as_of(visits: Sequence[VisitRecord], now: datetime) -> list[VisitRecord]:
    """The visits as the counter saw them at ``now``: those who had arrived, each in its state
    then (waiting, on_hold, called, serving or final) with no time after ``now`` (but a
    booked ``appointment_at``). A window's spells never overlap: one customer per window."""
    seen = []
    for v in visits:
        if v.arrived_at > now:
            continue
        if v.finished_at is not None and v.finished_at <= now:
            seen.append(v)
            continue
        spells = tuple(s for s in v.spells if s.called_at <= now)
        last = spells[-1] if spells else None
        current = last if last is not None and (last.until is None or last.until > now) else None
        before = spells[:-1] if current else spells
        so_far = dict(service=None, finished_at=None, service_seconds=None, left_stage=None,
                      hold_count=sum(s.ended == ON_HOLD for s in before),
                      transferred_from=next((s.station for s in before[::-1] if s.ended == HANDED_OVER), None))
        if not spells:
            seen.append(replace(v, **so_far, state=WAITING, called_at=None, serving_at=None,
                                wait_seconds=None, station=None, staff=None, spells=()))
            continue
        first_serving = v.serving_at if v.serving_at is not None and v.serving_at <= now else None
        if current is None:  # between two calls: fetching a document, or back in line
            seen.append(replace(v, **so_far, state=ON_HOLD, serving_at=first_serving,
                                station=None, staff=None, spells=before))
            continue
        serving = current.serving_at is not None and current.serving_at <= now
        cut = replace(current, until=None, ended=None, serving_at=current.serving_at if serving else None)
        seen.append(replace(v, **so_far, state=SERVING if serving else CALLED, serving_at=first_serving,
                            station=current.station, staff=current.staff, spells=before + (cut,)))
    return seen


# What the SSA Inspector General reported, to print beside realism_stats.
SSA_FIGURES = {
    "visits_per_day": "about 140 (40+ million visitors a year, ~1,220 field offices)",
    "mean_wait_minutes": "19 (FY2010) to 26 (FY2015); about 25 in FY2017",
    "over_hour_share": "about 0.11 (4.5 million visitors in FY2015)",
}


def realism_stats(visits: Sequence[VisitRecord], days: int | None = None) -> dict:
    """Figures to set beside SSA_FIGURES; ``days`` defaults to the number of first tickets.

    Waits count everyone called (quick logs with 0 and no-shows too), as the app's reports
    do; service minutes leave quick logs out (their service time is 0).
    """
    visits = list(visits)
    days = days or max(1, sum(v.seq == 1 for v in visits))
    waits = sorted(v.wait_seconds / 60 for v in visits if v.wait_seconds is not None)
    count = max(1, len(visits))
    by_service: dict[str, list[float]] = {}
    for v in visits:
        if v.state == DONE and not v.quick_log:
            by_service.setdefault(v.service, []).append(v.service_seconds / 60)
    return {
        "days": days,
        "visits_per_day": len(visits) / days,
        "mean_wait_minutes": sum(waits) / len(waits) if waits else None,
        "p90_wait_minutes": waits[math.ceil(0.9 * len(waits)) - 1] if waits else None,
        "over_hour_share": sum(w > 60 for w in waits) / len(waits) if waits else None,
        "left_share": sum(v.state == LEFT for v in visits) / count,
        "no_show_share": sum(v.state == NO_SHOW for v in visits) / count,
        "service_minutes": {code: sum(m) / len(m) for code, m in sorted(by_service.items())},
    }
