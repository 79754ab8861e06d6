"""Headquarters' quarter: every office side by side and the national figures, computed in
SQL on the central database (read-only).

Per office: visits, customers served, median and 90th-percentile wait, survey
volumes (offered, respondents, response rate) and trust (mean of the 1-5 trust
question, % agree), complaints received and overdue, and the channels customers
said they prefer (EO 12862 1(f)).

Later features add columns through ``SECTIONS``: a function that returns a
``Section`` of per-office and national cells, shown after the built-in
columns, with its charts and notes. Here: the service standards met (EO 12862
1(c)), each office measured against its own standards in force, and the
barrier categories staff picked (1(e)) where at least 3 people answered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from cxdesk.vocab import ComplaintState, SurveyStatus, VisitState


@dataclass(frozen=True)
class OfficeFigures:
    code: str
    name: str
    visits: int = 0
    served: int = 0
    median_wait_min: float | None = None
    p90_wait_min: float | None = None
    offered: int = 0
    respondents: int = 0
    trust_answers: int = 0
    trust_mean: float | None = None
    trust_agree_pct: float | None = None
    complaints: int = 0
    complaints_overdue: int = 0
    preferred: tuple[tuple[str, int], ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def response_rate(self) -> float | None:
        return 100.0 * self.respondents / self.offered if self.offered else None

    @property
    def top_channel(self) -> str:
        return self.preferred[0][0] if self.preferred else ""


@dataclass(frozen=True)
class Chart:
    """A bar chart of a section: (label, value) bars, highest first, every bar with its number."""

    title: str
    bars: tuple[tuple[str, float], ...]
    unit: str = ""
    note: str = ""


@dataclass(frozen=True)
class Section:
    """Columns a later feature adds: cells per office code, and the national cells."""

    columns: tuple[str, ...]
    by_office: dict[str, tuple[str, ...]]
    national: tuple[str, ...]
    charts: tuple[Chart, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class HqReport:
    quarter: str
    start: date
    end: date
    as_of: date
    national: OfficeFigures
    offices: tuple[OfficeFigures, ...]
    extra_columns: tuple[str, ...] = ()
    charts: tuple[Chart, ...] = ()
    notes: tuple[str, ...] = ()


SectionMaker = Callable[[Session, date, date, date], Section]
# Standards met, barrier categories and later sections register here.
SECTIONS: list[SectionMaker] = []

_NATIONAL = "__national__"


def quarter_report(session: Session, quarter: str, start: date, end: date, as_of: date) -> HqReport:
    params = {"start": start, "end": end, "as_of": as_of}
    offices = {code: {"code": code, "name": name} for code, name in
               session.execute(sa.text("SELECT code, name FROM office ORDER BY code"))}
    national: dict = {"code": "ALL", "name": f"National ({len(offices)} offices)"}
    by_id = dict(session.execute(sa.text("SELECT id, code FROM office")).all())

    def put(rows, names):
        for row in rows:
            key, values = row[0], row[1:]
            target = national if key is None or key == _NATIONAL else offices.get(by_id.get(key, key))
            if target is not None:
                target.update({name: value for name, value in zip(names, values) if value is not None})

    visits = ("SELECT {key}, count(*), sum(CASE WHEN state = :done THEN 1 ELSE 0 END) FROM visit "
              "WHERE day >= :start AND day <= :end {group}")
    p = params | {"done": VisitState.DONE}
    put(session.execute(sa.text(visits.format(key="office_id", group="GROUP BY office_id")), p), ("visits", "served"))
    put(session.execute(sa.text(visits.format(key="NULL", group="")), p), ("visits", "served"))

    put(_waits(session, params, grouped=True), ("median_wait_min", "p90_wait_min"))
    put(_waits(session, params, grouped=False), ("median_wait_min", "p90_wait_min"))

    offered = ("SELECT {key}, count(DISTINCT i.visit_id) FROM surveyinvitation i JOIN visit v ON v.id = i.visit_id "
               "WHERE v.day >= :start AND v.day <= :end AND i.status NOT IN (:pending, :expired) {group}")
    p = params | {"pending": SurveyStatus.PENDING, "expired": SurveyStatus.EXPIRED}
    put(session.execute(sa.text(offered.format(key="v.office_id", group="GROUP BY v.office_id")), p), ("offered",))
    put(session.execute(sa.text(offered.format(key="NULL", group="")), p), ("offered",))

    answers = ("SELECT {key}, count(DISTINCT r.id), count(a.score), avg(a.score * 1.0), "
               "100.0 * sum(CASE WHEN a.score >= 4 THEN 1 ELSE 0 END) / nullif(count(a.score), 0) "
               "FROM surveyresponse r JOIN visit v ON v.id = r.visit_id "
               "LEFT JOIN surveyanswer a ON a.response_id = r.id AND a.question = 'trust' AND a.choice = '' "
               "WHERE v.day >= :start AND v.day <= :end {group}")
    names = ("respondents", "trust_answers", "trust_mean", "trust_agree_pct")
    put(session.execute(sa.text(answers.format(key="v.office_id", group="GROUP BY v.office_id")), params), names)
    put(session.execute(sa.text(answers.format(key="NULL", group="")), params), names)

    complaints = ("SELECT {key}, sum(CASE WHEN day >= :start AND day <= :end THEN 1 ELSE 0 END), "
                  "sum(CASE WHEN state IN :open AND next_due < :as_of THEN 1 ELSE 0 END) FROM complaint "
                  "WHERE day <= :as_of {group}")
    statement = sa.text(complaints.format(key="office_id", group="GROUP BY office_id")).bindparams(
        sa.bindparam("open", expanding=True))
    p = params | {"open": list(ComplaintState.OPEN)}
    put(session.execute(statement, p), ("complaints", "complaints_overdue"))
    statement = sa.text(complaints.format(key="NULL", group="")).bindparams(sa.bindparam("open", expanding=True))
    put(session.execute(statement, p), ("complaints", "complaints_overdue"))

    preferred: dict[str, list] = {}
    channel_rows = session.execute(sa.text(
        "SELECT office_id, preferred_channel, count(*) FROM visit WHERE day >= :start AND day <= :end "
        "AND preferred_channel IS NOT NULL GROUP BY office_id, preferred_channel"), params)
    totals: dict[str, int] = {}
    for office_id, channel, count in channel_rows:
        code = by_id.get(office_id)
        preferred.setdefault(code, []).append((channel, int(count)))
        totals[channel] = totals.get(channel, 0) + int(count)
    for code, values in preferred.items():
        if code in offices:
            offices[code]["preferred"] = tuple(sorted(values, key=lambda item: (-item[1], item[0])))
    national["preferred"] = tuple(sorted(totals.items(), key=lambda item: (-item[1], item[0])))

    extra_columns: list[str] = []
    charts: list[Chart] = []
    notes: list[str] = []
    for make in SECTIONS:
        section = make(session, start, end, as_of)
        extra_columns.extend(section.columns)
        charts.extend(section.charts)
        notes.extend(section.notes)
        for code, cells in section.by_office.items():
            if code in offices:
                offices[code].setdefault("extra", {}).update(zip(section.columns, cells))
        national.setdefault("extra", {}).update(zip(section.columns, section.national))

    return HqReport(quarter, start, end, as_of, _figures(national),
                    tuple(_figures(values) for values in offices.values()), tuple(extra_columns), tuple(charts),
                    tuple(notes))


def _figures(values: dict) -> OfficeFigures:
    floats = ("median_wait_min", "p90_wait_min", "trust_mean", "trust_agree_pct")
    ints = ("visits", "served", "offered", "respondents", "trust_answers", "complaints", "complaints_overdue")
    clean = dict(values)
    for name in floats:
        if clean.get(name) is not None:
            clean[name] = round(float(clean[name]), 2)
    for name in ints:
        if clean.get(name) is not None:
            clean[name] = int(clean[name])
    return OfficeFigures(**clean)


def _waits(session: Session, params: dict, grouped: bool):
    """Median and 90th percentile of the wait (minutes) of customers called, per office or national."""
    key, group = ("office_id", "GROUP BY office_id") if grouped else ("NULL", "")
    where = "day >= :start AND day <= :end AND wait_seconds IS NOT NULL"
    if session.get_bind().dialect.name == "postgresql":
        return session.execute(sa.text(
            f"SELECT {key}, percentile_cont(0.5) WITHIN GROUP (ORDER BY wait_seconds) / 60.0, "
            f"percentile_cont(0.9) WITHIN GROUP (ORDER BY wait_seconds) / 60.0 FROM visit WHERE {where} {group}"),
            params).all()
    # SQLite has no percentile function: the nearest rank, from window functions.
    partition = "PARTITION BY office_id" if grouped else ""
    return session.execute(sa.text(
        f"WITH ranked AS (SELECT {key} AS k, wait_seconds, "
        f"row_number() OVER ({partition} ORDER BY wait_seconds) AS r, count(*) OVER ({partition}) AS n "
        f"FROM visit WHERE {where}) "
        "SELECT k, min(CASE WHEN r >= 0.5 * n THEN wait_seconds END) / 60.0, "
        "min(CASE WHEN r >= 0.9 * n THEN wait_seconds END) / 60.0 FROM ranked GROUP BY k"), params).all()


# --- plain renderings (the HTML is in cxdesk.publish.hq_report, the CSV in cxdesk.exchange.hq_csv) ----

COLUMNS = ("office", "name", "visits", "served", "median_wait_min", "p90_wait_min", "offered", "respondents",
           "response_rate_pct", "trust_mean", "trust_agree_pct", "complaints", "complaints_overdue",
           "top_preferred_channel")


def rows(report: HqReport) -> list[dict]:
    """One record per line: the nation first, then each office."""
    records = []
    for figures in (report.national, *report.offices):
        record = {
            "office": figures.code, "name": figures.name, "visits": figures.visits, "served": figures.served,
            "median_wait_min": figures.median_wait_min, "p90_wait_min": figures.p90_wait_min,
            "offered": figures.offered, "respondents": figures.respondents,
            "response_rate_pct": None if figures.response_rate is None else round(figures.response_rate, 1),
            "trust_mean": figures.trust_mean, "trust_agree_pct": figures.trust_agree_pct,
            "complaints": figures.complaints, "complaints_overdue": figures.complaints_overdue,
            "top_preferred_channel": figures.top_channel,
        }
        record.update(figures.extra)
        records.append(record)
    return records


def as_text(report: HqReport) -> str:
    def show(value, digits=1) -> str:
        if value is None:
            return "—"
        return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"

    lines = [f"Headquarters report {report.quarter} ({report.start:%d %b %Y} to {report.end:%d %b %Y}; "
             f"complaints as of {report.as_of:%d %b %Y})", ""]
    head = (f"{'OFFICE':<9} {'VISITS':>9} {'SERVED':>9} {'WAIT p50':>9} {'WAIT p90':>9} {'OFFERED':>8} "
            f"{'ANSWERED':>8} {'RATE %':>7} {'TRUST':>6} {'AGREE %':>8} {'COMPL.':>7} {'OVERDUE':>8}  CHANNEL")
    lines.append(head + "".join(f"  {column.upper()}" for column in report.extra_columns))
    for index, figures in enumerate((report.national, *report.offices)):
        line = (f"{figures.code:<9} {show(figures.visits):>9} {show(figures.served):>9} "
                f"{show(figures.median_wait_min):>9} {show(figures.p90_wait_min):>9} {show(figures.offered):>8} "
                f"{show(figures.respondents):>8} {show(figures.response_rate):>7} {show(figures.trust_mean, 2):>6} "
                f"{show(figures.trust_agree_pct):>8} {show(figures.complaints):>7} "
                f"{show(figures.complaints_overdue):>8}  {figures.top_channel or '—'}")
        lines.append(line + "".join(f"  {figures.extra.get(column) or '—'}" for column in report.extra_columns))
        if index == 0:
            lines.append("")
    lines.append("")
    lines.append("Waits in minutes (customers called); trust: the 1-5 trust question, % agree = 4 or 5.")
    lines.extend(report.notes)
    return "\n".join(lines) + "\n"


# --- sections: standards met, barrier categories ---------------------------------------------

STANDARDS_COLUMNS = ("standards_met", "standards_missed")


def standards_section(session: Session, start: date, end: date, as_of: date) -> Section:
    """Per office, its standards (each version in force in the quarter) met of those with data,
    and which it missed; nationally, the totals and the standards missed by most offices."""
    from sqlmodel import select

    from cxdesk.reports.scope import Scope
    from cxdesk.reports.standards import MET, MISSED, measure_standards
    from cxdesk.store.models import Office

    by_office: dict[str, tuple[str, ...]] = {}
    met_total = judged_total = 0
    missed_by: dict[str, int] = {}
    shares: list[tuple[str, float]] = []
    for office in session.exec(select(Office).order_by(Office.code)):
        scope = Scope("quarter", start, end, f"{start}..{end}", office.id)
        results = measure_standards(session, office, scope, as_of)
        met = sum(result.status == MET for result in results)
        judged = sum(result.status in (MET, MISSED) for result in results)
        missed = sorted({result.code for result in results if result.status == MISSED})
        for code in missed:
            missed_by[code] = missed_by.get(code, 0) + 1
        met_total, judged_total = met_total + met, judged_total + judged
        by_office[office.code] = (f"{met}/{judged}" if judged else "", " ".join(missed) or "none")
        if judged:
            shares.append((office.code, round(100.0 * met / judged, 1)))
    most_missed = sorted(missed_by.items(), key=lambda item: (-item[1], item[0]))
    national = (f"{met_total}/{judged_total}" if judged_total else "",
                " ".join(f"{code}:{n}" for code, n in most_missed[:5]) or "none")
    chart = Chart("Service standards met by office (% of standards with data)",
                  tuple(sorted(shares, key=lambda item: -item[1])), "%")
    note = ("Standards: each office against its own standards in force in the quarter (a standard changed "
            "in the quarter counts once per version); met/with data. Nationally, missed: the standards "
            "missed and by how many offices.")
    return Section(STANDARDS_COLUMNS, by_office, national, (chart,), (note,))


BARRIER_COLUMNS = ("barrier_answers", "barrier_top_categories")
TOP_CATEGORIES = 3


def barrier_periods_within(start: date, end: date) -> list[str]:
    """The barrier survey periods (months, fiscal quarters) that lie wholly in start..end."""
    from cxdesk.domain.barrier.periods import MONTH, QUARTER, period_of

    codes = []
    for kind in (MONTH, QUARTER):
        period = period_of(kind, start)
        while period.start <= end:
            if start <= period.start and period.end <= end:
                codes.append(period.code)
            period = period.next()
    return codes


def barrier_section(session: Session, start: date, end: date, as_of: date) -> Section:
    """The barrier categories staff picked (EO 12862 1(e)), per office and nationally.

    Anonymous at headquarters as at the office: an office's answers of a period count
    only where at least MIN_GROUP people answered in that period; every other figure
    (the office's cells, the national ones) is a sum of such groups only, so no figure
    can be taken from another to reveal a smaller group. The rule is applied here again
    although offices send no smaller group (and ingest refuses one)."""
    from cxdesk.domain.barrier.answers import MIN_GROUP
    from cxdesk.reports.barrier import WITHHELD

    codes = barrier_periods_within(start, end)
    codes_sql = sa.bindparam("codes", expanding=True)
    groups = ("WITH shown AS (SELECT office_id, period FROM barrieranswer WHERE period IN :codes "
              "GROUP BY office_id, period HAVING count(*) >= :least) ")
    answers = session.execute(sa.text(
        groups + "SELECT a.office_id, count(*) FROM barrieranswer a JOIN shown g "
        "ON g.office_id = a.office_id AND g.period = a.period GROUP BY a.office_id").bindparams(codes_sql),
        {"codes": codes or [""], "least": MIN_GROUP}).all()
    picks = session.execute(sa.text(
        groups + "SELECT a.office_id, p.category, count(*) FROM barrierpick p "
        "JOIN barrieranswer a ON a.id = p.answer_id JOIN shown g ON g.office_id = a.office_id "
        "AND g.period = a.period GROUP BY a.office_id, p.category").bindparams(codes_sql),
        {"codes": codes or [""], "least": MIN_GROUP}).all()
    anything = session.execute(sa.text(
        "SELECT DISTINCT office_id FROM barrieranswer WHERE period IN :codes").bindparams(codes_sql),
        {"codes": codes or [""]}).scalars().all()
    by_id = dict(session.execute(sa.text("SELECT id, code FROM office")).all())
    counted = {by_id.get(office_id): int(n) for office_id, n in answers}
    categories: dict[str, dict[str, int]] = {}
    nation: dict[str, int] = {}
    for office_id, category, n in picks:
        code = by_id.get(office_id)
        categories.setdefault(code, {})[category] = int(n)
        nation[category] = nation.get(category, 0) + int(n)

    def top(counts: dict[str, int]) -> str:
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_CATEGORIES]
        return " ".join(f"{category}:{n}" for category, n in ranked) or "none picked"

    by_office: dict[str, tuple[str, ...]] = {}
    for office_id in anything:
        code = by_id.get(office_id)
        if code not in counted:
            by_office[code] = ("", WITHHELD)
    for code, n in counted.items():
        by_office[code] = (f"{n:,}", top(categories.get(code, {})))
    total = sum(counted.values())
    national = (f"{total:,}", top(nation)) if total else ("", WITHHELD if anything else "no answers")
    chart = Chart("Barriers staff picked most, nationally (EO 12862 1(e))",
                  tuple(sorted(((c, float(n)) for c, n in nation.items()), key=lambda item: (-item[1], item[0]))),
                  "picks", f"From {total:,} answers in periods at least {MIN_GROUP} people of an office answered.")
    note = (f"Barrier survey: answers of the months and quarters within the report, counted only where at "
            f"least {MIN_GROUP} people of an office answered in a period (anything smaller reads "
            f"\"{WITHHELD}\" and is left out of the national figures too); categories most picked first.")
    return Section(BARRIER_COLUMNS, by_office, national, (chart,), (note,))


SECTIONS.extend((standards_section, barrier_section))
