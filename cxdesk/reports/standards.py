"""Service standards as the office posts them, with their history and benchmarks, and
each standard's result for a period, measured against the version in force on
each day of it (EO 12862 1(c), 1(d)). Read-only.
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cxdesk.domain.standards import MEASURES, default_standards, unit_of
from cxdesk.domain.workdays import add_working_days
from cxdesk.reports.scope import Scope
from cxdesk.reports.sqlstats import as_date, by_position, local_date
from cxdesk.store.models import (
    Benchmark,
    Complaint,
    Office,
    ServiceStandard,
    Staff,
    StandardVersion,
    SurveyAnswer,
    SurveyResponse,
    Visit,
    bound,
)
from cxdesk.vocab import VisitState

# Without a waiting-time standard in force the counter flags waits past an hour.
FALLBACK_LONG_WAIT_MINUTES = 60
MET, MISSED, NO_DATA = "met", "missed", "no data"
MARKS = {MET: "✔ MET", MISSED: "✖ MISSED", NO_DATA: "– NO DATA"}


@dataclass(frozen=True)
class VersionView:
    """One version of a standard; ``effective_from`` None is the built-in default."""

    id: uuid.UUID | None
    effective_from: date | None
    retired: bool
    threshold: int | None
    service: str | None
    question: str | None
    scale: str | None
    target: float
    wording_en: str
    wording_es: str
    note: str = ""
    created_at: datetime | None = None
    created_by: str | None = None  # staff code

    def wording(self, lang: str = "en") -> str:
        return self.wording_es if lang == "es" else self.wording_en


@dataclass(frozen=True)
class BenchmarkView:
    id: uuid.UUID
    value: float
    source: str
    as_of: date
    note: str
    retired: bool


@dataclass(frozen=True)
class StandardView:
    """A standard with every version (oldest first) and its benchmarks (newest first)."""

    code: str
    measure: str
    position: int
    versions: tuple[VersionView, ...]
    benchmarks: tuple[BenchmarkView, ...] = ()

    def version_on(self, day: date) -> VersionView | None:
        """The version in force on ``day`` (None before the first or after retirement)."""
        found = None
        for version in self.versions:
            if version.effective_from is None or version.effective_from <= day:
                found = version
        return None if found is None or found.retired else found

    def segments(self, start: date, end: date) -> list[tuple[VersionView, date, date]]:
        """(version, first day, last day) for each version in force within start..end."""
        out = []
        for index, version in enumerate(self.versions):
            begins = version.effective_from or date.min
            following = self.versions[index + 1].effective_from if index + 1 < len(self.versions) else None
            ends = following - timedelta(days=1) if following else date.max
            lo, hi = max(begins, start), min(ends, end)
            if lo <= hi and not version.retired:
                out.append((version, lo, hi))
        return out

    @property
    def lower_is_better(self) -> bool:
        return MEASURES[self.measure].lower_is_better

    def unit(self, version: VersionView) -> str:
        return unit_of(self.measure, version.scale)

    def describe(self, version: VersionView) -> str:
        return MEASURES[self.measure].describe(version.threshold, version.service, version.question,
                                               version.scale)

    def best_benchmark(self, on: date) -> BenchmarkView | None:
        """The best benchmark published by ``on`` (EO 12862 1(d): the best in business)."""
        known = [b for b in self.benchmarks if not b.retired and b.as_of <= on]
        if not known:
            return None
        pick = min if self.lower_is_better else max
        return pick(known, key=lambda b: (b.value, b.as_of))


def load_standards(session: Session, office: Office) -> list[StandardView]:
    """Every standard of the office, with history; the built-in defaults if none was changed.

    Read as plain columns, not table objects: every summary, lobby refresh and plan reads them."""
    standards = session.execute(
        select(ServiceStandard.id, ServiceStandard.code, ServiceStandard.measure, ServiceStandard.position)
        .where(ServiceStandard.office_id == office.id)
        .order_by(ServiceStandard.position, ServiceStandard.code)).all()
    if not standards:
        return [StandardView(d.code, d.draft.measure, d.position, (VersionView(
            None, None, False, d.draft.threshold, d.draft.service, d.draft.question, d.draft.scale,
            float(d.draft.target), d.draft.wording_en, d.draft.wording_es, "Built-in default."),))
            for d in default_standards()]
    ids = [s.id for s in standards]
    versions: dict[uuid.UUID, list[VersionView]] = defaultdict(list)
    v = StandardVersion
    for row in session.execute(
        select(v.standard_id, v.id, v.effective_from, v.retired, v.threshold, v.service, v.question, v.scale,
               v.target, v.wording_en, v.wording_es, v.note, v.created_at, Staff.code)
        .join(Staff, Staff.id == v.created_by, isouter=True)
        .where(col(v.standard_id).in_(ids))
        .order_by(v.effective_from, v.created_at)
    ):
        versions[row[0]].append(VersionView(*row[1:]))
    benchmarks: dict[uuid.UUID, list[BenchmarkView]] = defaultdict(list)
    b = Benchmark
    for row in session.execute(
        select(b.standard_id, b.id, b.value, b.source, b.as_of, b.note, b.retired_at)
        .where(col(b.standard_id).in_(ids))
        .order_by(col(b.as_of).desc(), col(b.created_at).desc())
    ):
        benchmarks[row[0]].append(BenchmarkView(*row[1:6], row[6] is not None))
    return [StandardView(s.code, s.measure, s.position, tuple(versions[s.id]), tuple(benchmarks[s.id]))
            for s in standards]


def standard_history(session: Session, office: Office, code: str) -> StandardView:
    for view in load_standards(session, office):
        if view.code == code:
            return view
    from cxdesk.errors import CxdeskError

    raise CxdeskError(f"No standard '{code}' in this office.")


def long_wait_minutes(session: Session, office: Office, day: date) -> int:
    """After how many minutes of waiting the counter marks a customer ⚠ LONG: the
    strictest waiting-time standard in force on ``day`` (an hour if there is none).

    Read on every counter refresh, so it asks only for waiting-time versions."""
    any_standard, versions = _long_wait_queries()
    if session.execute(any_standard, {"office": office.id}).first() is None:
        thresholds = [d.draft.threshold for d in default_standards() if d.draft.measure == "wait_within"]
    else:
        # The columns it needs, not the versions as objects: read on every counter refresh.
        in_force: dict[uuid.UUID, tuple] = {}
        for version in session.execute(versions, {"office": office.id, "day": day}):
            in_force[version.standard_id] = version
        thresholds = [v.threshold for v in in_force.values() if not v.retired and v.threshold]
    return min(thresholds, default=FALLBACK_LONG_WAIT_MINUTES)


@functools.cache
def _long_wait_queries():
    """(any standard in the office?, its waiting-time versions up to a day): built once,
    over bind parameters, as they are read on every counter refresh."""
    office, day = bound("office", ServiceStandard.office_id), bound("day", StandardVersion.effective_from)
    return (
        select(ServiceStandard.id).where(ServiceStandard.office_id == office).limit(1),
        select(StandardVersion.standard_id, StandardVersion.threshold, StandardVersion.retired)
        .join(ServiceStandard, ServiceStandard.id == StandardVersion.standard_id)
        .where(ServiceStandard.office_id == office, ServiceStandard.measure == "wait_within",
               StandardVersion.effective_from <= day)
        .order_by(StandardVersion.effective_from, StandardVersion.created_at),
    )


# --- results for a period -----------------------------------------------------------------------


@dataclass(frozen=True)
class StandardResult:
    """One standard over (part of) a period, against the version in force then."""

    code: str
    measure: str
    description: str
    wording_en: str
    wording_es: str
    start: date
    end: date
    effective_from: date | None
    target: float
    unit: str  # "%" | "points"
    lower_is_better: bool
    measured: int  # visits, answers or complaints judged
    within: int | None  # how many met the promise (None for a point scale)
    value: float | None
    pending: int = 0  # complaints still inside their window: not judged yet
    benchmark: BenchmarkView | None = None

    @property
    def status(self) -> str:
        if self.value is None:
            return NO_DATA
        ok = self.value <= self.target if self.lower_is_better else self.value >= self.target
        return MET if ok else MISSED

    @property
    def mark(self) -> str:
        """Met or missed in words and a symbol, never colour alone."""
        return MARKS[self.status]

    @property
    def gap_to_benchmark(self) -> float | None:
        """Result minus benchmark, in the result's unit (for 'lower is better', below is ahead)."""
        if self.value is None or self.benchmark is None:
            return None
        return round(self.value - self.benchmark.value, 2)

    def show(self, value: float | None) -> str:
        if value is None:
            return "–"
        return f"{value:.2f} points" if self.unit == "points" else f"{value:.1f}%"

    @property
    def target_text(self) -> str:
        return ("at most " if self.lower_is_better else "at least ") + self.show(self.target)

    @property
    def benchmark_text(self) -> str:
        """'3.5 pts behind Peer office (…)' in words, or 'no benchmark'."""
        if self.benchmark is None:
            return "no benchmark"
        gap = self.gap_to_benchmark
        if gap is None:
            return f"benchmark {self.show(self.benchmark.value)} ({self.benchmark.source})"
        unit = " points" if self.unit == "points" else " pp"
        ahead = gap < 0 if self.lower_is_better else gap > 0
        if gap == 0:
            words = "level with"
        else:
            words = f"{abs(gap):.2f}{unit} {'ahead of' if ahead else 'behind'}"
        return f"{words} {self.benchmark.source} ({self.show(self.benchmark.value)})"


