"""The lobby board (`cxdesk board`): the numbers being called and their window, the
estimated wait, and the posted service standards with this week's result, in English and
Spanish, for a screen in the waiting room (EO 12862 1(c), 1(g)).

It reads the figures of cxdesk.reports.lobby about once a second (the standards once a
minute), notes each estimate it shows (cxdesk.domain.lobby: when it changes, and every
few minutes), rings the terminal bell when a number is called, and turns its pages: the calls
(in both languages), then the standards in English, the calls, the standards in Spanish.
A new call brings the calls page back at once. Nothing on it names a person, and no key
reaches a staff screen: Ctrl+Q asks for a staff code and PIN.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxdesk.screens.base import BaseApp, BaseScreen
from cxdesk.screens.dialogs.pin import StaffPinDialog
from cxdesk.screens.themes import HIGH_CONTRAST
from cxdesk.screens.widgets.bigtext import big_text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from cxdesk.clock import Clock, utcnow
from cxdesk.errors import CxdeskError

if TYPE_CHECKING:
    from cxdesk.reports.lobby import Call, PostedStandard, WaitEstimate

POLL_SECONDS = 1.0
STANDARDS_EVERY_SECONDS = 60.0
PAGE_SECONDS = 12.0
# The pages in turn: the calls in both languages, then the standards in each language.
# The pages in turn: the calls in both languages, the standards in English, the calls, the
# standards in Spanish; standards that do not fit one page go on as many as they need.
LANGS = ("en", "es")
# Rows the standards page needs besides the list (top bar, heading, complaint box, status).
STANDARDS_CHROME_ROWS = 15
STANDARDS_CHROME_ROWS_SHORT = 7


def _both(en: str, es: str) -> str:
    return f"{en} · {es}"


class BoardScreen(BaseScreen):
    """The board itself: two pages, one shown at a time."""

    CUSTOMER_FACING = True
    CSS_PATH = "board.tcss"

    def compose(self) -> ComposeResult:
        with Horizontal(id="board-top"):
            yield Static("", id="board-office")
            yield Static("", id="board-clock")
        with Vertical(id="board-calls", classes="board-page"):
            yield Static(_both("NOW CALLING", "LLAMANDO"), classes="board-heading")
            yield Static("", id="board-newest")
            yield Static("", id="board-newest-window")
            yield Static("", id="board-earlier")
            yield Static(_both("ESTIMATED WAIT IF YOU TAKE A TICKET NOW",
                               "ESPERA ESTIMADA SI TOMA UN TURNO AHORA"), classes="board-heading")
            yield Static("", id="board-wait")
        with Vertical(id="board-standards", classes="board-page"):
            yield Static("", id="board-standards-heading", classes="board-heading")
            yield Static("", id="board-standards-list")
            yield Static("", id="board-complain")
        yield Static("", id="board-status")

    def on_mount(self) -> None:
        self.show_page("calls")

    def show_page(self, page: str) -> None:
        """"calls", or "standards-<lang>-<n>" (the n-th page of standards, from 1)."""
        self.query_one("#board-calls").display = page == "calls"
        self.query_one("#board-standards").display = page.startswith("standards")
        self.current_page = page
        if page.startswith("standards"):
            self._show_standards()

    def pages(self) -> list[str]:
        """Every page in turn, as many standards pages per language as the screen needs."""
        count = len(self.standards_chunks())
        out = []
        for lang in LANGS:
            out.append("calls")
            out += [f"standards-{lang}-{n}" for n in range(1, count + 1)]
        return out

    def standards_chunks(self) -> list[tuple[int, int]]:
        """(first, end) slices of the standards that fit a page at this screen size."""
        standards = getattr(self, "_standards", None) or ()
        short = self.app.size.height < 30
        room = max(self.app.size.height - (STANDARDS_CHROME_ROWS_SHORT if short else STANDARDS_CHROME_ROWS), 4)
        width = max(self.app.size.width - 8, 20)
        chunks, first, used = [], 0, 0
        for index, standard in enumerate(standards):
            longest = max(len(standard.wording(lang)) for lang in LANGS)
            rows = -(-(longest + 2) // width) + 1
            if used and used + rows > room:
                chunks.append((first, index))
                first, used = index, 0
            used += rows
        chunks.append((first, len(standards)))
        return chunks

    # --- what the pages show -------------------------------------------------------

    def show_top(self, office_name: str, local_time: str) -> None:
        self.query_one("#board-office", Static).update(Content(office_name))
        self.query_one("#board-clock", Static).update(Content(local_time))

    def show_calls(self, calls: tuple[Call, ...]) -> None:
        newest = self.query_one("#board-newest", Static)
        window = self.query_one("#board-newest-window", Static)
        earlier = self.query_one("#board-earlier", Static)
        if not calls:
            newest.update(Content(""))
            window.update(Content(_both("No number called yet today.", "Aún no se ha llamado ningún número hoy.")))
            earlier.update(Content(""))
            return
        first = calls[0]
        newest.update(Content(big_text(first.ticket)))
        window.update(Content(f"{first.ticket}  →  {_both(first.window('en'), first.window('es'))}"))
        lines = [f"{call.ticket}  →  {_both(call.window('en'), call.window('es'))}"
                 + ("   ◀ calling · llamando" if call.calling else "") for call in calls[1:]]
        earlier.update(Content("\n".join(lines)))

    def show_waits(self, waits: tuple[WaitEstimate, ...]) -> None:
        lines = []
        for wait in waits:
            if len(waits) > 1:
                lines.append(_both(wait.label("en"), wait.label("es")))
            if wait.range is None:
                lines.append(f"—  {_both(wait.why_missing('en'), wait.why_missing('es'))}")
            else:
                lines.append(wait.text("en"))
                lines.append(wait.text("es"))
            lines.append(wait.people("en"))
            lines.append(wait.people("es"))
        self.query_one("#board-wait", Static).update(Content("\n".join(lines)))

    def set_standards(self, standards: tuple[PostedStandard, ...], complain_days: int) -> None:
        self._standards = standards
        self._complain_days = complain_days
        if getattr(self, "current_page", "").startswith("standards"):
            self._show_standards()

    def _show_standards(self) -> None:
        from cxdesk.reports.lobby import complaint_text

        _, lang, number = self.current_page.split("-")
        chunks = self.standards_chunks()
        number = min(int(number), len(chunks))
        standards = getattr(self, "_standards", None)
        heading = ("NUESTRAS NORMAS DE SERVICIO · resultado de esta semana" if lang == "es"
                   else "OUR SERVICE STANDARDS · this week's result")
        if len(chunks) > 1:
            heading += f" ({number}/{len(chunks)})"
        self.query_one("#board-standards-heading", Static).update(Content(heading))
        listing = self.query_one("#board-standards-list", Static)
        if standards is None:
            listing.update(Content("…"))
            return
        this_week = "Esta semana" if lang == "es" else "This week"
        first, end = chunks[number - 1]
        lines = []
        for standard in standards[first:end]:
            lines.append(f"• {standard.wording(lang)}")
            figure = standard.figure(lang)
            lines.append(f"    {this_week}: {standard.mark(lang)}" + (f" — {figure}" if figure != "—" else ""))
        listing.update(Content("\n".join(lines)))
        self.query_one("#board-complain", Static).update(Content(complaint_text(self._complain_days, lang)))

    def show_status(self, text: str) -> None:
        self.query_one("#board-status", Static).update(Content(text))


class BoardApp(BaseApp):
    """A lobby screen: no staff screens at all; quitting needs a staff code and PIN."""

    BINDINGS = [
        Binding("ctrl+q", "staff_quit", "Quit", tooltip="Close the board (staff code and PIN).",
                id="board-quit", show=False, priority=True),
        Binding("right,space", "turn_page", "Next page", tooltip="Show the next page of the board.",
                id="board-next-page", show=False),
    ]
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, db_url: str, *, clock: Clock = utcnow, theme_name: str | None = HIGH_CONTRAST,
                 poll_seconds: float = POLL_SECONDS, page_seconds: float = PAGE_SECONDS,
                 standards_seconds: float = STANDARDS_EVERY_SECONDS) -> None:
        super().__init__(db_url, clock=clock, theme_name=theme_name or HIGH_CONTRAST)
        self.poll_seconds = poll_seconds
        self.page_seconds = page_seconds
        self.standards_seconds = standards_seconds
        self._reading = False
        self._page_index = 0
        self._calling: set[tuple[str, str]] | None = None  # tickets being called, as last read
        self.bells = 0  # how many times a new call rang (for the tests)

    def start(self) -> None:
        self.board = BoardScreen()
        self._shown = self.push_screen(self.board)
        self.run_worker(self._open(), exclusive=True, group="open")

    async def _open(self) -> None:
        await self._shown

        def read(session):
            from cxdesk.domain.office import require_office

            return require_office(session)

        try:
            self.office = await self.open_store(read)
        except CxdeskError as exc:
            self.board.show_status(f"✖ {exc}  (Ctrl+Q to quit)")
            return
        except Exception as exc:  # noqa: BLE001 - the screen says where the details are
            self.board.show_status(f"✖ {self.as_failure(exc, 'open the lobby board')}  (Ctrl+Q to quit)")
            return
        self.sub_title = self.office.name
        self.refresh_calls()
        self.refresh_standards()
        self.set_interval(self.poll_seconds, self.refresh_calls)
        self.set_interval(self.standards_seconds, self.refresh_standards)
        self.set_interval(self.page_seconds, self.action_turn_page)

    # --- reading the figures ---------------------------------------------------------------

    def refresh_calls(self) -> None:
        """Read the calls and the wait (one read at a time; a failed read never stops the next)."""
        if self.office is None or self._reading:
            return
        self._reading = True
        office = self.office

        def read(session):
            from cxdesk.domain.lobby import record_estimate
            from cxdesk.reports.lobby import now_calling, wait_estimates

            now = self.now()
            calls, waits = tuple(now_calling(session, office, now)), tuple(wait_estimates(session, office, now))
            for wait in waits:  # kept, so the office can see how honest the estimates were
                shown = wait.range
                record_estimate(session, office, line=wait.group, waiting=wait.waiting,
                                windows_open=wait.windows_open, low=shown.low if shown else None,
                                high=shown.high if shown else None, now=now)
            return now, calls, waits

        def done(result) -> None:
            self._reading = False
            now, calls, waits = result
            self.board.show_top(office.name, f"{now.astimezone(office.zone):%H:%M}")
            self.board.show_calls(calls)
            self.board.show_waits(waits)
            self.board.show_status("")
            self._ring_for_new(calls)

        def failed(exc: CxdeskError) -> None:
            self._reading = False
            self.board.show_status(f"✖ {exc}  (still trying)")

        self.run_db(read, done, on_error=failed, description="read the calls")

    def _ring_for_new(self, calls: tuple[Call, ...]) -> None:
        calling = {(call.ticket, call.window_code) for call in calls if call.calling}
        new = calling - self._calling if self._calling is not None else set()
        self._calling = calling
        if new:
            self.bell()
            self.bells += 1
            self._page_index = 0
            self.board.show_page("calls")

    def refresh_standards(self) -> None:
        office = self.office
        if office is None:
            return

        def read(session):
            from cxdesk.domain.complaints.settings import load_settings
            from cxdesk.reports.lobby import posted_standards

            return tuple(posted_standards(session, office, office.local_day(self.now()))), \
                load_settings().acknowledge

        def done(result) -> None:
            self.board.set_standards(*result)

        self.run_db(read, done, on_error=lambda exc: self.board.show_status(f"✖ {exc}"),
                    description="read the service standards")

    # --- keys ---------------------------------------------------------------------------------

    def action_turn_page(self) -> None:
        if isinstance(self.screen, StaffPinDialog):
            return
        pages = self.board.pages()
        self._page_index = (self._page_index + 1) % len(pages)
        self.board.show_page(pages[self._page_index])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action in ("staff_quit", "turn_page", "focus_next", "focus_previous")

    def action_staff_quit(self) -> None:
        self.close_after_staff_pin("Staff only: close the lobby board", "Esc returns to the board.", self.exit)
