"""Complaints (EO 12862 1(g), 1(h)): intake, reference numbers, working-day
deadlines, the lifecycle with its append-only trail, and who may see contact details.
"""

from __future__ import annotations

import pathlib
import random
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from cxdesk.catalogs import CatalogItem, load_data_file, office_catalog, toml_document
from cxdesk.clock import local_day, office_zone
from cxdesk.config import catalog_override_dir
from cxdesk.errors import CxdeskError
from cxdesk.workdays import add_working_days, is_working_day, working_days_between  # noqa: F401 (API)
from cxdesk.models import Complaint, ComplaintContact, ComplaintEvent, Office, Staff, Visit

RECEIVED = "received"
ACKNOWLEDGED = "acknowledged"
IN_PROGRESS = "in_progress"
ESCALATED = "escalated"
RESOLVED = "resolved"
CLOSED = "closed"
REOPENED = "reopened"
STATES = (RECEIVED, ACKNOWLEDGED, IN_PROGRESS, ESCALATED, RESOLVED, CLOSED, REOPENED)
STATE_LABELS = {
    RECEIVED: "received",
    ACKNOWLEDGED: "acknowledged",
    IN_PROGRESS: "in progress",
    ESCALATED: "escalated",
    RESOLVED: "resolved",
    CLOSED: "closed",
    REOPENED: "reopened",
}
FRONTLINE = "frontline"
INVESTIGATION = "investigation"
TRACKS = (FRONTLINE, INVESTIGATION)
OPEN_STATES = (RECEIVED, ACKNOWLEDGED, IN_PROGRESS, ESCALATED, REOPENED)

# The lifecycle: action -> (states it may start from, state it leads to).
ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "acknowledge": ((RECEIVED,), ACKNOWLEDGED),
    # From in_progress only to move a frontline complaint into investigation.
    "start": ((ACKNOWLEDGED, REOPENED, ESCALATED, IN_PROGRESS), IN_PROGRESS),
    # "Escalated to a supervisor at any point" while the matter is live; a
    # resolution the customer rejects can be escalated too.
    "escalate": ((RECEIVED, ACKNOWLEDGED, IN_PROGRESS, REOPENED, RESOLVED), ESCALATED),
    "resolve": ((IN_PROGRESS, ESCALATED), RESOLVED),
    "close": ((RESOLVED,), CLOSED),
    "reopen": ((RESOLVED, CLOSED), REOPENED),
}
ACTION_LABELS = {
    "acknowledge": "Acknowledge",
    "start": "Start work",
    "escalate": "Escalate to a supervisor",
    "resolve": "Record the resolution",
    "close": "Close",
    "reopen": "Reopen",
}

TEXT_LIMIT = 2000
WANTED_LIMIT = 1000
LANGUAGES = ("en", "es")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ()./-]{7,25}$")


# --- settings: data/complaints.toml ------------------------------------------


@dataclass(frozen=True)
class ComplaintSettings:
    """Deadlines in working days, and the short lists the intake form offers."""

    acknowledge: int
    frontline: int
    investigation: int
    max_extension: int
    received_via: tuple[CatalogItem, ...]
    urgency: tuple[CatalogItem, ...]
    source: str = "built-in"

    def via(self, code: str) -> CatalogItem:
        return _pick(self.received_via, code, "way the complaint was received")

    def urgency_level(self, code: str) -> CatalogItem:
        return _pick(self.urgency, code, "urgency")


def _pick(items: Iterable[CatalogItem], code: str, what: str) -> CatalogItem:
    for item in items:
        if item.code == code:
            return item
    raise CxdeskError(f"Unknown {what} '{code}'." if code else f"Choose the {what}.")


def load_settings(override_dir: pathlib.Path | None = None) -> ComplaintSettings:
    """``complaints.toml`` from the override folder if there is one, else the built-in."""
    folder = catalog_override_dir() if override_dir is None else override_dir
    return load_data_file("complaints.toml", parse_settings, folder)


def parse_settings(text: str, where: str, source: str) -> ComplaintSettings:
    """Validate the complaints settings; every error names the file and the key."""

    def fail(reason: str) -> CxdeskError:
        return CxdeskError(f"{where}: {reason}")

    document = toml_document(text, where)
    deadlines = document.get("deadlines")
    if not isinstance(deadlines, dict):
        raise fail("no [deadlines] table.")
    days = {}
    for key, limit in (("acknowledge", 30), ("frontline", 60), ("investigation", 120),
                       ("max_extension", 120)):
        value = deadlines.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
            raise fail(f"deadlines.{key} = {value!r}; it must be a whole number of working days, 1 to {limit}.")
        days[key] = value
    lists = {}
    for key in ("received_via", "urgency"):
        entries = document.get(key)
        if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
            raise fail(f"no [[{key}]] entries.")
        items = []
        for number, entry in enumerate(entries, start=1):
            code = entry.get("code")
            if not isinstance(code, str) or not re.match(r"^[a-z][a-z0-9_]{0,23}$", code):
                raise fail(f"{key} {number} has no valid code (lowercase letters, digits, underscores).")
            labels = {lang: entry.get(f"label_{lang}") for lang in LANGUAGES}
            if not all(isinstance(v, str) and v.strip() for v in labels.values()):
                raise fail(f"{key} {number} needs label_en and label_es.")
            if any(item.code == code for item in items):
                raise fail(f"{key} {number} repeats code '{code}'.")
            items.append(CatalogItem(code=code, labels=labels, extra={}))
        lists[key] = tuple(items)
    return ComplaintSettings(**days, **lists, source=source)


