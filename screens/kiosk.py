"""The survey kiosk: a customer-facing terminal at a station (`cxdesk kiosk --station W1`).

It waits on a bilingual welcome, looks in the database about once a second for a
survey the clerk sent to its station, shows it, stores the answers, and waits again.
Works across processes on one SQLite file and on PostgreSQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxdesk.screens.app import CxdeskApp
from cxdesk.screens.survey import StaffPinDialog, SurveyScreen
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from cxdesk.clock import Clock, utcnow
from cxdesk.errors import CxdeskError

if TYPE_CHECKING:
    from cxdesk.domain.surveys.invitations import SurveyRun
    from cxdesk.domain.surveys.questions import SurveyTexts
    from cxdesk.store.models import Station

POLL_SECONDS = 1.0


class KioskIdleScreen(Screen):
    """Welcome, in English and Spanish, until a survey arrives."""

    CUSTOMER_FACING = True
    CSS_PATH = "survey.tcss"

    def compose(self) -> ComposeResult:
        with Vertical(id="kiosk-welcome"):
            yield Static("", id="kiosk-en-title", classes="kiosk-title")
            yield Static("", id="kiosk-en-body", classes="kiosk-body")
            yield Static("", id="kiosk-es-title", classes="kiosk-title")
            yield Static("", id="kiosk-es-body", classes="kiosk-body")
            yield Static("", id="kiosk-status")

    def show_texts(self, texts: SurveyTexts) -> None:
        for lang in ("en", "es"):
            self.query_one(f"#kiosk-{lang}-title", Static).update(texts.text("kiosk_title", lang))
            self.query_one(f"#kiosk-{lang}-body", Static).update(texts.text("kiosk_body", lang))

    def show_status(self, text: str) -> None:
        self.query_one("#kiosk-status", Static).update(text)


class KioskApp(CxdeskApp, inherit_bindings=False):
    """A customer-facing terminal: no staff screens at all; quitting needs a staff PIN."""

    BINDINGS = [
        Binding("ctrl+q", "staff_quit", "Quit", tooltip="Close the kiosk (staff code and PIN).",
                id="kiosk-quit", show=False, priority=True),
    ]
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, db_url: str, station_code: str, *, clock: Clock = utcnow,
                 theme_name: str | None = None, poll_seconds: float = POLL_SECONDS) -> None:
        super().__init__(db_url, clock=clock, theme_name=theme_name)
        self.station_code = station_code.strip().upper()
        self.station: Station | None = None
        self.poll_seconds = poll_seconds
        self._checking = False

    def on_mount(self, event: events.Mount) -> None:
        # Not the counter's start (sign-in): a kiosk has no staff screens at all.
        event.prevent_default()
        if self._theme_name in self.available_themes:
            self.theme = self._theme_name
        self.idle = KioskIdleScreen()
        self.push_screen(self.idle)
        self.run_worker(self._open(), exclusive=True, group="open")

    async def _open(self) -> None:
        def open_store():
            from cxdesk.domain.office import get_station, require_office
            from cxdesk.domain.surveys.questions import load_survey_texts
            from cxdesk.store.db import open_database

            database = open_database(self.db_url)
            try:
                with database.session() as session:
                    office = require_office(session)
                    station = get_station(session, office, self.station_code)
                return database, office, station, load_survey_texts()
            except CxdeskError:
                database.dispose()
                raise

        try:
            self.db, self.office, self.station, texts = await self.run_in_db_thread(open_store)
        except CxdeskError as exc:
            self.idle.show_status(f"✖ {exc}  (Ctrl+Q to quit)")
            return
        except Exception as exc:  # noqa: BLE001 - the screen says where the details are
            self.report_unexpected(exc, "opening the kiosk")
            return
        self.idle.show_texts(texts)
        self.idle.show_status(f"{self.office.name} · {self.station.name}")
        self.sub_title = self.station.name
        self.set_interval(self.poll_seconds, self.check_for_survey)
        self.check_for_survey()

    def check_for_survey(self) -> None:
        """Claim a survey sent to this station, if any (one look at a time, never over a survey)."""
        if self.station is None or self._checking or self.screen is not self.idle:
            return
        self._checking = True
        office, station, now = self.office, self.station, self.now()

        def claim(session):
            from cxdesk.domain.surveys.invitations import claim_for_kiosk

            return claim_for_kiosk(session, office, station, now)

        def claimed(run: SurveyRun | None) -> None:
            self._checking = False
            if run is not None and self.screen is self.idle:
                self.push_screen(SurveyScreen(run, idle_seconds=office.survey_idle_seconds),
                                 self._survey_done)

        def failed(exc: CxdeskError) -> None:
            self._checking = False
            self.idle.show_status(f"✖ {exc}")

        self.run_db(claim, claimed, on_error=failed, description="look for a survey")

    def _survey_done(self, _status: str | None) -> None:
        self.check_for_survey()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action in ("staff_quit", "focus_next", "focus_previous")

    def action_staff_quit(self) -> None:
        if self.office is None:
            self.exit()
            return
        if isinstance(self.screen, StaffPinDialog):
            return

        def unlocked(ok: bool | None) -> None:
            if ok:
                self.exit()

        self.push_screen(StaffPinDialog(None), unlocked)
