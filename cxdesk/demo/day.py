"""An office day in plain data: the plan that goes into the simulation (opening hours,
duties, services, how customers behave) and the records that come out of it.

Pure on purpose, like the simulation: the standard library only, no cxdesk imports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

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