def categories():
    return office_catalog("complaint_categories")


# --- working days: see cxdesk.workdays ------------------------------------------


def office_today(office: Office, now: datetime) -> date:
    return local_day(now, office_zone(office.timezone))


@dataclass(frozen=True)
class DueMark:
    """How a deadline reads in a list: a symbol AND words, never colour alone."""

    status: str  # overdue | due_today | on_time | none
    symbol: str
    text: str


def due_mark(next_due: date | None, today: date) -> DueMark:
    if next_due is None:
        return DueMark("none", " ", "no deadline")
    if next_due < today:
        late = max(working_days_between(next_due, today), 1)
        return DueMark("overdue", "▲", f"OVERDUE {late} working day{'s' if late != 1 else ''}")
    if next_due == today:
        return DueMark("due_today", "●", "DUE TODAY")
    left = working_days_between(today, next_due)
    return DueMark("on_time", "·", f"due {next_due:%a %d %b} ({left} working day{'s' if left != 1 else ''})")


# --- intake ----------------------------------------------------------------------


@dataclass(frozen=True)
class ContactDetails:
    """How to reach the complainant; kept only when they agree (recorded consent)."""

    name: str = ""
    phone: str = ""
    email: str = ""
    language: str = "en"

    def is_empty(self) -> bool:
        return not (self.name.strip() or self.phone.strip() or self.email.strip())

    def validated(self) -> ContactDetails:
        # Messages never repeat the value: they may reach a screen or a log.
        name = " ".join(self.name.split())
        phone = self.phone.strip()
        email = self.email.strip()
        if len(name) > 80:
            raise CxdeskError("The contact name is too long (at most 80 characters).")
        if not phone and not email:
            raise CxdeskError("Give a phone number or an email address to reach the customer.")
        if phone and not PHONE.match(phone):
            raise CxdeskError("The phone number does not look right (digits, spaces, + - ( ) only).")
        if email and (len(email) > 120 or not EMAIL.match(email)):
            raise CxdeskError("The email address does not look right.")
        if self.language not in LANGUAGES:
            raise CxdeskError("Preferred language must be English (en) or Spanish (es).")
        return ContactDetails(name, phone, email, self.language)

    def __repr__(self) -> str:
        return "ContactDetails(<withheld>)"


@dataclass(frozen=True)
class ComplaintIntake:
    """What the intake form collects; validated before anything is written."""

    received_via: str
    category: str
    what_happened: str
    wanted: str = ""
    urgency: str = "normal"
    visit_id: uuid.UUID | None = None
    service: str | None = None
    segment: str | None = None
    contact: ContactDetails | None = None
    consent: bool = False

    def validated(self, settings: ComplaintSettings) -> ComplaintIntake:
        via = settings.via(self.received_via).code
        if not self.category:
            raise CxdeskError("Choose what the complaint is about (category).")
        category = categories().get(self.category).code
        urgency = settings.urgency_level(self.urgency).code
        what = (self.what_happened or "").strip()
        if not what:
            raise CxdeskError("Write down what happened, in the customer's words.")
        if len(what) > TEXT_LIMIT:
            raise CxdeskError(f"'What happened' is too long (at most {TEXT_LIMIT} characters).")
        wanted = (self.wanted or "").strip()
        if len(wanted) > WANTED_LIMIT:
            raise CxdeskError(f"'What the customer wants' is too long (at most {WANTED_LIMIT} characters).")
        service = office_catalog("services").get(self.service).code if self.service else None
        segment = office_catalog("segments").get(self.segment).code if self.segment else None
        contact = None
        if self.contact is not None and not self.contact.is_empty():
            # ISO 10002 confidentiality: no consent, no contact details kept.
            if not self.consent:
                raise CxdeskError("Record the customer's consent before keeping their contact details "
                                  "(or leave the contact fields empty).")
            contact = self.contact.validated()
        return replace(self, received_via=via, category=category, urgency=urgency, what_happened=what,
                       wanted=wanted, service=service, segment=segment, contact=contact,
                       consent=contact is not None)


@dataclass(frozen=True)
class VisitLink:
    """The visit at the counter a new complaint is linked to, for pre-filling."""

    visit_id: uuid.UUID
    ticket: str
    service: str | None
    segment: str
    language: str


def visit_link(session: Session, office: Office, visit_id: uuid.UUID | None) -> VisitLink | None:
    if visit_id is None:
        return None
    from cxdesk.visits import ticket

    visit = session.get(Visit, visit_id)
    if visit is None or visit.office_id != office.id:
        return None
    return VisitLink(visit.id, ticket(visit), visit.service or visit.service_wanted, visit.segment,
                     visit.language)


