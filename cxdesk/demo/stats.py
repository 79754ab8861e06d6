"""How real the demo database looks (``cxdesk demo --stats``): the realism figures computed
by SQL from the stored visits, set beside the SSA Inspector General's.

Read-only and demo-only (a report would live in ``cxdesk.reports``). Counts full
working days only: a day with someone still in line or at a window is still going on.
The figures mean what ``realism.realism_stats`` means for the simulation's records:
waits of everyone called (quick logs with 0, no-shows too), service minutes of the
visits served at a window (quick logs, with no service time, left out).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from cxdesk.demo.realism import SSA_FIGURES, SSA_SERVICE_MINUTES
from cxdesk.store.models import Visit
from cxdesk.vocab import VisitState

OPEN_STATES = (*VisitState.IN_LINE, *VisitState.AT_COUNTER)


@dataclass(frozen=True)
class ServiceMinutes:
    service: str
    visits: int
    mean_minutes: float


@dataclass(frozen=True)
class DemoStats:
    """The realism figures of one office's full working days."""

    days: int
    visits: int
    visits_per_day: float | None
    mean_wait_minutes: float | None
    p90_wait_minutes: float | None
    over_hour_share: float | None
    left_share: float | None
    left_waiting_share: float | None  # left from the line
    left_on_hold_share: float | None  # sent for a document, never came back
    no_show_share: float | None
    service_minutes: tuple[ServiceMinutes, ...]


def demo_stats(session: Session, office_id: uuid.UUID) -> DemoStats:
    """Three SQL queries over the office's full days: counts and shares, the 90th
    percentile wait (a window function), service minutes by service."""
    visit = Visit.__table__
    still_open = sa.func.sum(sa.case((visit.c.state.in_(OPEN_STATES), 1), else_=0))
    full_days = (sa.select(visit.c.day).where(visit.c.office_id == office_id)
                 .group_by(visit.c.day).having(still_open == 0))
    in_full_days = sa.and_(visit.c.office_id == office_id, visit.c.day.in_(full_days.scalar_subquery()))

    def share(condition):
        return sa.func.avg(sa.case((condition, 1.0), else_=0.0))

    left = visit.c.state == VisitState.LEFT
    row = session.execute(sa.select(
        sa.func.count(sa.distinct(visit.c.day)),
        sa.func.count(),
        sa.func.avg(visit.c.wait_seconds),
        sa.func.avg(sa.case((visit.c.wait_seconds.is_(None), None), else_=sa.case(
            (visit.c.wait_seconds > 3600, 1.0), else_=0.0))),
        share(left),
        share(sa.and_(left, visit.c.left_stage == VisitState.WAITING)),
        share(sa.and_(left, visit.c.left_stage == VisitState.ON_HOLD)),
        share(visit.c.state == VisitState.NO_SHOW),
    ).where(in_full_days)).one()
    days, visits = int(row[0]), int(row[1])

    # The 90th percentile as realism_stats takes it: the wait at rank ceil(0.9 n), counted
    # from the shortest. ceil is integer arithmetic here, the same in SQLite and PostgreSQL.
    ranked = sa.select(
        visit.c.wait_seconds.label("wait"),
        sa.func.row_number().over(order_by=visit.c.wait_seconds).label("rank"),
        sa.func.count().over().label("total"),
    ).where(in_full_days, visit.c.wait_seconds.is_not(None)).subquery()
    p90 = session.execute(sa.select(ranked.c.wait).where(
        ranked.c.rank == (9 * ranked.c.total + 9) // 10)).scalar()

    served_at_a_window = sa.and_(in_full_days, visit.c.state == VisitState.DONE, visit.c.service_seconds > 0)
    by_service = session.execute(
        sa.select(visit.c.service, sa.func.count(), sa.func.avg(visit.c.service_seconds))
        .where(served_at_a_window).group_by(visit.c.service).order_by(visit.c.service)).all()

    def minutes(seconds):
        return None if seconds is None else float(seconds) / 60

    def fraction(value):
        return None if value is None else float(value)

    return DemoStats(
        days=days, visits=visits, visits_per_day=visits / days if days else None,
        mean_wait_minutes=minutes(row[2]), p90_wait_minutes=minutes(p90),
        over_hour_share=fraction(row[3]), left_share=fraction(row[4]),
        left_waiting_share=fraction(row[5]), left_on_hold_share=fraction(row[6]),
        no_show_share=fraction(row[7]),
        service_minutes=tuple(ServiceMinutes(code, int(count), float(mean) / 60)
                              for code, count, mean in by_service),
    )


def _number(value: float | None, unit: str = "") -> str:
    return "—" if value is None else f"{value:.1f}{unit}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def stats_lines(stats: DemoStats, where: str) -> list[str]:
    """The figures as a plain-text table: the demo beside the SSA figures."""
    left = _percent(stats.left_share)
    if stats.left_share:
        left += f" ({_percent(stats.left_waiting_share)} from the line, {_percent(stats.left_on_hold_share)} on hold)"
    rows = [
        ("visits per working day", _number(stats.visits_per_day), SSA_FIGURES["visits_per_day"]),
        ("mean wait, minutes", _number(stats.mean_wait_minutes), SSA_FIGURES["mean_wait_minutes"]),
        ("90th percentile wait, minutes", _number(stats.p90_wait_minutes), SSA_FIGURES["p90_wait_minutes"]),
        ("waited over an hour", _percent(stats.over_hour_share), SSA_FIGURES["over_hour_share"]),
        ("left before service", left, SSA_FIGURES["left_share"]),
        ("no-shows", _percent(stats.no_show_share), SSA_FIGURES["no_show_share"]),
    ]
    rows += [(f"service minutes: {s.service}", f"{s.mean_minutes:.1f} (n={s.visits:,})",
              SSA_SERVICE_MINUTES.get(s.service, "")) for s in stats.service_minutes]
    first = max(len(name) for name, _, _ in rows)
    second = max(len("demo"), *(len(value) for _, value, _ in rows))
    lines = [f"Realism of {where}: {stats.visits:,} visits over {stats.days:,} full working days",
             "",
             f"{'figure':<{first}}  {'demo':<{second}}  SSA Inspector General",
             f"{'-' * first}  {'-' * second}  {'-' * 21}"]
    lines += [f"{name:<{first}}  {value:<{second}}  {ssa}".rstrip() for name, value, ssa in rows]
    return lines
