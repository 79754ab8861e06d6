"""Taking a complaint (EO 12862 1(g)): what the form collects, the reference number,
the deadlines, and contact details kept only with the customer's consent.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlmodel import Session

from cxdesk.domain.complaints.rules import RECEIVED
from cxdesk.domain.complaints.settings import (
    ComplaintSettings,
    categories,
    load_settings,
)
from cxdesk.domain.complaints.trail import append_event
from cxdesk.domain.numbering import commit_numbered
from cxdesk.domain.visits import ticket
from cxdesk.domain.workdays import add_working_days
from cxdesk.errors import CxdeskError
from cxdesk.store.catalogs import office_catalog
from cxdesk.store.models import Complaint, ComplaintContact, Office, Staff, Visit
from cxdesk.text import clean_block, clean_line
from cxdesk.vocab import LANGUAGES

TEXT_LIMIT = 2000
WANTED_LIMIT = 1000
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ()./-]+$")
MIN_PHONE_DIGITS = 7
MAX_PHONE_DIGITS = 15  # E.164


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
        name = clean_line(self.name, "The contact name", 80, required=False)
        phone = clean_line(self.phone, "The phone number", 40, required=False)
        email = clean_line(self.email, "The email address", 200, required=False)
        if not phone and not email:
            raise CxdeskError("Give a phone number or an email address to reach the customer.")
        if phone:
            digits = sum(ch.isdigit() for ch in phone)
            if not PHONE_CHARACTERS.match(phone):
                raise CxdeskError("The phone number may hold only digits, spaces and + - ( ) . /")
            if digits < MIN_PHONE_DIGITS:
                raise CxdeskError(f"The phone number is too short: it needs at least {MIN_PHONE_DIGITS} "
                                  f"digits (it has {digits}).")
            if digits > MAX_PHONE_DIGITS:
                raise CxdeskError(f"The phone number is too long: at most {MAX_PHONE_DIGITS} digits.")
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
        what = clean_block(self.what_happened, "'What happened'", TEXT_LIMIT)
        if not what:
            raise CxdeskError("Write down what happened, in the customer's words.")
        wanted = clean_block(self.wanted, "'What the customer wants'", WANTED_LIMIT)
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
    day = office.local_day(now)
    ack_due = add_working_days(day, settings.acknowledge)
    via = settings.via(checked.received_via).label()
    category = categories().get(checked.category).label()

    def numbered(seq: int) -> list:
        complaint = Complaint(
            office_id=office.id, reference=make_reference(office.code, day, seq), day=day, seq=seq,
            received_at=now, received_via=checked.received_via, category=checked.category,
            urgency=checked.urgency, what_happened=checked.what_happened, wanted=checked.wanted,
            visit_id=checked.visit_id, service=service, segment=segment, state=RECEIVED,
            opened_by=who.id, assigned_to=who.id, acknowledge_due=ack_due,
            resolution_due=add_working_days(day, settings.frontline), next_due=ack_due,
            has_contact=checked.contact is not None,
        )
        rows: list = [complaint]
        session.add(complaint)
        append_event(session, complaint, who, now, "opened", None, RECEIVED,
                     f"Received {via.lower()}; about: {category.lower()}.", seq=1)
        if checked.contact is not None:
            contact = checked.contact
            rows.append(ComplaintContact(complaint_id=complaint.id, name=contact.name, phone=contact.phone,
                                         email=contact.email, language=contact.language, consent_at=now,
                                         consent_by=who.id))
            # The trail says that contact details exist, never what they are.
            append_event(session, complaint, who, now, "contact", None, None,
                         "Contact details recorded with the customer's consent.", seq=2)
        return rows

    return commit_numbered(session, Complaint, office.id, day, numbered,
                           busy="Could not number the complaint: try saving again.")