def make_reference(office_code: str, day: date, seq: int) -> str:
    """Office code + date + sequence: CHI01-20261124-007, unique across offices
    because office codes are, and easy to read aloud in three groups."""
    return f"{office_code}-{day:%Y%m%d}-{seq:03d}"


def open_complaint(session: Session, office: Office, who: Staff, intake: ComplaintIntake,
                   now: datetime, settings: ComplaintSettings | None = None) -> Complaint:
    """Record a new complaint with its reference number and deadlines, in one commit.

    The clerk who takes it handles it until someone reassigns it.
    """
    settings = settings or load_settings()
    checked = intake.validated(settings)
    service, segment = checked.service, checked.segment
    if checked.visit_id is not None:
        link = visit_link(session, office, checked.visit_id)
        if link is None:
            raise CxdeskError("The linked visit is not in this office's records.")
        service = service or link.service
        segment = segment or link.segment
    day = office_today(office, now)
    ack_due = add_working_days(day, settings.acknowledge)
    for _attempt in range(5):
        seq = _next_seq(session, office, day)
        complaint = Complaint(
            office_id=office.id, reference=make_reference(office.code, day, seq), day=day, seq=seq,
            received_at=now, received_via=checked.received_via, category=checked.category,
            urgency=checked.urgency, what_happened=checked.what_happened, wanted=checked.wanted,
            visit_id=checked.visit_id, service=service, segment=segment, state=RECEIVED,
            opened_by=who.id, assigned_to=who.id, acknowledge_due=ack_due,
            resolution_due=add_working_days(day, settings.frontline), next_due=ack_due,
            has_contact=checked.contact is not None,
        )
        session.add(complaint)
        via = settings.via(checked.received_via).label()
        category = categories().get(checked.category).label()
        _append(session, complaint, who, now, "opened", None, RECEIVED,
                f"Received {via.lower()}; about: {category.lower()}.", seq=1)
        if checked.contact is not None:
            contact = checked.contact
            session.add(ComplaintContact(complaint_id=complaint.id, name=contact.name, phone=contact.phone,
                                         email=contact.email, language=contact.language, consent_at=now,
                                         consent_by=who.id))
            # The trail says that contact details exist, never what they are.
            _append(session, complaint, who, now, "contact", None, None,
                    "Contact details recorded with the customer's consent.", seq=2)
        try:
            session.commit()
            return complaint
        except IntegrityError:
            # Another counter took the same sequence number: take the next one.
            session.rollback()
    raise CxdeskError("Could not number the complaint: try saving again.")


def _next_seq(session: Session, office: Office, day: date) -> int:
    current = session.exec(
        select(sa.func.max(Complaint.seq)).where(Complaint.office_id == office.id, Complaint.day == day)
    ).one()
    return (current or 0) + 1


# --- the customer's receipt ----------------------------------------------------

_ES_DAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
_ES_MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
              "septiembre", "octubre", "noviembre", "diciembre")


def spell_day(day: date, lang: str = "en") -> str:
    """A date as the customer reads it: 'Friday 27 November 2026' / 'viernes 27 de noviembre de 2026'."""
    if lang == "es":
        return f"{_ES_DAYS[day.weekday()]} {day.day} de {_ES_MONTHS[day.month - 1]} de {day.year}"
    return f"{day:%A} {day.day} {day:%B %Y}"


def spoken_reference(reference: str) -> str:
    """The reference in groups, as read aloud: 'CHI01 · 2026 11 24 · 007'."""
    office, stamp, seq = reference.rsplit("-", 2)
    return f"{office} · {stamp[:4]} {stamp[4:6]} {stamp[6:]} · {seq}"


def receipt_lines(complaint: Complaint) -> dict[str, str]:
    """What the customer is told on saving, in English and Spanish."""
    due_en = spell_day(complaint.acknowledge_due, "en")
    due_es = spell_day(complaint.acknowledge_due, "es")
    return {
        "en": f"Your complaint reference is {complaint.reference}. Quote it when you contact us. "
              f"We will acknowledge your complaint by {due_en}.",
        "es": f"El número de referencia de su queja es {complaint.reference}. Menciónelo cuando nos "
              f"contacte. Le confirmaremos la recepción a más tardar el {due_es}.",
    }


# --- the lifecycle -------------------------------------------------------------


def state_text(state: str | None, track: str | None = None) -> str | None:
    if state is None:
        return None
    text = STATE_LABELS.get(state, state)
    return f"{text} ({track})" if state == IN_PROGRESS and track else text


