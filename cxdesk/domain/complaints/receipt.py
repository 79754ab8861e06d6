"""What the customer is told when a complaint is saved: the reference and the
acknowledgement date, in English and Spanish."""

from __future__ import annotations

from datetime import date

from cxdesk.store.models import Complaint

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

