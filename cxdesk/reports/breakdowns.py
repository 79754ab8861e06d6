"""The SQL behind the supervisor summary: aggregates that return plain numbers per group,
and one read of the period's times for its percentiles. ``where`` is a Scope's conditions
on Visit.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col

from cxdesk.reports.sqlstats import by_position, local_hour, median_and_p90
from cxdesk.store.models import (
    Complaint,
    Office,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    Visit,
    VisitChannelOffer,
)
from cxdesk.vocab import ComplaintState, SurveyOffer, SurveyStatus, VisitState

DONE, NO_SHOW, LEFT = VisitState.DONE, VisitState.NO_SHOW, VisitState.LEFT


def _flag(condition):
    return sa.func.sum(sa.case((condition, 1), else_=0))


def headline(session: Session, where: Sequence) -> dict[str, float | int | None]:
    """Volumes, left-before-service stages, the channel step of visits done, customers who
    declined the survey at the counter, and waiting and service time means and maxima:
    one pass over the period's visits."""
    row = session.execute(sa.select(*_HEADLINE.values()).where(*where)).one()
    out = {}
    for key, value in zip(_HEADLINE, row):
        if key.endswith("_mean"):
            out[key] = None if value is None else round(float(value), 1)
        elif key.endswith("_max"):
            out[key] = None if value is None else int(value)
        else:
            out[key] = int(value or 0)
    return out


def _headline_columns() -> dict:
    done = Visit.state == DONE
    reached = sa.select(SurveyInvitation.id).where(
        SurveyInvitation.visit_id == Visit.id, col(SurveyInvitation.status).not_in(SurveyStatus.NOT_OFFERED))
    return {
        "arrived": sa.func.count(),
        "served": _flag(done),
        "no_shows": _flag(Visit.state == NO_SHOW),
        "left": _flag(Visit.state == LEFT),
        "left_waiting": _flag(sa.and_(Visit.state == LEFT, Visit.hold_count == 0)),
        "left_after_hold": _flag(sa.and_(Visit.state == LEFT, Visit.hold_count > 0)),
        "in_line": _flag(col(Visit.state).in_(VisitState.IN_LINE)),
        "at_counter": _flag(col(Visit.state).in_(VisitState.AT_COUNTER)),
        "walk_ups": _flag(sa.and_(done, Visit.wait_seconds == 0, Visit.service_seconds == 0)),
        "appointments": _flag(Visit.appointment),
        "transferred": sa.func.count(Visit.transferred_from),
        "held": _flag(Visit.hold_count > 0),
        "channel_step_done": _flag(sa.and_(done, Visit.channel_step == "done")),
        "channel_step_skipped": _flag(sa.and_(done, Visit.channel_step == "skipped")),
        # A customer who declined at the counter was offered the survey too (A-11 counts the
        # offer, recorded at the end of the visit), though no invitation reached them. The
        # look-up runs only for those visits.
        "declined_survey": _flag(sa.and_(Visit.survey_offer == SurveyOffer.DECLINED,
                                         ~reached.correlate(Visit).exists())),
        "wait_count": sa.func.count(Visit.wait_seconds),
        "wait_mean": sa.func.avg(Visit.wait_seconds),
        "wait_max": sa.func.max(Visit.wait_seconds),
        "service_count": sa.func.count(Visit.service_seconds),
        "service_mean": sa.func.avg(Visit.service_seconds),
        "service_max": sa.func.max(Visit.service_seconds),
    }


# Built once: the columns do not depend on the period, only the WHERE does.
_HEADLINE = _headline_columns()


def by_hour(session: Session, office: Office, where: Sequence, first: date, last: date) -> dict[int, tuple[int, int]]:
    """Office-local hour -> (arrived, served), served counted at the hour the visit finished:
    one pass, grouped by both hours (a visit not done has no finishing hour)."""
    zone = office.zone
    arrived_hour = local_hour(session, Visit.arrived_at, zone, first, last)
    finished_hour = local_hour(session, sa.case((Visit.state == DONE, Visit.finished_at)), zone, first, last)
    hours: dict[int, list[int]] = {}
    for arrived, finished, n in session.execute(
            sa.select(arrived_hour, finished_hour, sa.func.count()).where(*where).group_by(*by_position(2))):
        hours.setdefault(int(arrived), [0, 0])[0] += int(n)
        if finished is not None:
            hours.setdefault(int(finished), [0, 0])[1] += int(n)
    return {hour: (a, s) for hour, (a, s) in sorted(hours.items())}