def refusal(complaint: Complaint, action: str, who: Staff, track: str | None = None) -> str | None:
    """Why ``who`` may not do ``action`` to the complaint now, or None if they may."""
    if action not in ACTIONS:
        return f"Unknown action '{action}'."
    allowed_from, _ = ACTIONS[action]
    ref, state = complaint.reference, complaint.state
    if state not in allowed_from:
        if state == CLOSED:
            return f"{ref} is closed; reopen it if the customer came back."
        if action == "acknowledge":
            return f"{ref} was already acknowledged."
        if action in ("start", "resolve") and state == RECEIVED:
            return f"Acknowledge {ref} first: the customer must know it was received."
        if action in ("start", "resolve", "escalate") and state == RESOLVED:
            return f"{ref} is already resolved; reopen it if the customer came back."
        if action == "resolve":
            return f"Start work on {ref} first (front line or investigation)."
        if action == "escalate":
            return f"{ref} is already escalated."
        if action == "close":
            return f"Only a resolved complaint can be closed; {ref} is {STATE_LABELS[state]}."
        if action == "reopen":
            return f"{ref} is still open; there is nothing to reopen."
        return f"{ref} cannot go from {STATE_LABELS[state]} to {STATE_LABELS[ACTIONS[action][1]]}."
    if action == "start":
        if track not in TRACKS:
            return "Choose front line or investigation."
        if state == IN_PROGRESS:
            if complaint.track == INVESTIGATION:
                return f"{ref} is already under investigation; it does not go back to the front line."
            if track == FRONTLINE:
                return f"{ref} is already being handled at the front line."
    if state == ESCALATED and action in ("start", "resolve") and who.role != "supervisor":
        return f"{ref} is escalated: only a supervisor can take it on or resolve it."
    return None


def allowed_actions(complaint: Complaint, who: Staff) -> list[str]:
    """The lifecycle actions open to ``who`` now (a 'start' counts if any track is)."""
    return [action for action in ACTIONS
            if any(refusal(complaint, action, who, track) is None for track in TRACKS)]


def _load(session: Session, complaint: Complaint | uuid.UUID) -> Complaint:
    complaint_id = complaint if isinstance(complaint, uuid.UUID) else complaint.id
    found = session.get(Complaint, complaint_id)
    if found is None:
        raise CxdeskError("That complaint is not in this office's records.")
    session.refresh(found)
    return found


def _append(session: Session, complaint: Complaint, who: Staff, now: datetime, kind: str,
            from_value: str | None, to_value: str | None, note: str = "", seq: int | None = None) -> None:
    """Add a line to the trail; the caller commits it with the change it records."""
    if seq is None:
        current = session.exec(
            select(sa.func.max(ComplaintEvent.seq)).where(ComplaintEvent.complaint_id == complaint.id)
        ).one()
        seq = (current or 0) + 1
    session.add(ComplaintEvent(complaint_id=complaint.id, seq=seq, at=now, staff_id=who.id, kind=kind,
                               from_value=from_value, to_value=to_value, note=note))


def _commit(session: Session, complaint: Complaint) -> Complaint:
    try:
        session.commit()
    except IntegrityError:
        # Two people changed the same complaint at the same instant: the trail's
        # sequence refused the second, and nothing of it was written.
        session.rollback()
        raise CxdeskError(f"{complaint.reference} was changed by someone else just now; look again.") from None
    return complaint


def _clean_note(note: str | None, what: str = "The note", required: bool = False) -> str:
    note = (note or "").strip()
    if required and not note:
        raise CxdeskError(f"{what} cannot be empty.")
    if len(note) > TEXT_LIMIT:
        raise CxdeskError(f"{what} is too long (at most {TEXT_LIMIT} characters).")
    return note


def _next_due(complaint: Complaint) -> date | None:
    if complaint.state == RECEIVED:
        return complaint.acknowledge_due
    if complaint.state in (RESOLVED, CLOSED):
        return None
    return complaint.resolution_due


def _move(session: Session, complaint: Complaint | uuid.UUID, action: str, who: Staff,
          track: str | None = None) -> tuple[Complaint, str]:
    """Check the action is allowed now and set the new state; returns (complaint, state before)."""
    complaint = _load(session, complaint)
    reason = refusal(complaint, action, who, track)
    if reason:
        raise CxdeskError(reason)
    before = state_text(complaint.state, complaint.track)
    complaint.state = ACTIONS[action][1]
    return complaint, before


def _finish_move(session: Session, complaint: Complaint, who: Staff, now: datetime, before: str,
                 note: str) -> Complaint:
    complaint.next_due = _next_due(complaint)
    session.add(complaint)
    _append(session, complaint, who, now, "state", before, state_text(complaint.state, complaint.track), note)
    return _commit(session, complaint)


def acknowledge(session: Session, complaint: Complaint | uuid.UUID, who: Staff, now: datetime,
                note: str = "") -> Complaint:
    """The customer has been told the complaint was received."""
    note = _clean_note(note)
    complaint, before = _move(session, complaint, "acknowledge", who)
    complaint.acknowledged_at = now
    return _finish_move(session, complaint, who, now, before, note)


def start_work(session: Session, complaint: Complaint | uuid.UUID, who: Staff, track: str, now: datetime,
               note: str = "", settings: ComplaintSettings | None = None) -> Complaint:
    """Work starts at the front line (resolve within 5 working days of receipt)
    or as an investigation (answer within 20 working days of opening it)."""
    settings = settings or load_settings()
    note = _clean_note(note)
    complaint, before = _move(session, complaint, "start", who, track)
    if track == INVESTIGATION and complaint.track != INVESTIGATION:
        complaint.resolution_due = add_working_days(local_day(now, _zone(session, complaint)),
                                                    settings.investigation)
    complaint.track = track
    return _finish_move(session, complaint, who, now, before, note)


