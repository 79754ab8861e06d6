"""The supervisor's summary of a shift, a day, a week or a fiscal quarter: one frozen
dataclass, every figure from SQL aggregates (reports.breakdowns), measured against
the posted standards and their benchmarks. Supervisors only (checked here, below
every screen and command).

The screen, the CLI (text, CSV, JSON) and the benchmarks all read this one object.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from cxdesk.domain.roles import acting_supervisor
from cxdesk.domain.signoffs import SignOffStatus, signoff_status
from cxdesk.domain.surveys.questions import load_question_set
from cxdesk.reports import breakdowns as q
from cxdesk.reports.scope import Scope
from cxdesk.reports.standards import (
    StandardResult,
    load_standards,
    measure_standards,
    segment_of,
    segment_starts,
)
from cxdesk.store.catalogs import office_catalog
from cxdesk.store.models import Complaint, Office, Staff, Station, Visit
from cxdesk.vocab import LANGUAGE_NAMES, VisitState


@dataclass(frozen=True)
class Count:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class HourRow:
    hour: int  # office-local
    arrived: int
    served: int


@dataclass(frozen=True)
class Volumes:
    arrived: int
    served: int
    no_shows: int
    left: int
    in_line: int
    at_counter: int
    walk_ups: int  # logged without queueing
    appointments: int
    transferred: int
    held: int


@dataclass(frozen=True)
class TimeFigures:
    """Waiting or service times in seconds."""

    count: int
    median: float | None
    p90: float | None
    mean: float | None
    longest: int | None


@dataclass(frozen=True)
class ServiceTimeRow:
    service: str
    label: str
    served: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class DriverLine:
    """A 1-5 survey question: answers per point, % agree (4-5) and the A-11 point scale."""

    question: str
    driver: str | None
    counts: tuple[int, int, int, int, int]
    answers: int
    percent_agree: float | None
    point_scale: float | None


@dataclass(frozen=True)
class Picked:
    """A driver toggle ('what went well: ease'): picked by how many of those asked."""

    question: str
    option: str
    picked: int
    asked: int


@dataclass(frozen=True)
class SurveyFigures:
    served: int
    offered: int
    respondents: int
    response_rate: float | None  # respondents per 100 offered
    drivers: tuple[DriverLine, ...]
    picked: tuple[Picked, ...]


@dataclass(frozen=True)
class ComplaintRate:
    service: str
    label: str
    complaints: int
    visits: int
    per_1000: float | None


@dataclass(frozen=True)
class ComplaintFigures:
    opened: int
    acknowledged: int
    resolved: int
    due: int  # open, next deadline inside the period
    overdue: int  # open, next deadline passed (as of the period's end, or today)
    by_service: tuple[ComplaintRate, ...]


@dataclass(frozen=True)
class BreakdownRow:
    """One clerk or one station."""

    code: str
    name: str
    served: int
    no_shows: int
    resolved_share: float | None
    median_wait: float | None
    median_service: float | None
    p90_service: float | None


@dataclass(frozen=True)
class Summary:
    office_code: str
    office_name: str
    timezone: str
    kind: str
    start: date
    end: date
    label: str
    station_code: str | None
    as_of: date
    volumes: Volumes
    hours: tuple[HourRow, ...]
    waiting: TimeFigures
    service: TimeFigures
    service_by_type: tuple[ServiceTimeRow, ...]
    left_stages: tuple[Count, ...]
    outcomes: tuple[Count, ...]
    referrals: tuple[Count, ...]
    not_served_reasons: tuple[Count, ...]
    segments: tuple[Count, ...]
    languages: tuple[Count, ...]
    channels_offered: tuple[Count, ...]
    channels_preferred: tuple[Count, ...]
    channel_step: tuple[Count, ...]
    surveys: SurveyFigures
    complaints: ComplaintFigures
    clerks: tuple[BreakdownRow, ...]
    stations: tuple[BreakdownRow, ...]
    standards: tuple[StandardResult, ...]
    signoff: SignOffStatus | None = None

    @property
    def can_sign_off(self) -> bool:
        return self.kind in ("shift", "day") and self.station_code is None


def _label(catalog_name: str, code: str | None) -> str:
    if code is None:
        return "(not recorded)"
    catalog = _catalog(catalog_name)
    return catalog.get(code).label() if code in catalog else code


def _catalog(name: str):
    # office_catalog() looks for the override file on every call; a summary reads each
    # catalog once (per thread: the screen's database thread, the CLI, a benchmark).
    cache = _LOADED.__dict__.setdefault("catalogs", {})
    if name not in cache:
        cache[name] = office_catalog(name)
    return cache[name]


_LOADED = threading.local()


def _by(raw: dict[tuple, int], index: int, skip_none: bool = False) -> dict:
    """Totals of a multi-column count by one of its columns."""
    totals: dict = {}
    for key, n in raw.items():
        if key[index] is None and skip_none:
            continue
        totals[key[index]] = totals.get(key[index], 0) + n
    return totals


def _counts(raw: dict, catalog_name: str | None = None, order: list[str] | None = None) -> tuple[Count, ...]:
    """Catalog order first (the number-key order), then anything else by size."""
    merged: dict = {}
    for key, n in raw.items():
        code = key[0] if isinstance(key, tuple) else key
        merged[code] = merged.get(code, 0) + n
    order = order or (_catalog(catalog_name).codes() if catalog_name else [])
    position = {code: index for index, code in enumerate(order)}
    ranked = sorted(merged, key=lambda c: (position.get(c, len(order)), -merged[c], str(c)))
    return tuple(Count(str(c) if c is not None else "", _label(catalog_name, c) if catalog_name else str(c),
                       merged[c]) for c in ranked)


def _times(figures: dict, prefix: str, pct: tuple[float | None, float | None]) -> TimeFigures:
    median, p90 = pct
    return TimeFigures(figures[f"{prefix}_count"], median, p90, figures[f"{prefix}_mean"], figures[f"{prefix}_max"])


def office_summary(session: Session, office: Office, scope: Scope, viewer: Staff, today: date) -> Summary:
    """Everything the supervisor's summary shows for ``scope`` (supervisors only).

    Each SQL pass over the period's rows serves every section that needs it: the headline
    pass gives volumes, left stages, the channel step and survey declines; one read of
    the times gives every median and 90th percentile and the clerks' and stations' tallies;
    the finished visits' mix gives services, outcomes, referrals, reasons and preferred
    channels; the survey answers serve the drivers and the standards."""
    acting_supervisor(session, viewer, "read the supervisor summary")
    _LOADED.__dict__.pop("catalogs", None)
    where = scope.visits()
    head = q.headline(session, where)
    volumes = Volumes(head["arrived"], head["served"], head["no_shows"], head["left"], head["in_line"],
                      head["at_counter"], head["walk_ups"], head["appointments"], head["transferred"],
                      head["held"])
    hours = tuple(HourRow(h, a, s) for h, (a, s) in q.by_hour(session, office, where, scope.start, scope.end).items())

    times = q.period_times(session, where)
    finished = q.counts(session, where, Visit.service, Visit.outcome, Visit.referral, Visit.not_served_reason,
                        Visit.preferred_channel, only=Visit.state == VisitState.DONE)
    served_by_service = {(code,): n for code, n in _by(finished, 0).items()}
    service_rows = tuple(
        # Visits done with no service recorded are listed under "" (times are kept under None):
        # counted, with no times, as ever.
        ServiceTimeRow(c.code, c.label, c.count, *times.by_service.get(c.code, (None, None)))
        for c in _counts(served_by_service, "services"))

    left_stages = (
        Count("left_waiting", "Left while waiting, before being called", head["left_waiting"]),
        Count("left_after_hold", "Left after a hold, back in the line", head["left_after_hold"]),
        Count("no_show", "Gone when called (no-show)", head["no_shows"]),
    )
    outcomes = _counts(_by(finished, 1), "outcomes")
    referrals = _counts(_by(finished, 2, skip_none=True), "referrals")
    reasons = _counts(_by(finished, 3, skip_none=True), "not_served_reasons")
    people_mix = q.counts(session, where, Visit.segment, Visit.language, Visit.service_wanted)
    segments = _counts(_by(people_mix, 0), "segments")
    languages = tuple(Count(c.code, LANGUAGE_NAMES.get(c.code, c.code), c.count)
                      for c in _counts(_by(people_mix, 1), order=list(LANGUAGE_NAMES)))
    preferred = _counts(_by(finished, 4, skip_none=True), "channels")
    step_done, step_skipped = head["channel_step_done"], head["channel_step_skipped"]
    channel_step = (Count("done", "Other channels offered", step_done),
                    Count("skipped", "Channel step skipped", step_skipped),
                    Count("", "Not recorded", head["served"] - step_done - step_skipped))
    offered = _counts(q.channel_offers(session, where), "channels")

    standard_views = load_standards(session, office)
    answers = q.survey_answers(session, where, segment_of(segment_starts(standard_views, scope), Visit.day))
    whole_period: dict[tuple, int] = {}
    for (_segment, *answer), n in answers.items():
        whole_period[tuple(answer)] = whole_period.get(tuple(answer), 0) + n
    surveys = _survey_figures(session, office, where, head, whole_period)
    wanted = {(code,): n for code, n in _by(people_mix, 2).items()}
    complaints = _complaint_figures(session, office, scope, today, served_by_service, wanted)
    clerks = _breakdown(session, times.clerks, Staff)
    stations = _breakdown(session, times.stations, Station)
    standards = tuple(measure_standards(session, office, scope, today, standard_views, answers=answers))
    signoff = None
    if scope.kind in ("shift", "day") and scope.station_id is None:
        signoff = signoff_status(session, office, scope.kind, scope.start, scope.shift_id)
    return Summary(
        office.code, office.name, office.timezone, scope.kind, scope.start, scope.end, scope.label,
        scope.station_code, today, volumes, hours, _times(head, "wait", times.wait),
        _times(head, "service", times.service), service_rows, left_stages, outcomes, referrals, reasons,
        segments, languages, offered, preferred, channel_step, surveys, complaints, clerks, stations,
        standards, signoff)


def _survey_figures(session: Session, office: Office, where: list, head: dict, answers: dict) -> SurveyFigures:
    offered, respondents = q.survey_volumes(session, where, head["declined_survey"])
    served = head["served"]
    question_set = load_question_set(office.survey_set)
    drivers = []
    for question in question_set.scale_questions():
        counts = tuple(answers.get((question.code, "", k), 0) for k in range(1, 6))
        n = sum(counts)
        drivers.append(DriverLine(
            question.code, question.driver, counts, n,
            round(100.0 * (counts[3] + counts[4]) / n, 1) if n else None,
            round(sum(k * c for k, c in zip(range(1, 6), counts)) / n, 2) if n else None))
    picked = []
    for question in question_set.questions:
        if question.kind != "drivers":
            continue
        asked = sum(answers.get((question.code, question.options[0].code, s), 0) for s in (0, 1))
        picked += [Picked(question.code, o.code, answers.get((question.code, o.code, 1), 0), asked)
                   for o in question.options]
    rate = round(100.0 * respondents / offered, 1) if offered else None
    return SurveyFigures(served, offered, respondents, rate, tuple(drivers), tuple(picked))


def _complaint_figures(session: Session, office: Office, scope: Scope, today: date,
                       served: dict, visits: dict) -> ComplaintFigures:
    scope_where = scope.complaints()
    open_where = [Complaint.office_id == office.id]
    if scope.shift_id is not None or scope.station_id is not None:
        open_where.append(col(Complaint.visit_id).in_(select(Visit.id).where(*scope.visits())))
    received = q.complaints_received(session, scope_where)
    due, overdue = q.complaints_due(session, open_where, scope.start, scope.end, min(today, scope.end))
    rates = []
    for c in _counts({service: n for service, (n, _a, _r) in received.items()}, "services"):
        # Per 1,000 visits for that service: those served for it, or who came for it.
        base = served.get((c.code,), 0) or visits.get((c.code,), 0)
        rates.append(ComplaintRate(c.code, c.label if c.code else "(no service recorded)", c.count, base,
                                   round(1000.0 * c.count / base, 1) if base else None))
    opened, acknowledged, resolved = (sum(figures[i] for figures in received.values()) for i in range(3))
    return ComplaintFigures(opened, acknowledged, resolved, due, overdue, tuple(rates))


def _breakdown(session: Session, tallies: dict[uuid.UUID, q.PersonTimes], table) -> tuple[BreakdownRow, ...]:
    if not tallies:
        return ()
    names = {row.id: row for row in session.execute(
        select(table.id, table.code, table.name).where(col(table.id).in_(list(tallies))))}
    rows = []
    for key, t in tallies.items():
        who = names.get(key)
        rows.append(BreakdownRow(
            who.code if who else "?", who.name if who else "?", t.served, t.no_shows,
            round(100.0 * t.resolved / t.served, 1) if t.served else None, t.median_wait, t.median_service,
            t.p90_service))
    return tuple(sorted(rows, key=lambda r: r.code))


def summary_dict(summary: Summary) -> dict:
    """The summary as plain data for JSON: every field, plus each standard's verdict."""
    data = dataclasses.asdict(summary)
    for plain, result in zip(data["standards"], summary.standards):
        plain.update(status=result.status, mark=result.mark, gap_to_benchmark=result.gap_to_benchmark)
    if summary.signoff is not None:
        data["signoff"]["mark"] = summary.signoff.mark
    return data
