"""Complaints (EO 12862 1(g), 1(h)): settings, intake, the lifecycle and its rules,
and the customer's receipt. The queue and detail views are in ``cxdesk.reports.complaint_queue``.
"""

from cxdesk.domain.complaints.intake import (
    EMAIL,
    MIN_PHONE_DIGITS,
    TEXT_LIMIT,
    WANTED_LIMIT,
    ComplaintIntake,
    ContactDetails,
    VisitLink,
    make_reference,
    open_complaint,
    visit_link,
)
from cxdesk.domain.complaints.lifecycle import (
    acknowledge,
    add_note,
    assign,
    close,
    escalate,
    extend,
    reopen,
    resolve,
    start_work,
)
from cxdesk.domain.complaints.receipt import receipt_lines, spell_day, spoken_reference
from cxdesk.domain.complaints.rules import (
    ACKNOWLEDGED,
    ACTION_LABELS,
    ACTIONS,
    CLOSED,
    ESCALATED,
    FRONTLINE,
    IN_PROGRESS,
    INVESTIGATION,
    OPEN_STATES,
    RECEIVED,
    REOPENED,
    RESOLVED,
    STATE_LABELS,
    STATES,
    TRACKS,
    DueMark,
    allowed_actions,
    can_see_contact,
    due_mark,
    refusal,
    state_text,
)
from cxdesk.domain.complaints.settings import (
    ComplaintSettings,
    categories,
    load_settings,
    parse_settings,
)

__all__ = [
    "ACKNOWLEDGED", "ACTION_LABELS", "ACTIONS", "CLOSED", "EMAIL", "ESCALATED", "FRONTLINE",
    "IN_PROGRESS", "INVESTIGATION", "MIN_PHONE_DIGITS", "OPEN_STATES", "RECEIVED", "REOPENED",
    "RESOLVED", "STATES", "STATE_LABELS", "TEXT_LIMIT", "TRACKS", "WANTED_LIMIT", "ComplaintIntake",
    "ComplaintSettings", "ContactDetails", "DueMark", "VisitLink", "acknowledge", "add_note",
    "allowed_actions", "assign", "can_see_contact", "categories", "close", "due_mark", "escalate",
    "extend", "load_settings", "make_reference", "open_complaint", "parse_settings", "receipt_lines",
    "refusal", "reopen", "resolve", "spell_day", "spoken_reference", "start_work", "state_text",
    "visit_link",
]