def escalate(session: Session, complaint: Complaint | uuid.UUID, who: Staff, reason: str,
             now: datetime, settings: ComplaintSettings | None = None) -> Complaint:
    """Hand the complaint to a supervisor; a running deadline stands."""
    settings = settings or load_settings()
    reason = _clean_note(reason, "The reason for escalating", required=True)
    complaint, before = _move(session, complaint, "escalate", who)
    if complaint.resolved_at is not None:
        # A resolution the customer rejected is live again, with a fresh
        # frontline clock for the supervisor.
        complaint.resolution_due = add_working_days(office_today_of(session, complaint, now),
                                                    settings.frontline)
        complaint.resolved_at = None
    return _finish_move(session, complaint, who, now, before, reason)


def resolve(session: Session, complaint: Complaint | uuid.UUID, who: Staff, *, what_was_done: str,
            customer_accepted: bool, now: datetime) -> Complaint:
    """Record what was done and whether the customer accepted it."""
    what = _clean_note(what_was_done, "What was done", required=True)
    if not isinstance(customer_accepted, bool):
        raise CxdeskError("Say whether the customer accepted the resolution (yes or no).")
    complaint, before = _move(session, complaint, "resolve", who)
    complaint.resolution = what
    complaint.customer_accepted = customer_accepted
    complaint.resolved_at = now
    accepted = "accepted" if customer_accepted else "did not accept"
    return _finish_move(session, complaint, who, now, before, f"{what} (customer {accepted})")


def close(session: Session, complaint: Complaint | uuid.UUID, who: Staff, now: datetime,
          note: str = "") -> Complaint:
    note = _clean_note(note)
    complaint, before = _move(session, complaint, "close", who)
    complaint.closed_at = now
    return _finish_move(session, complaint, who, now, before, note)


def reopen(session: Session, complaint: Complaint | uuid.UUID, who: Staff, reason: str, now: datetime,
           settings: ComplaintSettings | None = None) -> Complaint:
    """The customer came back: a new frontline deadline runs from today."""
    settings = settings or load_settings()
    reason = _clean_note(reason, "The reason for reopening", required=True)
    complaint, before = _move(session, complaint, "reopen", who)
    complaint.resolution_due = add_working_days(office_today_of(session, complaint, now), settings.frontline)
    complaint.resolved_at = complaint.closed_at = None
    complaint.resolution = None
    complaint.customer_accepted = None
    return _finish_move(session, complaint, who, now, before, reason)


def _zone(session: Session, complaint: Complaint):
    office = session.get(Office, complaint.office_id)
    return office_zone(office.timezone)


def office_today_of(session: Session, complaint: Complaint, now: datetime) -> date:
    return local_day(now, _zone(session, complaint))


def add_note(session: Session, complaint: Complaint | uuid.UUID, who: Staff, note: str,
             now: datetime) -> Complaint:
    note = _clean_note(note, required=True)
    complaint = _load(session, complaint)
    _append(session, complaint, who, now, "note", None, None, note)
    return _commit(session, complaint)


def assign(session: Session, complaint: Complaint | uuid.UUID, who: Staff, to: Staff | None,
           now: datetime, note: str = "") -> Complaint:
    """Give the complaint to a staff member (or nobody). Supervisors assign
    anyone; a clerk may take an unassigned complaint or pass on their own."""
    note = _clean_note(note)
    complaint = _load(session, complaint)
    if complaint.state == CLOSED:
        raise CxdeskError(f"{complaint.reference} is closed; reopen it first.")
    if to is not None and (to.office_id != complaint.office_id or not to.active):
        raise CxdeskError(f"{to.code} is not an active staff member of this office.")
    if who.role != "supervisor":
        takes_free = complaint.assigned_to is None and to is not None and to.id == who.id
        if not takes_free and complaint.assigned_to != who.id:
            raise CxdeskError(f"Only a supervisor or the person handling {complaint.reference} can reassign it.")
    if (to.id if to else None) == complaint.assigned_to:
        raise CxdeskError(f"{complaint.reference} is already with {to.code if to else 'nobody'}.")
    previous = session.get(Staff, complaint.assigned_to) if complaint.assigned_to else None
    complaint.assigned_to = to.id if to else None
    session.add(complaint)
    _append(session, complaint, who, now, "assign", previous.code if previous else None,
            to.code if to else None, note)
    return _commit(session, complaint)


def extend(session: Session, complaint: Complaint | uuid.UUID, who: Staff, *, days: int, reason: str,
           customer_told: bool, now: datetime, settings: ComplaintSettings | None = None) -> Complaint:
    """Move the resolution deadline: only with a reason and the customer told."""
    settings = settings or load_settings()
    reason = _clean_note(reason, "The reason for the extension", required=True)
    if not customer_told:
        raise CxdeskError("Tell the customer about the extension first, then mark 'customer told'.")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= settings.max_extension:
        raise CxdeskError(f"An extension is 1 to {settings.max_extension} working days.")
    complaint = _load(session, complaint)
    if complaint.state == RECEIVED:
        raise CxdeskError(f"Acknowledge {complaint.reference} first; the acknowledgement deadline is not extended.")
    if complaint.state not in OPEN_STATES:
        raise CxdeskError(f"{complaint.reference} is {STATE_LABELS[complaint.state]}; there is no deadline to extend.")
    before = complaint.resolution_due
    complaint.resolution_due = add_working_days(before, days)
    complaint.next_due = _next_due(complaint)
    complaint.extensions += 1
    session.add(complaint)
    _append(session, complaint, who, now, "extend", before.isoformat(), complaint.resolution_due.isoformat(),
            f"{reason} (customer told)")
    return _commit(session, complaint)


