"""The staff's message catalog: one gettext domain for the words of the staff screens.

Staff screens are in English today; a second language is a translation of one
catalog, not a hunt through the code. The catalog's template is
``cxdesk/locale/cxdesk.pot`` (``python tools/staff_messages.py`` rewrites it from
the key bindings and the help screen, and a test checks it is up to date); a
translation goes in ``cxdesk/locale/<lang>/LC_MESSAGES/cxdesk.mo`` and is chosen
with ``CXDESK_STAFF_LANGUAGE``. What customers read is not here: it is bilingual
data in ``data/*.toml``, chosen per customer.

A leaf: imports nothing of the project.
"""

from __future__ import annotations

import gettext
import os
from functools import cache
from pathlib import Path

DOMAIN = "cxdesk"
LOCALE_DIR = Path(__file__).parent / "locale"
STAFF_LANGUAGE_ENV = "CXDESK_STAFF_LANGUAGE"


@cache
def staff_translation(language: str | None = None) -> gettext.NullTranslations:
    """The translation for staff screens (English, as written, when there is none)."""
    chosen = language or os.environ.get(STAFF_LANGUAGE_ENV, "").strip() or "en"
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[chosen], fallback=True)


def staff_text(message: str) -> str:
    """``message`` in the staff's language."""
    return staff_translation().gettext(message) if message else message
