"""Service standards (EO 12862 1(c)) and their benchmarks (1(d)): what each measure
means, the defaults in data/standards.toml, and the supervisor's changes.

A change never edits a version: it adds one that takes effect on a day (today
or later), so a past period keeps the standard it was measured against. The
built-in defaults apply until the first change; that change first records
them as the office's own versions, in force since the office opened.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from cxdesk.config import catalog_override_dir
from cxdesk.domain import audit
from cxdesk.domain.roles import acting_supervisor
from cxdesk.errors import CxdeskError
from cxdesk.store.catalogs import load_data_file, office_catalog, toml_document
from cxdesk.store.models import Benchmark, Office, ServiceStandard, Staff, StandardVersion
from cxdesk.text import clean_block, clean_line

WORDING_LIMIT = 300
NOTE_LIMIT = 500
SOURCE_LIMIT = 200
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class Measure:
    """What a standard measures: its unit, which way is better, what it needs."""

    code: str
    label: str
    threshold_unit: str | None = None  # "minutes" | "working days" | None
    needs_service: bool = False
    needs_question: bool = False
    lower_is_better: bool = False

    def describe(self, threshold: int | None, service: str | None = None, question: str | None = None,
                 scale: str | None = None) -> str:
        """The measure in a supervisor's words: 'Waiting time within 20 minutes'."""
        text = self.label
        if self.needs_service and service:
            services = office_catalog("services")
            text += f": {services.get(service).label() if service in services else service}"
        if self.needs_question and question:
            text += f": {question}, " + ("% agree (4-5)" if scale == "agree" else "points (1-5)")
        if self.threshold_unit and threshold is not None:
            text += f" within {threshold} {self.threshold_unit}"
        return text


MEASURES: dict[str, Measure] = {m.code: m for m in (
    Measure("wait_within", "Waiting time", "minutes"),
    Measure("service_within", "Service time", "minutes", needs_service=True),
    Measure("first_visit", "Served at the first visit (outcome resolved)"),
    Measure("survey_driver", "Survey", needs_question=True),
    Measure("complaint_ack", "Complaints acknowledged", "working days"),
    Measure("complaint_resolved", "Complaints resolved", "working days"),
    Measure("left_unserved", "Visitors who left before being served", lower_is_better=True),
)}
SCALES = ("agree", "points")


def unit_of(measure: str, scale: str | None) -> str:
    """'%' for shares, 'points' for a survey point scale."""
    return "points" if measure == "survey_driver" and scale == "points" else "%"


@dataclass(frozen=True)
class StandardDraft:
    """What a supervisor types for a standard; ``validated()`` checks it all before any write."""

    measure: str
    target: float | str
    wording_en: str
    wording_es: str
    threshold: int | str | None = None
    service: str | None = None
    question: str | None = None
    scale: str | None = None

    def validated(self) -> StandardDraft:
        measure = MEASURES.get(self.measure)
        if measure is None:
            raise CxdeskError(f"Unknown measure '{self.measure}' (one of: {', '.join(MEASURES)}).")
        threshold = None
        if measure.threshold_unit:
            threshold = _whole(self.threshold, f"The threshold ({measure.threshold_unit})", 1, 600)
        service = question = scale = None
        if measure.needs_service:
            if not self.service:
                raise CxdeskError("Choose the service this standard is for.")
            service = office_catalog("services").get(self.service).code
        if measure.needs_question:
            question = clean_line(self.question, "The survey question", 32)
            scale = self.scale or "agree"
            if scale not in SCALES:
                raise CxdeskError("Survey scale: 'agree' (% answering 4-5) or 'points' (mean 1-5).")
        unit = unit_of(measure.code, scale)
        target = _number(self.target, "The target", (1.0, 5.0) if unit == "points" else (0.0, 100.0))
        return StandardDraft(
            measure.code, target,
            clean_line(self.wording_en, "The English wording", WORDING_LIMIT),
            clean_line(self.wording_es, "The Spanish wording", WORDING_LIMIT),
            threshold, service, question, scale)