# --- what staff see --------------------------------------------------------------


def can_see_contact(complaint: Complaint, viewer: Staff) -> bool:
    """Clerks see contact details only for complaints they handle; supervisors all."""
    return viewer.role == "supervisor" or complaint.assigned_to == viewer.id


def contact_for(session: Session, complaint: Complaint, viewer: Staff) -> ComplaintContact | None:
    if not complaint.has_contact or not can_see_contact(complaint, viewer):
        return None
    return session.get(ComplaintContact, complaint.id)


@dataclass(frozen=True)
class QueueRow:
    id: uuid.UUID
    reference: str
    state: str
    track: str | None
    category: str
    urgency: str
    received_day: date
    next_due: date | None
    due: DueMark
    assigned_code: str | None
    what_happened: str

    @property
    def state_label(self) -> str:
        return state_text(self.state, self.track)


def _urgency_rank(settings: ComplaintSettings):
    # The last urgency in the settings is the most pressing: it sorts first.
    levels = [item.code for item in settings.urgency]
    return sa.case({code: len(levels) - index for index, code in enumerate(levels)},
                   value=Complaint.urgency, else_=len(levels) + 1)


def list_complaints(session: Session, office: Office, today: date, *, mine: Staff | None = None,
                    states: Sequence[str] | None = None, category: str | None = None,
                    overdue: bool = False, limit: int = 500,
                    settings: ComplaintSettings | None = None) -> list[QueueRow]:
    """The queue, soonest deadline first (overdue at the top), then urgency.

    Closed complaints are left out unless ``states`` asks for them.
    """
    settings = settings or load_settings()
    assigned = aliased(Staff)
    query = (select(Complaint, assigned.code)
             .join(assigned, assigned.id == Complaint.assigned_to, isouter=True)
             .where(Complaint.office_id == office.id))
    if states:
        unknown = [s for s in states if s not in STATES]
        if unknown:
            raise CxdeskError(f"Unknown state '{unknown[0]}' (one of: {', '.join(STATES)}).")
        query = query.where(col(Complaint.state).in_(states))
    else:
        query = query.where(Complaint.state != CLOSED)
    if category:
        query = query.where(Complaint.category == categories().get(category).code)
    if mine is not None:
        query = query.where(Complaint.assigned_to == mine.id)
    if overdue:
        query = query.where(Complaint.next_due < today)
    query = query.order_by(
        sa.case((col(Complaint.next_due).is_(None), 1), else_=0), Complaint.next_due,
        _urgency_rank(settings), Complaint.received_at,
    ).limit(limit)
    return [
        QueueRow(c.id, c.reference, c.state, c.track, c.category, c.urgency, c.day, c.next_due,
                 due_mark(c.next_due, today), code, c.what_happened)
        for c, code in session.exec(query).all()
    ]


@dataclass(frozen=True)
class ComplaintCounts:
    open: int
    due_today: int
    overdue: int


def complaint_counts(session: Session, office: Office, today: date) -> ComplaintCounts:
    """Open, due today and overdue, in one SQL aggregate (for summaries and status bars)."""
    row = session.execute(
        select(sa.func.count(),
               sa.func.sum(sa.case((Complaint.next_due == today, 1), else_=0)),
               sa.func.sum(sa.case((Complaint.next_due < today, 1), else_=0)))
        .where(Complaint.office_id == office.id, col(Complaint.state).in_(OPEN_STATES))
    ).one()
    return ComplaintCounts(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))


@dataclass(frozen=True)
class TrailLine:
    seq: int
    at: datetime
    who_code: str
    who_name: str
    kind: str
    from_value: str | None
    to_value: str | None
    note: str


def trail(session: Session, complaint: Complaint | uuid.UUID) -> list[TrailLine]:
    complaint_id = complaint if isinstance(complaint, uuid.UUID) else complaint.id
    rows = session.exec(
        select(ComplaintEvent, Staff.code, Staff.name).join(Staff, Staff.id == ComplaintEvent.staff_id)
        .where(ComplaintEvent.complaint_id == complaint_id).order_by(ComplaintEvent.seq)
    ).all()
    return [TrailLine(e.seq, e.at, code, name, e.kind, e.from_value, e.to_value, e.note)
            for e, code, name in rows]


@dataclass(frozen=True)
class ComplaintView:
    """Everything the detail screen shows, with contact details only if allowed."""

    complaint: Complaint
    trail: list[TrailLine]
    contact: ComplaintContact | None
    contact_withheld: bool
    assigned_code: str | None
    opened_by_code: str
    actions: list[str]
    due: DueMark
    visit_ticket: str | None = None
    staff_choices: list[tuple[str, str]] = field(default_factory=list)
    acknowledged_late: bool = False