def _share(within: int, measured: int) -> float | None:
    return round(100.0 * within / measured, 1) if measured else None


def segment_starts(standards: Sequence[StandardView], scope: Scope) -> list[date]:
    """The first day of each part of the scope in which the same versions are in force:
    [scope.start] when no version changes inside it."""
    firsts = {lo for s in standards for _v, lo, _hi in s.segments(scope.start, scope.end)}
    return sorted(d for d in firsts | {scope.start} if scope.start <= d <= scope.end)


def segment_of(starts: list[date], day_column):
    """SQL: the index in ``starts`` of the part a day falls in."""
    if len(starts) == 1:
        return sa.literal(0)
    return sa.case(*[(day_column < start, index) for index, start in enumerate(starts[1:])],
                   else_=len(starts) - 1)


def measure_standards(session: Session, office: Office, scope: Scope, today: date,
                      standards: Sequence[StandardView] | None = None,
                      answers: dict[tuple[int, str, str, int | None], int] | None = None) -> list[StandardResult]:
    """Each standard in force during the scope, per version: a few grouped SQL queries
    (visits, survey answers, complaints) split by the days versions changed.

    ``answers`` ((segment, question, choice, score) -> count, segments numbered as
    ``segment_starts`` gives them) saves the survey query (the summary has them)."""
    standards = load_standards(session, office) if standards is None else standards
    pieces = [(s, v, lo, hi) for s in standards for v, lo, hi in s.segments(scope.start, scope.end)]
    if not pieces:
        return []
    starts = segment_starts(standards, scope)

    def segments_in(lo: date, hi: date) -> list[int]:
        return [i for i, s in enumerate(starts) if lo <= s <= hi]

    visit_counts = _visit_counts(session, scope, pieces, segment_of(starts, Visit.day), len(starts))
    if answers is not None:
        survey_counts = {(seg, question, score): n for (seg, question, choice, score), n in answers.items()
                         if choice == ""}
    else:
        survey_counts = _survey_counts(session, scope, pieces, segment_of(starts, Visit.day))
    complaint_rows = _complaint_rows(session, office, scope, pieces, segment_of(starts, Complaint.day), today)

    def total_in(segs: list[int], key) -> int:
        return sum(visit_counts.get((seg, key), 0) for seg in segs)

    results = []
    for standard, version, lo, hi in pieces:
        segs = segments_in(lo, hi)
        total = functools.partial(total_in, segs)

        measured, within, value, pending = 0, None, None, 0
        m = standard.measure
        if m == "wait_within":
            measured, within = total("called"), total(("wait", version.threshold))
        elif m == "service_within":
            measured = total(("done_of", version.service))
            within = total(("service", version.service, version.threshold))
        elif m == "first_visit":
            measured, within = total("done"), total("resolved")
        elif m == "left_unserved":
            measured, within = total("arrivals"), total("left")
        elif m == "survey_driver":
            counts = [sum(survey_counts.get((seg, version.question, k), 0) for seg in segs) for k in range(1, 6)]
            measured = sum(counts)
            if version.scale == "points":
                value = round(sum(k * c for k, c in zip(range(1, 6), counts)) / measured, 2) if measured else None
            else:
                within = counts[3] + counts[4]
        elif m in ("complaint_ack", "complaint_resolved"):
            within = 0
            for seg, received, acked, resolved, n in complaint_rows:
                if seg not in segs:
                    continue
                done_day = acked if m == "complaint_ack" else resolved
                deadline = add_working_days(received, version.threshold)
                if done_day is None and today <= deadline:
                    pending += n
                    continue
                measured += n
                if done_day is not None and done_day <= deadline:
                    within += n
        if value is None and within is not None:
            value = _share(within, measured)
        results.append(StandardResult(
            standard.code, m, standard.describe(version), version.wording_en, version.wording_es, lo, hi,
            version.effective_from, version.target, standard.unit(version), standard.lower_is_better,
            measured, within, value, pending, standard.best_benchmark(hi)))
    return results


