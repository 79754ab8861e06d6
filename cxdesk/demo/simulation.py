"""One working day at the service counter, as a discrete-event simulation (SimPy).

The demo office needs a history that looks like a Social Security field office: a
queue at the door at opening, a late-morning peak, claims that hold a window for two
hours, people who give up. Waits drawn one by one cannot get that right (a wait
depends on who is ahead and how many windows are open), so this module runs the day
and returns plain records; the demo generator turns them into database rows.

Pure on purpose: the standard library, SimPy and its two companions (``day``: the
plan in and the records out; ``realism``: the counter at a moment, the figures), no
other cxdesk imports (the caller passes the catalogs in as plain data). Everything
random comes from the caller's ``random.Random``, so the same seed gives the same day.

Calibrated on SSA Inspector General audits (A-04-17-50216, Dec 2016; OIG, March
2018): about 140 visitors a working day per field office, average waits of 19
(FY2010) to 26 (FY2015) minutes, about 11% of visitors waiting over an hour.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Generator
from dataclasses import replace
from datetime import datetime, timedelta

import simpy

from cxdesk.demo.day import (
    APPOINTMENT_GRACE,
    DONE,
    HANDED_OVER,
    LAST_CALL,
    LEFT,
    NO_SHOW,
    ON_HOLD,
    WAITING,
    DayPlan,
    Duty,
    DutyRecord,
    SimulatedDay,
    Spell,
    VisitRecord,
)
from cxdesk.demo.realism import as_of

Process = Generator[simpy.Event, object, None]


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
        self.spans = [(self.minutes(d.starts), self.minutes(d.ends)) for d in self.duties]
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
            on_duty = [i for i, (start, end) in enumerate(self.spans) if start <= env.now < end] if c.quick else ()
            if on_duty:  # logged by someone at a window, without calling anyone
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