def view_complaint(session: Session, office: Office, complaint_id: uuid.UUID, viewer: Staff,
                   today: date) -> ComplaintView:
    complaint = _load(session, complaint_id)
    if complaint.office_id != office.id:
        raise CxdeskError("That complaint is not in this office's records.")
    assigned = session.get(Staff, complaint.assigned_to) if complaint.assigned_to else None
    opener = session.get(Staff, complaint.opened_by)
    contact = contact_for(session, complaint, viewer)
    link = visit_link(session, office, complaint.visit_id)
    choices = [(s.code, s.name) for s in session.exec(
        select(Staff).where(Staff.office_id == office.id, Staff.active).order_by(Staff.code))]
    return ComplaintView(
        complaint=complaint, trail=trail(session, complaint), contact=contact,
        contact_withheld=complaint.has_contact and contact is None,
        assigned_code=assigned.code if assigned else None, opened_by_code=opener.code,
        actions=allowed_actions(complaint, viewer), due=due_mark(complaint.next_due, today),
        visit_ticket=link.ticket if link else None, staff_choices=choices,
        acknowledged_late=(complaint.acknowledged_at is not None
                           and office_today(office, complaint.acknowledged_at) > complaint.acknowledge_due),
    )


def find_by_reference(session: Session, office: Office, reference: str) -> Complaint:
    reference = (reference or "").strip().upper()
    complaint = session.exec(
        select(Complaint).where(Complaint.office_id == office.id, Complaint.reference == reference)
    ).first()
    if complaint is None:
        raise CxdeskError(f"No complaint {reference or '(empty)'} in this office.")
    return complaint


# --- demo data -------------------------------------------------------------------

_DEMO_STORIES = (
    ("wait_time", "Waited over an hour with a 2 pm appointment.", "An apology and a shorter wait next time."),
    ("staff_conduct", "Felt rushed at window 2 and was not listened to.", "To be treated with respect."),
    ("wrong_information", "Was told on the phone no documents were needed; had to come back.",
     "Correct information on the phone line."),
    ("accessibility", "The ramp door was locked; had to wait outside in the rain.", "Keep the ramp door open."),
    ("process_too_complex", "The replacement card form asks the same thing three times.",
     "A simpler form."),
    ("decision_dispute", "Benefit reduced without explanation.", "A review of the decision."),
    ("privacy", "My case was discussed loudly where others could hear.", "A private room for such talks."),
    ("facilities", "Not enough chairs in the waiting area.", "More seating."),
    ("other", "Parking validation machine broken.", "Have it repaired."),
)


def demo_complaints(session: Session, office: Office, rng: random.Random, visits: Sequence[Visit],
                    staff: Sequence[Staff], now: datetime, count: int = 24) -> list[Complaint]:
    """Realistic complaints across every state, some overdue, each with its trail.

    Built through the domain functions above, so the demo obeys the same rules
    as the counter. ``visits`` are finished visits to link some complaints to;
    ``staff`` must include at least one supervisor.
    """
    settings = load_settings()
    supervisors = [s for s in staff if s.role == "supervisor"]
    clerks = [s for s in staff if s.role != "supervisor"] or supervisors
    if not supervisors:
        raise CxdeskError("The demo complaints need a supervisor among the staff.")
    today = office_today(office, now)
    zone = office_zone(office.timezone)
    # Targets cycle so every state appears; the age decides which are overdue.
    targets = ("received", "acknowledged", "frontline", "investigation", "escalated", "resolved",
               "closed", "reopened", "closed", "frontline", "received", "investigation")
    vias = [item.code for item in settings.received_via]
    made = []
    for index in range(count):
        target = targets[index % len(targets)]
        age = rng.randint(0, 6) if target in ("received", "acknowledged", "frontline") else rng.randint(3, 30)
        day = today - timedelta(days=age)
        while not is_working_day(day):
            day -= timedelta(days=1)
        opened = datetime.combine(day, datetime.min.time(), zone).replace(
            hour=rng.randint(9, 15), minute=rng.randint(0, 59)).astimezone(now.tzinfo)
        if opened > now:
            opened = now - timedelta(minutes=rng.randint(5, 90))
        clerk = rng.choice(clerks)
        category, what, wanted = rng.choice(_DEMO_STORIES)
        visit = rng.choice(visits) if visits and rng.random() < 0.5 else None
        via = "counter" if visit else rng.choice(vias)
        intake = ComplaintIntake(received_via=via, category=category, what_happened=what, wanted=wanted,
                                 urgency=rng.choice(("normal", "normal", "normal", "high", "urgent")),
                                 visit_id=visit.id if visit else None)
        complaint = open_complaint(session, office, clerk, intake, opened, settings)
        step = _demo_steps(opened, now, rng)
        if target == "received":
            made.append(complaint)
            continue
        acknowledge(session, complaint, clerk, next(step), note="Called the customer.")
        if target == "acknowledged":
            made.append(complaint)
            continue
        track = INVESTIGATION if target in ("investigation", "escalated") or rng.random() < 0.3 else FRONTLINE
        start_work(session, complaint, clerk, track, next(step), settings=settings)
        if rng.random() < 0.4:
            add_note(session, complaint, clerk, "Asked the customer for the letter they received.", next(step))
        if target == "investigation" and rng.random() < 0.5:
            extend(session, complaint, rng.choice(supervisors), days=5, reason="Waiting for the records office.",
                   customer_told=True, now=next(step), settings=settings)
        if target in ("frontline", "investigation"):
            made.append(complaint)
            continue
        supervisor = rng.choice(supervisors)
        if target == "escalated":
            escalate(session, complaint, clerk, "Customer asks for a supervisor.", next(step))
            made.append(complaint)
            continue
        resolve(session, complaint, clerk, what_was_done="Explained the rules and fixed the record.",
                customer_accepted=rng.random() < 0.8, now=next(step))
        if target in ("closed", "reopened"):
            close(session, complaint, supervisor, next(step))
        if target == "reopened":
            reopen(session, complaint, clerk, "The customer came back: the letter was wrong again.", next(step),
                   settings=settings)
        made.append(complaint)
    return made