def counts(session: Session, where: Sequence, *columns, only=None) -> dict[tuple, int]:
    """Rows per combination of ``columns`` (NULLs kept as None); with ``only``, the rows that
    meet it. ``only`` is counted, not put in the WHERE: there a condition on the state lures
    SQLite's planner from the (office, day) index to a skip-scan of the stations' index,
    a third slower over a quarter."""
    counted = sa.func.count() if only is None else sa.func.count(sa.case((only, 1)))
    query = sa.select(*columns, counted).where(*where).group_by(*columns)
    return {tuple(row[:-1]): int(row[-1]) for row in session.execute(query) if row[-1]}


def channel_offers(session: Session, where: Sequence) -> dict[str, int]:
    query = (sa.select(VisitChannelOffer.channel, sa.func.count()).select_from(VisitChannelOffer)
             .join(Visit, Visit.id == VisitChannelOffer.visit_id).where(*where)
             .group_by(VisitChannelOffer.channel))
    return {channel: int(n) for channel, n in session.execute(query)}


@dataclass(frozen=True)
class PersonTimes:
    """One clerk's or one station's visits in the period."""

    served: int
    no_shows: int
    resolved: int  # at the first visit
    median_wait: float | None
    median_service: float | None
    p90_service: float | None


@dataclass(frozen=True)
class PeriodTimes:
    """Median and 90th percentile of the waiting time (visits called) and of the service
    time (visits done), for the office, per service, per clerk and per station."""

    wait: tuple[float | None, float | None]
    service: tuple[float | None, float | None]
    by_service: dict[str | None, tuple[float | None, float | None]]
    clerks: dict[uuid.UUID, PersonTimes]
    stations: dict[uuid.UUID, PersonTimes]


def period_times(session: Session, where: Sequence) -> PeriodTimes:
    """Every time figure of the summary from one grouped pass over the period's visits (for a
    day or a quarter SQLite answers from the covering index ix_visit_office_day_summary,
    without touching the table): per clerk, station and service, the tallies and the
    seconds themselves as text lists, merged and sorted here. Percentiles in SQL took a
    sort, a window and a pass per grouping.

    Values are ``percentile_cont``'s, as PostgreSQL gives them."""
    query = sa.select(*_PERIOD_TIMES).where(*where).group_by(*by_position(3))
    waits: list[int] = []
    services: list[int] = []
    by_service: dict[str | None, list[int]] = {}
    clerks: dict = {}  # id -> [served, no-shows, resolved, waits, services]
    stations: dict = {}
    for staff_id, station_id, service, served, no_shows, resolved, wait_text, service_text in \
            session.execute(query):
        group_waits = _seconds(wait_text)
        group_services = _seconds(service_text)
        waits += group_waits
        services += group_services
        if group_services:
            if service in by_service:
                by_service[service] += group_services
            else:
                by_service[service] = group_services[:]
        for people, key in ((clerks, staff_id), (stations, station_id)):
            if key is None:
                continue
            tally = people.get(key)
            if tally is None:
                tally = people[key] = [0, 0, 0, [], []]
            tally[0] += served
            tally[1] += no_shows
            tally[2] += resolved
            tally[3] += group_waits
            tally[4] += group_services

    def per_person(people: dict) -> dict[uuid.UUID, PersonTimes]:
        # Ids arrive as the database gives them (text on SQLite): made UUIDs once a person.
        return {key if isinstance(key, uuid.UUID) else uuid.UUID(key): PersonTimes(
                    served, no_shows, resolved, median_and_p90(person_waits)[0], *median_and_p90(person_services))
                for key, (served, no_shows, resolved, person_waits, person_services) in people.items()}

    return PeriodTimes(median_and_p90(waits), median_and_p90(services),
                       {code: median_and_p90(values) for code, values in by_service.items()},
                       per_person(clerks), per_person(stations))