def _visit_counts(session, scope: Scope, pieces, segment, segments: int) -> dict:
    measures = {s.measure for s, *_ in pieces}
    if not measures & {"wait_within", "service_within", "first_visit", "left_unserved"}:
        return {}
    done = Visit.state == VisitState.DONE
    columns: dict = {
        "arrivals": sa.func.count(),
        "left": sa.func.sum(sa.case((col(Visit.state).in_((VisitState.LEFT, VisitState.NO_SHOW)), 1), else_=0)),
        "called": sa.func.count(Visit.wait_seconds),
        "done": sa.func.sum(sa.case((done, 1), else_=0)),
        "resolved": sa.func.sum(sa.case((sa.and_(done, Visit.outcome == "resolved"), 1), else_=0)),
    }
    for standard, version, *_ in pieces:
        if standard.measure == "wait_within":
            columns[("wait", version.threshold)] = sa.func.sum(
                sa.case((Visit.wait_seconds <= version.threshold * 60, 1), else_=0))
        elif standard.measure == "service_within":
            of_service = sa.and_(done, Visit.service == version.service)
            columns[("done_of", version.service)] = sa.func.sum(sa.case((of_service, 1), else_=0))
            columns[("service", version.service, version.threshold)] = sa.func.sum(
                sa.case((sa.and_(of_service, Visit.service_seconds <= version.threshold * 60), 1), else_=0))
    keys = list(columns)
    query = sa.select(segment.label("seg"), *columns.values()).where(*scope.visits())
    if segments > 1:  # grouping by a constant would still sort every visit
        query = query.group_by(*by_position(1))
    out = {}
    for row in session.execute(query):
        for key, value in zip(keys, row[1:]):
            out[(row[0], key)] = int(value or 0)
    return out