def demo_end(session: Session, end, rng: random.Random) -> None:
    """The demo generator's closing hook (``cxdesk.demo.DemoExtender.end``).

    Unlike bulk extenders this goes through the domain functions, which commit
    as they go; it runs after every batch of visits is committed, so nothing of
    the generator's is left half-written by it.
    """
    office = session.get(Office, end.office.office_id)
    staff = list(session.exec(select(Staff).where(Staff.office_id == office.id, Staff.active)
                              .order_by(Staff.code)))
    recent = list(session.exec(
        select(Visit).where(Visit.office_id == office.id, Visit.state == "done",
                            Visit.day >= end.days[max(0, len(end.days) - 20)])
        .order_by(Visit.day, Visit.seq).limit(300)))
    demo_complaints(session, office, rng, recent, staff, end.now)


def __getattr__(name: str):
    # ``cxdesk.complaints:DEMO_EXTENDER`` for cxdesk.demo.EXTENDERS, built on first
    # use so that importing the complaints domain never loads the demo generator.
    if name == "DEMO_EXTENDER":
        from cxdesk.demo import DemoExtender

        return DemoExtender("complaints", end=demo_end)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _demo_steps(opened: datetime, now: datetime, rng: random.Random):
    """Moments after ``opened`` and never after ``now``, for the steps of one demo complaint."""
    moment = opened
    while True:
        moment = min(moment + timedelta(hours=rng.randint(2, 40)), now)
        yield moment


# --- the list outside the UI ------------------------------------------------------

CSV_COLUMNS = ("reference", "office", "received_at", "received_day", "received_via", "category", "urgency",
               "state", "track", "assigned_to", "acknowledge_due", "resolution_due", "next_due", "due_status",
               "acknowledged_at", "resolved_at", "closed_at", "extensions", "customer_accepted", "service",
               "segment", "linked_to_visit")
CONTACT_COLUMNS = ("contact_name", "contact_phone", "contact_email", "contact_language")


def csv_records(session: Session, office: Office, rows: Sequence[QueueRow],
                contact_viewer: Staff | None = None) -> list[dict[str, str]]:
    """One flat record per queue row, for CSV. Free text stays out (the least
    personal data); contact columns only when a supervisor asks for them."""
    if contact_viewer is not None and contact_viewer.role != "supervisor":
        raise CxdeskError("Only a supervisor can export contact details.")
    ids = [row.id for row in rows]
    complaints = {c.id: c for c in session.exec(select(Complaint).where(col(Complaint.id).in_(ids)))} if ids else {}
    contacts = {}
    if contact_viewer is not None and ids:
        contacts = {c.complaint_id: c for c in session.exec(
            select(ComplaintContact).where(col(ComplaintContact.complaint_id).in_(ids)))}

    def stamp(value: datetime | None) -> str:
        return value.isoformat(timespec="seconds") if value else ""

    records = []
    for row in rows:
        c = complaints[row.id]
        record = {
            "reference": c.reference, "office": office.code, "received_at": stamp(c.received_at),
            "received_day": c.day.isoformat(), "received_via": c.received_via, "category": c.category,
            "urgency": c.urgency, "state": c.state, "track": c.track or "", "assigned_to": row.assigned_code or "",
            "acknowledge_due": c.acknowledge_due.isoformat(), "resolution_due": c.resolution_due.isoformat(),
            "next_due": c.next_due.isoformat() if c.next_due else "", "due_status": row.due.status,
            "acknowledged_at": stamp(c.acknowledged_at), "resolved_at": stamp(c.resolved_at),
            "closed_at": stamp(c.closed_at), "extensions": str(c.extensions),
            "customer_accepted": "" if c.customer_accepted is None else ("yes" if c.customer_accepted else "no"),
            "service": c.service or "", "segment": c.segment or "",
            "linked_to_visit": "yes" if c.visit_id else "no",
        }
        if contact_viewer is not None:
            contact = contacts.get(c.id)
            record.update({
                "contact_name": contact.name if contact else "", "contact_phone": contact.phone if contact else "",
                "contact_email": contact.email if contact else "",
                "contact_language": contact.language if contact else "",
            })
        records.append(record)
    return records
