"""What the published customer service plan says (EO 12862 Sec. 3), gathered once: the
standards with this quarter's results and their benchmarks, how customers and staff are
surveyed, how to complain and the deadlines, and what the office will change next
because of what customers (survey report) and staff (barrier survey) said. Read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from cxdesk.clock import fiscal_quarter
from cxdesk.config import catalog_override_dir
from cxdesk.domain.barrier.survey import load_barrier_survey
from cxdesk.domain.complaints.settings import load_settings
from cxdesk.domain.surveys.questions import TRUST, load_question_set
from cxdesk.errors import CxdeskError
from cxdesk.reports.a11 import offices_in
from cxdesk.reports.barrier import barrier_report, periods_with_answers
from cxdesk.reports.scope import resolve_scope
from cxdesk.reports.standards import StandardResult, load_standards, measure_standards
from cxdesk.reports.survey_report import DriverFigure, SurveyReport, survey_report
from cxdesk.store.catalogs import load_data_file, toml_document
from cxdesk.vocab import LANGUAGES


@dataclass(frozen=True)
class PlanWords:
    """data/plan.toml: the driver names and the action the office takes on each (EN and ES)."""

    driver: dict[str, dict[str, str]]
    action: dict[str, dict[str, str]]


def load_plan_words() -> PlanWords:
    def parse(text: str, where: str, _source: str) -> PlanWords:
        document = toml_document(text, where)
        tables: dict[str, dict[str, dict[str, str]]] = {}
        for table in ("driver", "action"):
            entries: dict[str, dict[str, str]] = {}
            for key, value in document.get(table, {}).items():
                code, _, lang = key.rpartition("_")
                if lang not in LANGUAGES or not isinstance(value, str) or not value.strip():
                    raise CxdeskError(f"{where}: [{table}] {key} must be a text ending in _en or _es.")
                entries.setdefault(code, {})[lang] = value.strip()
            for code, words in entries.items():
                if set(words) != set(LANGUAGES):
                    raise CxdeskError(f"{where}: [{table}] {code} needs both English and Spanish.")
            tables[table] = entries
        return PlanWords(tables["driver"], tables["action"])

    return load_data_file("plan.toml", parse, catalog_override_dir())


@dataclass(frozen=True)
class BarrierFinding:
    category: str
    labels: dict[str, str]
    picks: int


@dataclass(frozen=True)
class Plan:
    office_code: str
    office_name: str
    today: date
    quarter_label: str  # the quarter the results are for (to date)
    standards: tuple[StandardResult, ...]
    survey: SurveyReport
    survey_titles: dict[str, str]
    trust_statements: dict[str, str]  # as asked, per language
    complaint_days: dict[str, int]  # acknowledge, frontline, investigation, max_extension
    barrier_period: dict[str, str] | None  # labels of the latest period with answers
    barrier_kind: str | None
    barrier_respondents: int
    barrier_findings: tuple[BarrierFinding, ...]
    changes: tuple[DriverFigure, ...]  # the survey's places to act
    words: PlanWords


def customer_plan(session: Session, today: date, office_code: str | None = None) -> Plan:
    offices = offices_in(session, office_code)
    if len(offices) > 1:
        raise CxdeskError("This database holds several offices; a plan is one office's: give --office CODE "
                          f"({', '.join(o.code for o in offices)}).")
    office = offices[0]
    fiscal_year, quarter = fiscal_quarter(today)
    scope = resolve_scope(session, office, "quarter", today)
    standards = tuple(measure_standards(session, office, scope, today, load_standards(session, office)))
    survey = survey_report(session, fiscal_year, quarter, office.code, comment_limit=0)
    question_set = load_question_set(office.survey_set)
    trust = question_set.question(TRUST)
    settings = load_settings(catalog_override_dir())
    periods = periods_with_answers(session, office)
    findings: tuple[BarrierFinding, ...] = ()
    period_labels = None
    kind = None
    respondents = 0
    if periods:
        barrier = barrier_report(session, office, periods[0])
        catalog = load_barrier_survey()
        respondents = barrier.respondents
        period_labels = {lang: periods[0].label(lang) for lang in LANGUAGES}
        kind = periods[0].kind
        findings = tuple(BarrierFinding(c.category, catalog.category(c.category).labels, c.picks)
                         for c in barrier.categories if c.picks)[:3]
    return Plan(
        office.code, office.name, today, f"FY{fiscal_year}Q{quarter}", standards, survey,
        dict(question_set.titles),
        {lang: question_set.wording(trust, lang, service=None) for lang in LANGUAGES},
        {"acknowledge": settings.acknowledge, "frontline": settings.frontline,
         "investigation": settings.investigation, "max_extension": settings.max_extension},
        period_labels, kind, respondents, findings, survey.places_to_act, load_plan_words())
