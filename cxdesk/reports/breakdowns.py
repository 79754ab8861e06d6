"""The grouped SQL queries behind the supervisor summary: each returns plain numbers per
group, never visit rows. ``where`` is a Scope's conditions on Visit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col

from cxdesk.reports.sqlstats import by_position, local_hour, percentiles
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
    """Volumes, left-before-service stages, and waiting and service time means and maxima."""
    done = Visit.state == DONE
    columns = {
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
        "resolved": _flag(sa.and_(done, Visit.outcome == "resolved")),
        "wait_count": sa.func.count(Visit.wait_seconds),
        "wait_mean": sa.func.avg(Visit.wait_seconds),
        "wait_max": sa.func.max(Visit.wait_seconds),
        "service_count": sa.func.count(Visit.service_seconds),
        "service_mean": sa.func.avg(Visit.service_seconds),
        "service_max": sa.func.max(Visit.service_seconds),
    }
    row = session.execute(sa.select(*columns.values()).where(*where)).one()
    out = {}
    for key, value in zip(columns, row):
        if key.endswith("_mean"):
            out[key] = None if value is None else round(float(value), 1)
        elif key.endswith("_max"):
            out[key] = None if value is None else int(value)
        else:
            out[key] = int(value or 0)
    return out


def by_hour(session: Session, office: Office, where: Sequence, first: date, last: date) -> dict[int, tuple[int, int]]:
    """Office-local hour -> (arrived, served), served counted at the hour the visit finished."""
    zone = office.zone
    arrived_hour = local_hour(session, Visit.arrived_at, zone, first, last)
    finished_hour = local_hour(session, Visit.finished_at, zone, first, last)
    hours: dict[int, list[int]] = {}
    for hour, n in session.execute(sa.select(arrived_hour, sa.func.count()).where(*where).group_by(*by_position(1))):
        hours.setdefault(int(hour), [0, 0])[0] = int(n)
    for hour, n in session.execute(sa.select(finished_hour, sa.func.count())
                                   .where(*where, Visit.state == DONE).group_by(*by_position(1))):
        hours.setdefault(int(hour), [0, 0])[1] = int(n)
    return {hour: (a, s) for hour, (a, s) in sorted(hours.items())}


def counts(session: Session, where: Sequence, *columns, only=None, select_from=None) -> dict[tuple, int]:
    """Rows per combination of ``columns`` (NULLs kept as None)."""
    query = sa.select(*columns, sa.func.count())
    if select_from is not None:
        query = query.select_from(select_from)
    query = query.where(*where, *([only] if only is not None else [])).group_by(*columns)
    return {tuple(row[:-1]): int(row[-1]) for row in session.execute(query)}


def channel_offers(session: Session, where: Sequence) -> dict[str, int]:
    query = (sa.select(VisitChannelOffer.channel, sa.func.count()).select_from(VisitChannelOffer)
             .join(Visit, Visit.id == VisitChannelOffer.visit_id).where(*where)
             .group_by(VisitChannelOffer.channel))
    return {channel: int(n) for channel, n in session.execute(query)}


def time_percentiles(session: Session, where: Sequence, group=None, only=None, waits: bool = True) -> dict:
    """Median and 90th percentile of the waiting time and of the service time (of visits
    done), overall or per group, in one query: {key: ((median, p90) wait, (median, p90) service)}.
    ``waits=False`` leaves the waiting time out (one sort fewer): {key: ((median, p90) service,)}."""
    conditions = [*where, *([only] if only is not None else [])]
    service = sa.case((Visit.state == DONE, Visit.service_seconds))
    return percentiles(session, [Visit.wait_seconds, service] if waits else [service], conditions,
                       group_by=[group] if group is not None else [])


def people(session: Session, where: Sequence, group) -> dict:
    """Per clerk or station: served, no-shows, resolved at the first visit."""
    query = (sa.select(group, _flag(Visit.state == DONE), _flag(Visit.state == NO_SHOW),
                       _flag(sa.and_(Visit.state == DONE, Visit.outcome == "resolved")))
             .where(*where, group.is_not(None)).group_by(group))
    return {row[0]: (int(row[1] or 0), int(row[2] or 0), int(row[3] or 0)) for row in session.execute(query)}


def survey_volumes(session: Session, where: Sequence) -> tuple[int, int]:
    """Customers offered the survey (it reached them) and respondents, in one pass."""
    reached = col(SurveyInvitation.status).not_in(SurveyStatus.NOT_OFFERED)
    offered, respondents = session.execute(
        sa.select(sa.func.count(sa.distinct(sa.case((reached, SurveyInvitation.visit_id)))),
                  sa.func.count(SurveyResponse.invitation_id))
        .select_from(Visit).join(SurveyInvitation, SurveyInvitation.visit_id == Visit.id)
        .join(SurveyResponse, SurveyResponse.invitation_id == SurveyInvitation.id, isouter=True)
        .where(*where)).one()
    # A customer who declined at the counter was offered the survey too (A-11 counts the
    # offer, recorded at the end of the visit), though no invitation was made.
    declined = session.execute(
        sa.select(sa.func.count()).select_from(Visit)
        .where(*where, Visit.survey_offer == SurveyOffer.DECLINED,
               ~sa.select(SurveyInvitation.id).where(SurveyInvitation.visit_id == Visit.id, reached)
               .correlate(Visit).exists())).scalar_one()
    return int(offered) + int(declined), int(respondents)


def survey_answers(session: Session, where: Sequence) -> dict[tuple[str, str, int | None], int]:
    """(question, choice, score) -> answers: 1-5 scores have choice '', driver toggles score 0/1."""
    query = (sa.select(SurveyAnswer.question, SurveyAnswer.choice, SurveyAnswer.score, sa.func.count())
             .select_from(SurveyAnswer)
             .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
             .join(Visit, Visit.id == SurveyResponse.visit_id)
             .where(*where, col(SurveyAnswer.score).is_not(None))
             .group_by(SurveyAnswer.question, SurveyAnswer.choice, SurveyAnswer.score))
    return {(q, c, s): int(n) for q, c, s, n in session.execute(query)}


def complaint_figures(session: Session, scope_where: Sequence, open_where: Sequence, start: date, end: date,
                      as_of: date) -> dict[str, int]:
    """Opened (received in the period), acknowledged, resolved; and open complaints whose next
    deadline falls in the period (due) or passed before ``as_of`` (overdue)."""
    opened = session.execute(sa.select(
        sa.func.count(), sa.func.count(sa.func.coalesce(Complaint.acknowledged_at, Complaint.resolved_at)),
        sa.func.count(Complaint.resolved_at)).where(*scope_where)).one()
    is_open = col(Complaint.state).in_(ComplaintState.OPEN)
    due, overdue = session.execute(sa.select(
        _flag(sa.and_(Complaint.next_due >= start, Complaint.next_due <= end)),
        _flag(Complaint.next_due < as_of)).where(*open_where, is_open)).one()
    return {"opened": int(opened[0]), "acknowledged": int(opened[1]), "resolved": int(opened[2]),
            "due": int(due or 0), "overdue": int(overdue or 0)}


def complaints_by_service(session: Session, scope_where: Sequence) -> dict[str | None, int]:
    query = sa.select(Complaint.service, sa.func.count()).where(*scope_where).group_by(Complaint.service)
    return {service: int(n) for service, n in session.execute(query)}
