"""Sign-in at a station with staff code and PIN; first run goes to setup.

This is the counter terminal's first screen: it paints at once and opens the
database behind it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxdesk.screens.base import BaseScreen
from cxdesk.screens.widgets import FormInput, KeyBar, MessageLine
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Header, Input, Label, Select, Static

from cxdesk.errors import CxdeskError

if TYPE_CHECKING:
    from cxdesk.domain.staff import SignedIn


class SignInScreen(BaseScreen):
    """Staff code + PIN at a station. A station held by someone else's open shift is
    refused with their name; signing in again with the same code takes it over."""

    CSS_PATH = "forms.tcss"
    AUTO_FOCUS = "#code"
    BINDINGS = [
        Binding("enter", "sign_in", "Sign in", tooltip="Sign in with this staff code and PIN.",
                id="sign-in", show=True),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="form", classes="form"):
            yield Static("Sign in to the counter", classes="form-title")
            yield Static("Opening the database…", id="status")
            yield Label("Station")
            yield Select([], prompt="Choose your station", id="station", allow_blank=True)
            yield Label("Staff code")
            yield FormInput(placeholder="e.g. CLK1", id="code", max_length=16)
            yield Label("PIN")
            yield FormInput(placeholder="4 to 12 digits", id="pin", password=True, max_length=12,
                            advance=False)
            yield MessageLine(id="message")
            if self.app.demo_hint:
                # The demo's kiosk must open the demo's file: the exact command is part of the hint.
                kiosk = self.app.kiosk_command.format(station="W1")
                yield Static(Content(f"ℹ {self.app.demo_hint}. Survey kiosk for W1: {kiosk}"), id="demo-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        # Set after a refusal naming who holds the station: the same sign-in again takes it over.
        self._take_over: tuple[str, str] | None = None
        # What the form shows: the office (name, code) and its stations as (code, name).
        self._shown: tuple[tuple[str, str], tuple[tuple[str, str], ...]] | None = None
        self._glanced = False  # stations shown from the first look, the real open behind it
        self._failed = False  # the database could not be opened (the status says why)
        self._bench_signed_in = False
        self.call_after_refresh(self.app.screen_ready, "signin")
        if self.app.db is None:
            # After the first paint: importing the database layer in a thread
            # would otherwise compete with it for the interpreter.
            self.call_after_refresh(self._start_opening)
        else:
            self._show_stations()

    def _start_opening(self) -> None:
        self.run_worker(self._open_database(), exclusive=True, group="open")

    async def _open_database(self) -> None:
        app = self.app
        # A first look with plain sqlite3 lists the stations before SQLAlchemy and the
        # models have loaded (cxdesk/store/glance.py); the real open follows on the same
        # thread, so a sign-in typed meanwhile waits for it and never runs before it.
        from cxdesk.store.glance import glance

        first_look = await app.run_in_db_thread(lambda: glance(app.db_url))
        if first_look is not None:
            self._glanced = True
            self._fill((first_look.office_name, first_look.office_code), first_look.stations)

        def read(session):
            from cxdesk.domain.office import get_office, stations

            office = get_office(session)
            return office, stations(session, office) if office else []

        try:
            office, station_list = await app.open_store(read)
            app.screen_ready('opened')
        except CxdeskError as exc:
            self._fail(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - the screen says what and where
            from cxdesk.logs import unexpected_message

            self._fail(f"Cannot open the database. {unexpected_message(exc, 'opening the database')}")
            return
        database = app.db
        app.office = office
        if database.created:
            app.notify("Created a new database.", timeout=4)
        elif database.upgraded_from:
            app.notify(f"Upgraded the database schema from {database.upgraded_from}.", timeout=6)
        if office is None:
            from cxdesk.screens.setup import SetupScreen

            app.switch_screen(SetupScreen())
            return
        self._set_stations(station_list)

    def _fail(self, text: str) -> None:
        self._failed = True
        self.query_one("#status", Static).update(Content(f"✖ {text}\nPress Ctrl+Q to quit."))
        self.query_one("#status").add_class("-error")
        for widget in self.query("Input, Select"):
            widget.disabled = True

    def _show_stations(self) -> None:
        app = self.app
        if not hasattr(self, "_stations"):
            from cxdesk.domain.office import stations

            app.run_db(lambda session: stations(session, app.office), self._set_stations,
                       description="read the stations")
            return
        self._set_stations(self._stations)

    def _set_stations(self, station_list) -> None:
        self._stations = station_list
        office = self.app.office
        self._fill((office.name, office.code), tuple((s.code, s.name) for s in station_list))

    def _fill(self, office: tuple[str, str], stations: tuple[tuple[str, str], ...]) -> None:
        """Show the office and its stations (once from the first look, again only if the
        real open found otherwise); the station chosen stays chosen."""
        if self._shown == (office, stations):
            self._bench_sign_in(opened=True)
            return
        first = self._shown is None
        self._shown = (office, stations)
        select = self.query_one("#station", Select)
        chosen = select.value
        select.set_options([(Content(f"{name} ({code})"), code) for code, name in stations])
        codes = [code for code, _name in stations]
        if chosen in codes:
            select.value = chosen
        elif codes:
            select.value = codes[0]
        name, code = office
        self.query_one("#status", Static).update(Content(f"{name} ({code})"))
        self.app.sub_title = name
        if first:
            self.app.screen_ready("signin-ready")
        self._bench_sign_in(opened=not first or self.app.db is not None)

    def _bench_sign_in(self, opened: bool) -> None:
        """Benchmarks only: sign in by itself as soon as the stations show, or (with
        CXDESK_BENCH_SIGNIN_WHEN=opened, as a clerk still typing) once the database is open."""
        bench = _bench_credentials()
        if not bench or self._bench_signed_in:
            return
        import os

        if os.environ.get("CXDESK_BENCH_SIGNIN_WHEN") == "opened" and not opened:
            return
        self._bench_signed_in = True
        code, pin, station = bench
        self.query_one("#code", Input).value = code
        self.query_one("#pin", Input).value = pin
        self.query_one("#station", Select).value = station
        self.app.screen_ready("signin-submitted")
        self.action_sign_in()

    @on(Input.Submitted, "#pin")
    def _pin_done(self) -> None:
        self.action_sign_in()

    def action_sign_in(self) -> None:
        app = self.app
        message = self.query_one("#message", MessageLine)
        if self._failed:
            message.show_error("The database could not be opened (see above).")
            return
        if app.office is None and not self._glanced:
            message.show_error("The database is still opening.")
            return
        station_code = self.query_one("#station", Select).value
        code = self.query_one("#code", Input).value
        pin_input = self.query_one("#pin", Input)
        pin = pin_input.value
        if station_code is Select.NULL or station_code is None:
            message.show_error("Choose your station first (the list at the top).")
            self.query_one("#station", Select).focus()
            return
        if not code.strip():
            message.show_error("Enter your staff code.")
            self.query_one("#code", Input).focus()
            return
        if not pin:
            message.show_error("Enter your PIN.")
            pin_input.focus()
            return
        attempt = (str(station_code), code.strip().upper())
        take_over = self._take_over == attempt

        def sign_in(session) -> SignedIn:
            from cxdesk.domain.office import get_station, require_office
            from cxdesk.domain.staff import sign_in as do_sign_in

            # Typed while the real open was still on its way (after the first look), this
            # step ran after it on the database thread: the office is read here if need be.
            office = app.office or require_office(session)
            station = get_station(session, office, station_code)
            return do_sign_in(session, office, code=code, pin=pin, station=station, now=app.now(),
                              take_over=take_over)

        def failed(exc: CxdeskError) -> None:
            from cxdesk.domain.staff import StationTaken

            self._take_over = attempt if isinstance(exc, StationTaken) else None
            pin_input.value = ""
            pin_input.focus()
            message.show_error(str(exc))

        message.show_info("Checking…")
        app.run_db(sign_in, self._signed_in, on_error=failed, description="sign in")

    def _signed_in(self, signed_in: SignedIn) -> None:
        self.app.screen_ready('signed-in')
        if signed_in.staff.must_change_pin:
            from cxdesk.screens.setup import ChangePinScreen

            self.app.push_screen(ChangePinScreen(signed_in), self._pin_changed)
            return
        self._to_counter(signed_in)

    def _pin_changed(self, signed_in: SignedIn | None) -> None:
        if signed_in is not None:
            self._to_counter(signed_in)
        else:
            self.query_one("#message", MessageLine).show_info("Choose a new PIN to sign in.")

    def _to_counter(self, signed_in: SignedIn) -> None:
        from cxdesk.screens.barrier import ask_after_sign_in

        app = self.app
        app.start_counter(signed_in)
        ask_after_sign_in(app, signed_in)  # the barrier survey prompt, if this period is unanswered


def _bench_credentials() -> tuple[str, str, str] | None:
    """Benchmarks only (with CXDESK_BENCH_READY set): sign in as CODE:PIN:STATION."""
    import os

    if not os.environ.get("CXDESK_BENCH_READY"):
        return None
    value = os.environ.get("CXDESK_BENCH_SIGNIN", "")
    parts = value.split(":")
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else None
