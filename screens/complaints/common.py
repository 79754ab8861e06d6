"""What the complaint screens share: labels from the catalogs and settings, dates as read."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from cxdesk.screens.base import stylesheet
from cxdesk.screens.dialogs import catalog

CSS = [stylesheet("forms.tcss"), stylesheet("complaints.tcss")]
ALL = "all"


def label(name: str, code: str | None) -> str:
    if not code:
        return "–"
    items = catalog(name)
    return items.get(code).label() if code in items else code


def setting_label(items, code: str) -> str:
    # An office may have dropped a code from its settings since the complaint was made.
    return next((item.label() for item in items if item.code == code), code)


def when(at: datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%a %d %b %H:%M")
