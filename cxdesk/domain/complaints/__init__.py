"""Complaints (EO 12862 1(g), 1(h)): settings, intake, the lifecycle and its rules,
and the customer's receipt. The queue and detail views are in ``cxdesk.reports.complaint_queue``.

The names below are the package's, loaded from their module on first use (PEP 562):
importing the pure ``rules`` or ``settings`` (as the reports and the exchange do) then
loads no writing module, which an eager re-export here would do behind their back.
"""

from __future__ import annotations

import importlib

# Name -> the module of this package that holds it.
_HOMES = {
    **dict.fromkeys((
        "ComplaintIntake", "ContactDetails", "EMAIL", "MIN_PHONE_DIGITS", "TEXT_LIMIT",
        "VisitLink", "WANTED_LIMIT", "make_reference", "open_complaint", "visit_link",
    ), "intake"),
    **dict.fromkeys((
        "acknowledge", "add_note", "assign", "close", "escalate", "extend", "reopen", "resolve",
        "start_work",
    ), "lifecycle"),
    **dict.fromkeys((
        "receipt_lines", "spell_day", "spoken_reference",
    ), "receipt"),
    **dict.fromkeys((
        "ACKNOWLEDGED", "ACTIONS", "ACTION_LABELS", "CLOSED", "DueMark", "ESCALATED", "FRONTLINE",
        "INVESTIGATION", "IN_PROGRESS", "OPEN_STATES", "RECEIVED", "REOPENED", "RESOLVED",
        "STATES", "STATE_LABELS", "TRACKS", "allowed_actions", "can_see_contact", "due_mark",
        "refusal", "state_text",
    ), "rules"),
    **dict.fromkeys((
        "ComplaintSettings", "categories", "load_settings", "parse_settings",
    ), "settings"),
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # once loaded, an ordinary module attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
