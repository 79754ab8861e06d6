"""The complaint lifecycle's rules, without side effects: which step may follow
which, who may take it, how a deadline reads, who may see contact details.
Reports and screens ask these; ``lifecycle`` enforces them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cxdesk.domain.workdays import working_days_between
from cxdesk.store.models import Complaint, Staff
from cxdesk.vocab import (
    COMPLAINT_STATE_LABELS as STATE_LABELS,
)
from cxdesk.vocab import (
    FRONTLINE,
    INVESTIGATION,
    SUPERVISOR,
    TRACKS,
    ComplaintState,
)

RECEIVED = ComplaintState.RECEIVED
ACKNOWLEDGED = ComplaintState.ACKNOWLEDGED
IN_PROGRESS = ComplaintState.IN_PROGRESS
ESCALATED = ComplaintState.ESCALATED
RESOLVED = ComplaintState.RESOLVED
CLOSED = ComplaintState.CLOSED
REOPENED = ComplaintState.REOPENED
STATES = ComplaintState.ALL
OPEN_STATES = ComplaintState.OPEN

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
    if state == ESCALATED and action in ("start", "resolve") and who.role != SUPERVISOR:
        return f"{ref} is escalated: only a supervisor can take it on or resolve it."
    return None


def allowed_actions(complaint: Complaint, who: Staff) -> list[str]:
    """The lifecycle actions open to ``who`` now (a 'start' counts if any track is)."""
    return [action for action in ACTIONS
            if any(refusal(complaint, action, who, track) is None for track in TRACKS)]



def can_see_contact(complaint: Complaint, viewer: Staff) -> bool:
    """Clerks see contact details only for complaints they handle; supervisors all."""
    return viewer.role == SUPERVISOR or complaint.assigned_to == viewer.id