def _survey_counts(session, scope: Scope, pieces, segment) -> dict:
    questions = sorted({v.question for s, v, *_ in pieces if s.measure == "survey_driver" and v.question})
    if not questions:
        return {}
    query = (
        sa.select(segment, SurveyAnswer.question, SurveyAnswer.score, sa.func.count())
        .select_from(SurveyAnswer)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(Visit, Visit.id == SurveyResponse.visit_id)
        .where(*scope.visits(), col(SurveyAnswer.question).in_(questions), SurveyAnswer.choice == "",
               col(SurveyAnswer.score).is_not(None))
        .group_by(*by_position(3)))
    return {(seg, q, score): int(n) for seg, q, score, n in session.execute(query)}


def _complaint_rows(session, office: Office, scope: Scope, pieces, segment, today: date) -> list:
    """(segment, received day, acknowledged day, resolved day, count): a small grouped
    histogram of complaints, so working days are counted per distinct day, not per row."""
    if not {s.measure for s, *_ in pieces} & {"complaint_ack", "complaint_resolved"}:
        return []
    zone = office.zone
    # An answer that resolves the complaint acknowledges it too.
    acked = local_date(session, sa.func.coalesce(Complaint.acknowledged_at, Complaint.resolved_at),
                       zone, scope.start, today)
    resolved = local_date(session, Complaint.resolved_at, zone, scope.start, today)
    query = (sa.select(segment, Complaint.day, acked, resolved, sa.func.count())
             .where(*scope.complaints()).group_by(*by_position(4)))
    return [(seg, as_date(day), as_date(a), as_date(r), int(n)) for seg, day, a, r, n in session.execute(query)]
