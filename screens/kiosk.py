"""The survey kiosk: a customer-facing terminal at a station (`cxdesk kiosk --station W1`).

It waits on a bilingual welcome, looks in the database about once a second for a
survey the clerk sent to its station, shows it, stores the answers, and waits
again. It notes that it is listening (a heartbeat), so a clerk sending a survey
to a station with no kiosk running is told so. Works across processes on one
SQLite file and on PostgreSQL. Every failure of a look (a locked database, a
lost server) is shown and the kiosk keeps looking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxdesk.screens.base import BaseApp, BaseScreen
from cxdesk.screens.survey import SurveyScreen
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from cxdesk.clock import Clock, utcnow
from cxdesk.errors import CxdeskError

if TYPE_CHECKING:
    from datetime import datetime

    from cxdesk.domain.surveys.questions import SurveyTexts
    from cxdesk.store.models import Station

POLL_SECONDS = 1.0


class KioskIdleScreen(BaseScreen):
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
            yield Static("", id="kiosk-database")

    def show_texts(self, texts: SurveyTexts) -> None:
        for lang in ("en", "es"):
            self.query_one(f"#kiosk-{lang}-title", Static).update(Content(texts.text("kiosk_title", lang)))
            self.query_one(f"#kiosk-{lang}-body", Static).update(Content(texts.text("kiosk_body", lang)))

    def show_status(self, text: str) -> None:
        self.query_one("#kiosk-status", Static).update(Content(text))

    def show_database(self, text: str) -> None:
        self.query_one("#kiosk-database", Static).update(Content(text))


class KioskApp(BaseApp):
    """A customer-facing terminal: no staff screens at all; quitting needs a staff PIN."""

    BINDINGS = [
        Binding("ctrl+q", "staff_quit", "Quit", tooltip="Close the kiosk (staff code and PIN).",
                id="kiosk-quit", show=False, priority=True),
    ]
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, db_url: str, station_code: str, *, clock: Clock = utcnow,
                 theme_name: str | None = None, poll_seconds: float = POLL_SECONDS,
                 screen_reader: bool = False) -> None:
        super().__init__(db_url, clock=clock, theme_name=theme_name, screen_reader=screen_reader)
        self.station_code = station_code.strip().upper()
        self.station: Station | None = None
        self.poll_seconds = poll_seconds
        self._checking = False
        self._last_heartbeat: datetime | None = None

    def start(self) -> None:
        self.idle = KioskIdleScreen()
        self._idle_shown = self.push_screen(self.idle)
        self.run_worker(self._open(), exclusive=True, group="open")

    async def _open(self) -> None:
        station_code = self.station_code
        await self._idle_shown

        def read(session):
            from cxdesk.domain.office import get_station, require_office
            from cxdesk.domain.surveys.questions import load_survey_texts

            office = require_office(session)
            return office, get_station(session, office, station_code), load_survey_texts()

        # Which database: a kiosk started on the wrong file says so on its face.
        self.idle.show_database(f"Database: {_database_name(self.db_url)}")
        try:
            self.office, self.station, texts = await self.open_store(read)
        except CxdeskError as exc:
            self.idle.show_status(f"✖ {exc}  (Ctrl+Q to quit)")
            return
        except Exception as exc:  # noqa: BLE001 - the screen says where the details are
            self.idle.show_status(f"✖ {self.as_failure(exc, 'open the kiosk')}  (Ctrl+Q to quit)")
            return
        self.idle.show_texts(texts)
        self.idle.show_status(f"{self.office.name} · {self.station.name}")
        self.sub_title = self.station.name
        self.set_interval(self.poll_seconds, self.check_for_survey)
        self.check_for_survey()

    def check_for_survey(self) -> None:
        """Claim a survey sent to this station, if any (one look at a time, never over a survey).

        Whatever happens to the look, ``_checking`` is cleared: a failed look never
        stops the next one.
        """
        if self.station is None or self._checking or self.screen is not self.idle:
            return
        self._checking = True
        office, station = self.office, self.station
        beat_due = self._heartbeat_due()

        def claim(session):
            from cxdesk.domain.surveys.invitations import claim_for_kiosk, kiosk_heartbeat

            now = self.now()
            if beat_due:
                kiosk_heartbeat(session, station, now)
            return claim_for_kiosk(session, office, station, now), now

        def claimed(result) -> None:
            run, now = result
            self._checking = False
            if beat_due:
                self._last_heartbeat = now
            self.idle.show_status(f"{office.name} · {station.name}")
            if run is not None and self.screen is self.idle:
                self.push_screen(SurveyScreen(run, idle_seconds=office.survey_idle_seconds), self._survey_done)

        def failed(exc: CxdeskError) -> None:
            self._checking = False
            self.idle.show_status(f"✖ {exc}  (still looking)")

        self.run_db(claim, claimed, on_error=failed, description="look for a survey")

    def _heartbeat_due(self) -> bool:
        from cxdesk.domain.surveys.invitations import KIOSK_HEARTBEAT_EVERY

        last = self._last_heartbeat
        return last is None or self.now() - last >= KIOSK_HEARTBEAT_EVERY

    def _survey_done(self, status: str | None) -> None:
        if status == "error":
            self.idle.show_status("✖ The last survey's answers could not be saved.")
        self.check_for_survey()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action in ("staff_quit", "focus_next", "focus_previous")

    def action_staff_quit(self) -> None:
        self.close_after_staff_pin("Staff only: close the kiosk", "Esc returns to the welcome.", self._close)

    def _close(self) -> None:
        station = self.station

        def closed(session) -> None:
            from cxdesk.domain.surveys.invitations import kiosk_closed

            kiosk_closed(session, station)

        # Closing is never blocked: without the note, the kiosk is "not listening" within seconds anyway.
        self.run_db(closed, lambda _: self.exit(), on_error=lambda _exc: self.exit(), description="close the kiosk")


def _database_name(url: str) -> str:
    """The SQLite file, or the server URL without its password (no SQLAlchemy import before paint)."""
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    scheme, _, rest = url.partition("://")
    host = rest.rpartition("@")[2]
    return f"{scheme}://{host}"
