"""What the counter screen shows, read in one go and put into words: the line's rows,
the customer at the counter, the last visit finished here and today's numbers.

Plain functions over a ``CounterView``, so the screen (screens/counter.py) keeps to
keys and steps. Catalog labels are shown as text, never read as markup.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cxdesk.screens.format import LONG_WAIT, clock_time, minutes, wait_text
from rich.text import Text
from textual.content import Content

from cxdesk.vocab import VISIT_STATE_LABELS as STATE_LABELS
from cxdesk.vocab import VisitState

if TYPE_CHECKING:
    from cxdesk.domain.visits import LineEntry
    from cxdesk.reports.counter import DayCounts
    from cxdesk.store.catalogs import Catalog
    from cxdesk.store.models import Visit

# The line's columns; those with a known width keep it (content-sized columns
# shrink back after a refresh and cut "10:00" to "10:0").
LINE_COLUMNS = (("#", 3), ("Ticket", 6), ("Waited", 13), ("Lang", 4), ("Appt", 5), ("Note", 9),
                ("Service wanted", None), ("Segment", None))


@dataclass(frozen=True)
class CounterView:
    """Everything the counter screen shows, read in one go on the database thread."""

    line: list[LineEntry]
    current: Visit | None
    last_finished: Visit | None
    counts: DayCounts
    read_at: datetime
    station_codes: dict[uuid.UUID, str]
    shift_open: bool = True
    # ⚠ LONG from the waiting-time standard in force today (EO 12862 1(c)).
    long_wait: timedelta = LONG_WAIT
    # The store's change marker taken just before the read (Database.change_marker), or None.
    marker: object = None

    @property
    def longest_wait_seconds(self) -> float | None:
        """One figure for the status bar and the line: the longest wait today, counting
        the customers still waiting (their wait so far) as the line shows them."""
        waits = [entry.waited(self.read_at).total_seconds() for entry in self.line]
        if self.counts.longest_wait_seconds is not None:
            waits.append(self.counts.longest_wait_seconds)
        return max(waits) if waits else None


@dataclass(frozen=True)
class Undoable:
    """The last no-show or "left" marked here, which `u` undoes for a short while."""

    visit_id: uuid.UUID
    ticket: str
    what: str
    at: datetime


def read_counter(session, office, who, now: datetime, marker: object = None) -> CounterView:
    """The counter's view for ``who`` (on the database thread); ``marker`` is the store's
    change marker taken before the read."""
    from cxdesk.domain import visits
    from cxdesk.domain.office import station_codes
    from cxdesk.domain.staff import shift_is_open
    from cxdesk.reports import counter
    from cxdesk.reports.standards import long_wait_minutes

    recent = counter.recent_finished(session, office, who.station, now, limit=1)
    line = visits.waiting_line(session, office, now, station=who.station)
    return CounterView(
        line=line,
        current=visits.at_station(session, office, who.station),
        last_finished=recent[0] if recent else None,
        counts=counter.day_counts(session, office, now),
        read_at=now,
        station_codes=station_codes(session, {entry.waits_for for entry in line} - {None}),
        shift_open=shift_is_open(session, who),
        long_wait=timedelta(minutes=long_wait_minutes(session, office, office.local_day(now))),
        marker=marker,
    )


def holds_at(view: CounterView, now: datetime, office) -> bool:
    """Whether ``view``, read at ``view.read_at`` from a database nobody has written to
    since, is still what a read at ``now`` would give but for the waits and the clock.

    Everything read depends on the data and on the office day alone, except the calling
    order: an appointment moves ahead once it comes due. So: the clock has not gone back,
    the day is the same, and no appointment in the line has come due in between.
    """
    from cxdesk.domain.visits import APPOINTMENT_GRACE

    then = view.read_at
    if now < then or office.local_day(now) != office.local_day(then):
        return False
    return not any(then + APPOINTMENT_GRACE < entry.appointment_at <= now + APPOINTMENT_GRACE
                   for entry in view.line if entry.appointment_at is not None)


def label(catalog: Catalog, code: str) -> str:
    return catalog.get(code).label() if code in catalog else code


def line_rows(view: CounterView, here: uuid.UUID, zone: str, services: Catalog, segments: Catalog,
              labels: dict[tuple[str, str], Text] | None = None):
    """(key, cells) for each customer in the line, in calling order.

    ``labels`` keeps the catalog labels' Text between refreshes: a label is the same
    text for every row that shows it, and building 400 of them was a fifth of a refresh.
    """
    labels = {} if labels is None else labels

    def label_text(catalog: Catalog, kind: str, code: str) -> Text:
        text = labels.get((kind, code))
        if text is None:
            text = labels[kind, code] = Text(label(catalog, code))
        return text

    for position, entry in enumerate(view.line, start=1):
        appointment = clock_time(entry.appointment_at, zone) if entry.appointment_at else "–"
        yield str(entry.id), (
            str(position), entry.ticket, wait_text(entry.waited(view.read_at), view.long_wait), entry.language.upper(),
            appointment, note(entry, view, here),
            label_text(services, "service", entry.service_wanted), label_text(segments, "segment", entry.segment),
        )


def note(entry: LineEntry, view: CounterView, here: uuid.UUID) -> str:
    """Why a customer is where they are in the line, in a symbol and a word."""
    if entry.waits_for is not None:
        return "→ HERE" if entry.waits_for == here else f"→ {view.station_codes.get(entry.waits_for, '?')}"
    if entry.sent_back:
        return "↩ FIRST"
    if entry.state == VisitState.ON_HOLD:
        return STATE_LABELS[VisitState.ON_HOLD]
    return ""


def current_text(visit: Visit | None, now: datetime, zone: str, services: Catalog, segments: Catalog,
                 *, narrow: bool) -> Content:
    """The customer at the counter: three lines when narrow, five beside the line."""
    if visit is None:
        return Content("Nobody at the counter. Press n to call the next customer, or w to log a walk-up.")
    since = visit.serving_at or visit.called_at
    head = (f"{visit.ticket}   {STATE_LABELS.get(visit.state, visit.state)} since {clock_time(since, zone)}"
            f" ({wait_text(now - since)})")
    wants = label(services, visit.service_wanted)
    segment = label(segments, visit.segment)
    appointment = f"appointment {clock_time(visit.appointment_at, zone)}" if visit.appointment_at else "walk-in"
    held = f" · held {visit.hold_count}×" if visit.hold_count else ""
    if narrow:
        lines = [head, f"Wants: {wants} · {segment} · {visit.language.upper()} · {appointment}",
                 f"Waited {minutes(visit.wait_seconds or 0)}{held}"]
    else:
        language = "Spanish (ES)" if visit.language == "es" else "English (EN)"
        lines = [head, f"Wants: {wants}", f"Segment: {segment}", f"Language: {language}",
                 f"Waited: {minutes(visit.wait_seconds or 0)} · {appointment}{held}"]
    return Content("\n".join(lines))


def last_text(visit: Visit | None, services: Catalog) -> Content:
    if visit is None:
        return Content("–")
    if visit.state == VisitState.NO_SHOW:
        return Content(f"{visit.ticket}  {STATE_LABELS[VisitState.NO_SHOW]}")
    channel = {"done": "channels recorded", "skipped": "channel step skipped"}.get(
        visit.channel_step or "", "channel step open")
    return Content(f"{visit.ticket}  {STATE_LABELS[VisitState.DONE]}  {label(services, visit.service or '')}"
                   f"\nOutcome: {visit.outcome} · {channel}")


def status_text(view: CounterView, zone: str) -> Content:
    """Today's numbers; the waiting count and the longest wait are the line's own."""
    counts = view.counts
    average = minutes(counts.average_wait_seconds) if counts.average_wait_seconds is not None else "–"
    longest = view.longest_wait_seconds
    longest_text = "–" if longest is None else wait_text(timedelta(seconds=longest), view.long_wait)
    return Content(
        f"Today: waiting {len(view.line)} · served {counts.served} · no-shows {counts.no_shows}"
        f" · left {counts.left} · avg wait {average} · longest {longest_text}"
        f" (standard {minutes(view.long_wait.total_seconds())})"
        f" · at {clock_time(view.read_at, zone)}")