def _whole(value, what: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise CxdeskError(f"{what}: a whole number, {low} to {high}.") from None
    if not low <= number <= high:
        raise CxdeskError(f"{what}: a whole number, {low} to {high}.")
    return number


def _number(value, what: str, bounds: tuple[float, float]) -> float:
    try:
        number = float(str(value).strip().rstrip("%"))
    except (TypeError, ValueError):
        raise CxdeskError(f"{what}: a number from {bounds[0]:g} to {bounds[1]:g}.") from None
    if not bounds[0] <= number <= bounds[1]:
        raise CxdeskError(f"{what}: a number from {bounds[0]:g} to {bounds[1]:g}.")
    return round(number, 2)


# --- the defaults in data/standards.toml ----------------------------------------------


@dataclass(frozen=True)
class DefaultStandard:
    code: str
    position: int
    draft: StandardDraft


def default_standards() -> tuple[DefaultStandard, ...]:
    """The built-in standards, or the office's standards.toml in the override folder."""
    return load_data_file("standards.toml", parse_defaults, catalog_override_dir())


def parse_defaults(text: str, where: str, _source: str = "") -> tuple[DefaultStandard, ...]:
    document = toml_document(text, where)
    entries = document.get("standard")
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise CxdeskError(f"{where}: no [[standard]] entries.")
    found: list[DefaultStandard] = []
    for number, entry in enumerate(entries, start=1):
        code = entry.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            raise CxdeskError(f"{where}: standard {number} has no valid code (lowercase letters, digits, _).")
        if any(d.code == code for d in found):
            raise CxdeskError(f"{where}: standard {number} repeats code '{code}'.")
        try:
            draft = StandardDraft(
                measure=str(entry.get("measure", "")), target=entry.get("target"),
                wording_en=entry.get("wording_en"), wording_es=entry.get("wording_es"),
                threshold=entry.get("threshold"), service=entry.get("service"),
                question=entry.get("question"), scale=entry.get("scale")).validated()
        except CxdeskError as exc:
            raise CxdeskError(f"{where}: standard {number} ({code}): {exc}") from None
        found.append(DefaultStandard(code, number, draft))
    return tuple(found)


# --- changes by a supervisor -----------------------------------------------------------------


def _standards(session: Session, office: Office) -> dict[str, ServiceStandard]:
    rows = session.exec(select(ServiceStandard).where(ServiceStandard.office_id == office.id))
    return {row.code: row for row in rows}


def install_defaults(session: Session, office: Office, by: Staff | None, now: datetime) -> dict[str, ServiceStandard]:
    """Record the defaults as the office's own first versions (once), in force since the
    office opened, so the history shows what later changes replaced. Not committed."""
    existing = _standards(session, office)
    if existing:
        return existing
    opened = office.local_day(office.created_at)
    for default in default_standards():
        standard = ServiceStandard(office_id=office.id, code=default.code, measure=default.draft.measure,
                                   position=default.position, created_at=now)
        session.add(standard)
        session.flush()
        session.add(_version(standard, default.draft, opened, now, by,
                             note="Built-in default, in force since the office opened."))
        existing[default.code] = standard
    session.flush()
    return existing


def _version(standard: ServiceStandard, draft: StandardDraft, effective_from: date, now: datetime,
             by: Staff | None, note: str = "", retired: bool = False) -> StandardVersion:
    return StandardVersion(
        standard_id=standard.id, effective_from=effective_from, retired=retired,
        threshold=draft.threshold, service=draft.service, question=draft.question, scale=draft.scale,
        target=float(draft.target), wording_en=draft.wording_en, wording_es=draft.wording_es,
        note=note, created_at=now, created_by=by.id if by else None)


def _effective_day(office: Office, effective_from: date | None, now: datetime) -> date:
    today = office.local_day(now)
    if effective_from is None:
        return today
    if effective_from < today:
        raise CxdeskError("A change takes effect today or later: past periods keep the standard "
                          "they were measured against.")
    return effective_from


def latest_version(session: Session, standard: ServiceStandard) -> StandardVersion | None:
    return session.exec(
        select(StandardVersion).where(StandardVersion.standard_id == standard.id)
        .order_by(StandardVersion.effective_from.desc(), StandardVersion.created_at.desc())
    ).first()


def add_standard(session: Session, office: Office, by: Staff, code: str, draft: StandardDraft, *,
                 now: datetime, effective_from: date | None = None, note: str = "") -> StandardVersion:
    """A new standard, in force from ``effective_from`` (default today)."""
    by = acting_supervisor(session, by, "add a service standard")
    code = (code or "").strip().lower()
    if not _CODE.match(code):
        raise CxdeskError("Standard code: lowercase letters, digits and _, starting with a letter (e.g. wait_20).")
    checked = draft.validated()
    day = _effective_day(office, effective_from, now)
    note = clean_block(note, "The note", NOTE_LIMIT)
    existing = install_defaults(session, office, by, now)
    if code in existing:
        raise CxdeskError(f"There is already a standard '{code}'; change it instead.")
    standard = ServiceStandard(office_id=office.id, code=code, measure=checked.measure,
                               position=max((s.position for s in existing.values()), default=0) + 1,
                               created_at=now)
    session.add(standard)
    session.flush()
    version = _version(standard, checked, day, now, by, note)
    session.add(version)
    audit.note(session, office.id, by, "standard", code, "added", now)
    session.commit()
    return version


def get_standard(session: Session, office: Office, code: str) -> ServiceStandard:
    standard = _standards(session, office).get((code or "").strip().lower())
    if standard is None:
        raise CxdeskError(f"No standard '{code}' in this office.")
    return standard


def change_standard(session: Session, office: Office, by: Staff, code: str, draft: StandardDraft, *,
                    now: datetime, effective_from: date | None = None, note: str = "") -> StandardVersion:
    """A new version of a standard from ``effective_from``; the measure itself stays."""
    by = acting_supervisor(session, by, "change a service standard")
    checked = draft.validated()
    day = _effective_day(office, effective_from, now)
    note = clean_block(note, "The note", NOTE_LIMIT)
    install_defaults(session, office, by, now)
    standard = get_standard(session, office, code)
    if checked.measure != standard.measure:
        raise CxdeskError("A standard keeps its measure; retire it and add a new one to measure something else.")
    version = _version(standard, checked, day, now, by, note)
    session.add(version)
    audit.note(session, office.id, by, "standard", code, "new version", now)
    session.commit()
    return version


def retire_standard(session: Session, office: Office, by: Staff, code: str, *, now: datetime,
                    effective_from: date | None = None, note: str = "") -> StandardVersion:
    """The standard is no longer posted from ``effective_from``; its history stays."""
    by = acting_supervisor(session, by, "retire a service standard")
    day = _effective_day(office, effective_from, now)
    note = clean_block(note, "The note", NOTE_LIMIT)
    install_defaults(session, office, by, now)
    standard = get_standard(session, office, code)
    latest = latest_version(session, standard)
    if latest is None or latest.retired:
        raise CxdeskError(f"The standard '{standard.code}' is already retired.")
    # The retiring version repeats the last promise, so the history reads whole.
    version = StandardVersion(
        standard_id=standard.id, effective_from=day, retired=True, threshold=latest.threshold,
        service=latest.service, question=latest.question, scale=latest.scale, target=latest.target,
        wording_en=latest.wording_en, wording_es=latest.wording_es, note=note, created_at=now,
        created_by=by.id)
    session.add(version)
    audit.note(session, office.id, by, "standard", code, "retired", now)
    session.commit()
    return version


def add_benchmark(session: Session, office: Office, by: Staff, code: str, *, value: float | str,
                  source: str, as_of: date, note: str = "", now: datetime) -> Benchmark:
    """A benchmark for a standard's measure, in the same unit as its result."""
    by = acting_supervisor(session, by, "add a benchmark")
    install_defaults(session, office, by, now)
    standard = get_standard(session, office, code)
    latest = latest_version(session, standard)
    unit = unit_of(standard.measure, latest.scale if latest else None)
    benchmark = Benchmark(
        office_id=office.id, standard_id=standard.id,
        value=_number(value, "The benchmark value", (1.0, 5.0) if unit == "points" else (0.0, 100.0)),
        source=clean_line(source, "The source", SOURCE_LIMIT),
        as_of=as_of, note=clean_block(note, "The note", NOTE_LIMIT), created_at=now, created_by=by.id)
    if as_of > office.local_day(now):
        raise CxdeskError("A benchmark's date is the day its figure was published: not in the future.")
    session.add(benchmark)
    audit.note(session, office.id, by, "benchmark", code, "added", now)
    session.commit()
    return benchmark


def retire_benchmark(session: Session, office: Office, by: Staff, benchmark_id: uuid.UUID, *,
                     now: datetime) -> Benchmark:
    by = acting_supervisor(session, by, "retire a benchmark")
    benchmark = session.get(Benchmark, benchmark_id)
    if benchmark is None or benchmark.office_id != office.id:
        raise CxdeskError("That benchmark is not in this office's records.")
    if benchmark.retired_at is not None:
        raise CxdeskError("That benchmark is already retired.")
    benchmark.retired_at = now
    session.add(benchmark)
    audit.note(session, office.id, by, "benchmark", str(benchmark_id), "retired", now)
    session.commit()
    return benchmark
