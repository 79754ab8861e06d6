"""The cxdesk counter application: sign-in, the counter, and the staff screens.

The first screen paints before the database layer is imported; the store opens
behind it. All database work runs, in order, on one worker thread (``run_db``),
so a clerk's fast keystrokes are applied in the order they were typed.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from cxdesk.screens.themes import register_themes
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from cxdesk.clock import Clock, utcnow
from cxdesk.errors import CxdeskError

if TYPE_CHECKING:
    import uuid

    from cxdesk.domain.staff import SignedIn
    from cxdesk.store.db import Database
    from cxdesk.store.models import Office

T = TypeVar("T")

# Actions a customer holding the keyboard may still trigger (none of them staff's).
CUSTOMER_SAFE_ACTIONS = frozenset({"focus_next", "focus_previous"})
# Staff actions that make sense only once someone has signed in at this station.
SIGNED_IN_ACTIONS = frozenset({"staff_settings", "sign_out", "open_complaint", "complaints",
                               "survey_results", "barrier_survey", "standards", "supervisor_summary"})
SUPERVISOR_ACTIONS = frozenset({"staff_settings", "survey_results", "standards", "supervisor_summary"})


class CxdeskApp(App):
    """The counter terminal."""

    TITLE = "cxdesk"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("f1", "help", "Help", tooltip="Every key of this screen, with what it does.",
                id="help", priority=True),
        Binding("f2", "open_complaint", "Complaint", tooltip="Open a complaint (linked to the visit at the counter).",
                id="open-complaint", priority=True),
        Binding("f3", "standards", "Standards",
                tooltip="Service standards: history, benchmarks; add, change, retire (supervisors).",
                id="standards", priority=True),
        Binding("f5", "staff_settings", "Staff", tooltip="Staff, stations and office settings (supervisors).",
                id="staff-settings", priority=True),
        Binding("f6", "survey_results", "Survey results",
                tooltip="Customer survey results by period, service and segment (supervisors).",
                id="survey-results", priority=True),
        Binding("f7", "complaints", "Complaints",
                tooltip="The complaints queue: mine and the office's, soonest deadline first.",
                id="complaints", priority=True),
        Binding("f8", "supervisor_summary", "Summary",
                tooltip="Shift, day, week or quarter against the standards; sign off (supervisors).",
                id="supervisor-summary", priority=True),
        Binding("f10", "sign_out", "Sign out", tooltip="Close your shift and return to sign-in.",
                id="sign-out", priority=True),
        # EO 12862 1(e): any staff member, any time; asked at sign-in too (screens/barrier.py).
        Binding("ctrl+y", "barrier_survey", "Barrier survey",
                tooltip="Answer the front-line barrier survey (anonymous): what gets in your way, one idea.",
                id="barrier-survey", priority=True, show=False),
        # Quit is in the help screen and palette; the footer keeps its room for counter keys.
        Binding("ctrl+q", "quit", "Quit", tooltip="Close the shift and quit cxdesk.", id="quit",
                priority=True, show=False),
    ]

    def __init__(
        self,
        db_url: str,
        *,
        clock: Clock = utcnow,
        theme_name: str | None = None,
        demo_hint: str | None = None,
    ) -> None:
        super().__init__()
        self.db_url = db_url
        self.clock = clock
        self.demo_hint = demo_hint
        self.db: Database | None = None
        self.office: Office | None = None
        self.signed_in: SignedIn | None = None
        self.current_visit_id: uuid.UUID | None = None
        self.lang = "en"
        self._db_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cxdesk-db")
        self._theme_name = theme_name
        register_themes(self)

    # --- lifecycle -----------------------------------------------------------

    def on_mount(self) -> None:
        if self._theme_name:
            if self._theme_name not in self.available_themes:
                self.notify(f"Unknown theme {self._theme_name!r}; using the default.",
                            severity="warning")
            else:
                self.theme = self._theme_name
        from cxdesk.screens.signin import SignInScreen

        self.push_screen(SignInScreen())

    def now(self):
        return self.clock()

    async def on_unmount(self) -> None:
        self._db_executor.shutdown(wait=False, cancel_futures=False)

    # --- database work -------------------------------------------------------

    def run_db(
        self,
        work: Callable[[Any], T],
        on_done: Callable[[T], None] | None = None,
        *,
        on_error: Callable[[CxdeskError], None] | None = None,
        description: str = "database work",
    ) -> None:
        """Run ``work(session)`` on the database thread, then ``on_done(result)`` here.

        A CxdeskError goes to ``on_error`` (or a notification); anything else is
        logged to the error log and the screen says where. The app keeps running.
        """

        async def runner() -> None:
            loop = asyncio.get_running_loop()
            try:
                result = await loop.run_in_executor(self._db_executor, self._in_session, work)
            except CxdeskError as exc:
                if on_error is not None:
                    on_error(exc)
                else:
                    self.notify(str(exc), title="Not done", severity="error", timeout=8)
                return
            except Exception as exc:  # noqa: BLE001 - shown, logged, app keeps running
                self.report_unexpected(exc, description)
                return
            if on_done is not None:
                on_done(result)

        self.run_worker(runner(), group="db", description=description, exit_on_error=False)

    def _in_session(self, work: Callable[[Any], T]) -> T:
        if self.db is None:
            raise CxdeskError("The database is still opening; try again in a moment.")
        with self.db.session() as session:
            return work(session)

    async def db_call(self, work: Callable[[Any], T]) -> T:
        """Await ``work(session)`` on the database thread (for code that needs the result)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db_executor, self._in_session, work)

    async def run_in_db_thread(self, func: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db_executor, func)

    def report_unexpected(self, exc: BaseException, context: str) -> None:
        from cxdesk.logs import unexpected_message

        # The message says a full disk is full, and names the log only if the line was written.
        self.notify(unexpected_message(exc, context), title="Unexpected error", severity="error", timeout=15)

    def _handle_exception(self, error: Exception) -> None:
        # Last resort: an error outside run_db still gets logged before Textual exits.
        try:
            from cxdesk.logs import log_unexpected

            log_unexpected(error, "unhandled")
        finally:
            super()._handle_exception(error)

    # --- staff state ---------------------------------------------------------

    def start_counter(self, signed_in: SignedIn) -> None:
        from cxdesk.screens.counter import CounterScreen

        self.signed_in = signed_in
        self.sub_title = f"{self.office.name} · {signed_in.station.name} · {signed_in.staff.name}"
        self.switch_screen(CounterScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if getattr(self.screen, "CUSTOMER_FACING", False) and action not in CUSTOMER_SAFE_ACTIONS:
            return False
        if action in SIGNED_IN_ACTIONS and self.signed_in is None:
            return False
        if action in SUPERVISOR_ACTIONS and not self.is_supervisor:
            return False
        if action == "command_palette" and self.signed_in is None and self.office is not None:
            return False
        return True

    @property
    def is_supervisor(self) -> bool:
        return self.signed_in is not None and self.signed_in.is_supervisor

    # --- actions -------------------------------------------------------------

    def action_help(self) -> None:
        from cxdesk.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def action_open_complaint(self) -> None:
        from cxdesk.screens.complaints import open_intake

        open_intake(self)

    def action_complaints(self) -> None:
        from cxdesk.screens.complaints import open_queue

        open_queue(self)

    def action_staff_settings(self) -> None:
        from cxdesk.screens.staff import StaffScreen

        self._open_supervisor_screen(StaffScreen, "Staff settings")

    def action_survey_results(self) -> None:
        from cxdesk.screens.survey_results import SurveyResultsScreen

        self._open_supervisor_screen(SurveyResultsScreen, "Survey results")

    def action_barrier_survey(self) -> None:
        from cxdesk.screens.barrier import open_barrier_survey

        open_barrier_survey(self)

    def action_standards(self) -> None:
        from cxdesk.screens.standards import StandardsScreen

        self._open_supervisor_screen(StandardsScreen, "Service standards")

    def action_supervisor_summary(self) -> None:
        from cxdesk.screens.summary import SummaryScreen

        self._open_supervisor_screen(SummaryScreen, "Summaries")

    def _open_supervisor_screen(self, screen_type: type[Screen], what: str) -> None:
        if not self.is_supervisor:
            self.notify(f"{what} are for supervisors.", severity="warning")
        elif not isinstance(self.screen, screen_type):
            self.push_screen(screen_type())

    def action_sign_out(self) -> None:
        from cxdesk.screens.signin import SignInScreen

        signed_in = self.signed_in
        if signed_in is None:
            return

        def close(session) -> None:
            from cxdesk.domain.staff import sign_out

            sign_out(session, signed_in, self.now())

        def back_to_sign_in(_: None) -> None:
            self.signed_in = None
            self.current_visit_id = None
            self.sub_title = self.office.name if self.office else ""
            while len(self.screen_stack) > 2:
                self.pop_screen()
            self.switch_screen(SignInScreen())
            self.notify(f"Signed out. Shift closed for {signed_in.staff.name}.")

        self.run_db(close, back_to_sign_in, description="sign out")

    async def action_quit(self) -> None:
        signed_in = self.signed_in
        if signed_in is not None and self.db is not None:
            from cxdesk.domain.staff import sign_out

            try:
                await self.db_call(lambda session: sign_out(session, signed_in, self.now()))
            except Exception as exc:  # noqa: BLE001 - quitting must not be blocked
                from cxdesk.logs import log_unexpected

                log_unexpected(exc, "closing the shift on quit")
        self.exit()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every cxdesk binding of the app and the screen that applies now is also a palette command."""
        if getattr(screen, "CUSTOMER_FACING", False):
            return
        yield from super().get_system_commands(screen)
        from cxdesk.screens.help import cxdesk_bindings

        for _where, namespace, binding in cxdesk_bindings(screen):
            if binding.action == "command_palette" or namespace.check_action(binding.action, ()) is False:
                continue
            yield SystemCommand(
                f"{binding.description} ({binding.key_display or binding.key})",
                binding.tooltip or binding.description,
                _runner(namespace, binding.action),
            )

    # --- benchmarks --------------------------------------------------------

    def screen_ready(self, name: str) -> None:
        """Benchmarks: note when a screen is ready, and exit there if asked."""
        ready_file = os.environ.get("CXDESK_BENCH_READY")
        if not ready_file:
            return
        with open(ready_file, "a", encoding="utf-8") as handle:
            handle.write(f"{name} {time.time_ns()}\n")
        if os.environ.get("CXDESK_BENCH_EXIT_ON") == name:
            self.exit()


def _runner(namespace, action: str):
    async def run() -> None:
        await namespace.run_action(action)

    return run
