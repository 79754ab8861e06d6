"""The staff screens' words are in one message catalog (issue 15): the template covers
every key label, tooltip and help text, and a translation reaches the key bar and help."""

from __future__ import annotations

import gettext
import importlib.util
from pathlib import Path

import cxdesk.i18n
from tests.pilot import make_app, press, sign_in

TOOL = Path(__file__).resolve().parents[2] / "tools" / "staff_messages.py"


def tool():
    spec = importlib.util.spec_from_file_location("staff_messages", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_catalog_template_is_up_to_date_with_every_binding():
    messages = tool()
    assert "Open a complaint (linked to the visit at the counter)." in messages.staff_messages()
    assert messages.TEMPLATE.read_text(encoding="utf-8") == messages.template(), (
        "cxdesk/locale/cxdesk.pot is out of date: run python tools/staff_messages.py")


class Spanish(gettext.NullTranslations):
    WORDS = {"Help": "Ayuda", "Complaint": "Queja", "Keys": "Teclas", "Next": "Siguiente"}

    def gettext(self, message):
        return self.WORDS.get(message, message)


async def test_a_translation_reaches_the_key_bar_and_the_help(db, office, db_url, clock, monkeypatch):
    monkeypatch.setattr(cxdesk.i18n, "staff_translation", lambda language=None: Spanish())
    app = make_app(db_url, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot)
        from cxdesk.screens.widgets import KeyBar

        labels = [label for _key, label, _on in app.screen.query_one(KeyBar).chips()]
        assert labels[:2] == ["Ayuda", "Queja"]
        await press(pilot, "f1")
        title = app.screen.query_one(".form-title").render()
        assert str(getattr(title, "plain", title)) == "Teclas"


def test_without_a_translation_staff_words_stay_english(monkeypatch):
    monkeypatch.setenv(cxdesk.i18n.STAFF_LANGUAGE_ENV, "xx")
    cxdesk.i18n.staff_translation.cache_clear()
    try:
        assert cxdesk.i18n.staff_text("Help") == "Help"
    finally:
        cxdesk.i18n.staff_translation.cache_clear()
