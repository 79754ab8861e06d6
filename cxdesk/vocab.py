"""The words cxdesk shares across layers: languages, roles, and the states of visits,
surveys and complaints. One home for each fact, so a screen, a report and an
export cannot disagree about what "waiting" or "es" means.

A leaf: imports nothing of the project.
"""

from __future__ import annotations

# --- languages a customer is served in (EO 12862 1(g): Spanish for every customer text)

LANGUAGES: tuple[str, ...] = ("en", "es")
LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}
# How each language names itself, for pick lists a customer reads.
LANGUAGE_CHOICES = (("en", "English"), ("es", "Español (Spanish)"))

# --- staff roles -----------------------------------------------------------------

CLERK = "clerk"
SUPERVISOR = "supervisor"
ROLES = (CLERK, SUPERVISOR)

# --- visits: waiting → called → serving → done; on_hold, no_show, left ----------


class VisitState:
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    ON_HOLD = "on_hold"
    DONE = "done"
    NO_SHOW = "no_show"
    LEFT = "left"

    IN_LINE = (WAITING, ON_HOLD)
    AT_COUNTER = (CALLED, SERVING)
    ENDED = (DONE, NO_SHOW, LEFT)


# How a state reads on a staff screen: a symbol and a word, never colour alone.
VISIT_STATE_LABELS = {
    VisitState.WAITING: "… WAITING",
    VisitState.ON_HOLD: "⏸ ON HOLD",
    VisitState.CALLED: "☎ CALLED",
    VisitState.SERVING: "▶ SERVING",
    VisitState.DONE: "✔ DONE",
    VisitState.NO_SHOW: "✖ NO-SHOW",
    VisitState.LEFT: "↩ LEFT",
}

# --- customer surveys (OMB A-11 Section 280) ----------------------------------------

# Office.survey_set -> the data file holding that question set.
SURVEY_SET_FILES = {"a11_v2_radio": "survey_a11_v2", "likert": "survey_likert"}
SURVEY_SETS = tuple(SURVEY_SET_FILES)


class SurveyStatus:
    """An invitation: pending (kiosk, not yet on screen) → shown → completed |
    partial | skipped; a kiosk invitation nobody picked up becomes expired."""

    PENDING = "pending"
    SHOWN = "shown"
    COMPLETED = "completed"
    PARTIAL = "partial"
    SKIPPED = "skipped"
    EXPIRED = "expired"

    OPEN = (PENDING, SHOWN)
    # The survey never reached the customer: no opportunity to answer.
    NOT_OFFERED = (PENDING, EXPIRED)


# What the counter recorded at the end of a visit about the survey (A-11 "customers
# offered the survey" is a count of these, not an inference from invitations).
class SurveyOffer:
    OFFERED = "offered"
    DECLINED = "declined"  # offered; the customer said no
    NOT_OFFERED = "not_offered"  # with one of NOT_OFFERED_REASONS

    ALL = (OFFERED, DECLINED, NOT_OFFERED)
    # Both count as "offered the survey" in the A-11 volumes.
    COUNTED_OFFERED = (OFFERED, DECLINED)


# Why a customer was not offered the survey (the clerk picks one).
NOT_OFFERED_REASONS = {
    "hurry": "Customer in a hurry",
    "language": "Survey not available in the customer's language",
    "complaint": "Complaint in progress",
    "distress": "Customer upset or distressed",
    "equipment": "Screen or kiosk not working",
    "other": "Another reason",
}


HANDOVER = "handover"
KIOSK = "kiosk"
SURVEY_MODES = (HANDOVER, KIOSK)

# --- complaints (EO 12862 1(h)) -------------------------------------------------------


class ComplaintState:
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"

    ALL = (RECEIVED, ACKNOWLEDGED, IN_PROGRESS, ESCALATED, RESOLVED, CLOSED, REOPENED)
    OPEN = (RECEIVED, ACKNOWLEDGED, IN_PROGRESS, ESCALATED, REOPENED)


COMPLAINT_STATE_LABELS = {
    ComplaintState.RECEIVED: "received",
    ComplaintState.ACKNOWLEDGED: "acknowledged",
    ComplaintState.IN_PROGRESS: "in progress",
    ComplaintState.ESCALATED: "escalated",
    ComplaintState.RESOLVED: "resolved",
    ComplaintState.CLOSED: "closed",
    ComplaintState.REOPENED: "reopened",
}
FRONTLINE = "frontline"
INVESTIGATION = "investigation"
TRACKS = (FRONTLINE, INVESTIGATION)