def _seconds_list(column):
    """SQL: the group's non-NULL whole seconds as text, '412,37,1290' (NULL for none)."""
    return sa.func.aggregate_strings(sa.cast(column, sa.String), ",")


def _seconds(text: str | None) -> list[int]:
    return list(map(int, text.split(","))) if text else []


def _period_times_columns() -> list:
    done = Visit.state == DONE
    return [sa.type_coerce(Visit.staff_id, sa.String), sa.type_coerce(Visit.station_id, sa.String), Visit.service,
            sa.func.count(sa.case((done, 1))), sa.func.count(sa.case((Visit.state == NO_SHOW, 1))),
            sa.func.count(sa.case((sa.and_(done, Visit.outcome == "resolved"), 1))),
            _seconds_list(Visit.wait_seconds), _seconds_list(sa.case((done, Visit.service_seconds)))]


# Built once, like the headline's.
_PERIOD_TIMES = _period_times_columns()


def survey_volumes(session: Session, where: Sequence, declined: int) -> tuple[int, int]:
    """Customers offered the survey and respondents, in one pass: those an invitation reached,
    plus ``declined``, those who said no at the counter (headline's ``declined_survey``)."""
    reached = col(SurveyInvitation.status).not_in(SurveyStatus.NOT_OFFERED)
    offered, respondents = session.execute(
        sa.select(sa.func.count(sa.distinct(sa.case((reached, SurveyInvitation.visit_id)))),
                  sa.func.count(SurveyResponse.invitation_id))
        .select_from(Visit).join(SurveyInvitation, SurveyInvitation.visit_id == Visit.id)
        .join(SurveyResponse, SurveyResponse.invitation_id == SurveyInvitation.id, isouter=True)
        .where(*where)).one()
    return int(offered) + declined, int(respondents)


def survey_answers(session: Session, where: Sequence, segment=None) -> dict[tuple[int, str, str, int | None], int]:
    """(segment, question, choice, score) -> answers: 1-5 scores have choice '', driver toggles
    score 0/1. ``segment`` numbers the parts of the period (reports.standards' versions in
    force, by the visit's day); without it every answer is in segment 0."""
    segment = sa.literal(0) if segment is None else segment
    query = (sa.select(segment, SurveyAnswer.question, SurveyAnswer.choice, SurveyAnswer.score, sa.func.count())
             .select_from(SurveyAnswer)
             .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
             .join(Visit, Visit.id == SurveyResponse.visit_id)
             .where(*where, col(SurveyAnswer.score).is_not(None))
             .group_by(*by_position(4)))
    return {(int(seg), q, c, s): int(n) for seg, q, c, s, n in session.execute(query)}


def complaints_received(session: Session, scope_where: Sequence) -> dict[str | None, tuple[int, int, int]]:
    """Per service: complaints received in the period, those acknowledged (an answer that
    resolves one acknowledges it too) and those resolved."""
    query = (sa.select(Complaint.service, sa.func.count(),
                       sa.func.count(sa.func.coalesce(Complaint.acknowledged_at, Complaint.resolved_at)),
                       sa.func.count(Complaint.resolved_at))
             .where(*scope_where).group_by(Complaint.service))
    return {service: (int(n), int(acked), int(resolved))
            for service, n, acked, resolved in session.execute(query)}


def complaints_due(session: Session, open_where: Sequence, start: date, end: date, as_of: date) -> tuple[int, int]:
    """Open complaints whose next deadline falls in the period (due) or passed before ``as_of`` (overdue)."""
    is_open = col(Complaint.state).in_(ComplaintState.OPEN)
    due, overdue = session.execute(sa.select(
        _flag(sa.and_(Complaint.next_due >= start, Complaint.next_due <= end)),
        _flag(Complaint.next_due < as_of)).where(*open_where, is_open)).one()
    return int(due or 0), int(overdue or 0)
