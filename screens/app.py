"""The cxdesk counter application: sign-in, the counter, and the staff screens.

Built on the base app (screens/base.py): the first screen paints before the
database layer is imported, the store opens behind it, and all database work
runs, in order, on one worker thread.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from cxdesk.screens.base import BaseApp
from textual.app import SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen

from cxdesk.clock import Clock, utcnow

if TYPE_CHECKING:
    import uuid

    from cxdesk.domain.staff import SignedIn

# Staff actions that make sense only once someone has signed in at this station.
SIGNED_IN_ACTIONS = frozenset({"staff_settings", "sign_out", "open_complaint", "complaints",
                               "survey_results", "barrier_survey", "standards", "supervisor_summary",
                               "change_own_pin"})
SUPERVISOR_ACTIONS = frozenset({"staff_settings", "survey_results", "standards", "supervisor_summary"})


class CxdeskApp(BaseApp):
    """The counter terminal."""

    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    CREATES_DATABASE = True

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
        # Quit and the PIN change are in the help screen and palette; the key bar keeps its room.
        Binding("ctrl+q", "quit", "Quit", tooltip="Close the shift and quit cxdesk.", id="quit",
                priority=True, show=False),
        Binding("ctrl+o", "change_own_pin", "My PIN", tooltip="Change your own PIN (current PIN, new PIN twice).",
                id="change-own-pin", show=False),
    ]

    def __init__(
        self,
        db_url: str,
        *,
        clock: Clock = utcnow,
        theme_name: str | None = None,
        demo_hint: str | None = None,
        kiosk_command: str = "cxdesk kiosk --station {station}",
        screen_reader: bool = False,
    ) -> None:
        super().__init__(db_url, clock=clock, theme_name=theme_name, screen_reader=screen_reader)
        self.demo_hint = demo_hint
        # How this counter's kiosk is started (the demo's opens the demo file): said when none listens.
        self.kiosk_command = kiosk_command
        self.signed_in: SignedIn | None = None
        self.current_visit_id: uuid.UUID | None = None
        self.lang = "en"

    def start(self) -> None:
        from cxdesk.screens.signin import SignInScreen

        self.push_screen(SignInScreen())

    def format_title(self, title: str, sub_title: str) -> Content:
        # "cxdesk · Springfield · Window 1 · Ben Okafor": plain text, never markup.
        return Content(" · ".join(part for part in (title, sub_title) if part))

    # --- staff state ---------------------------------------------------------

    def start_counter(self, signed_in: SignedIn) -> None:
        from cxdesk.screens.counter import CounterScreen

        self.signed_in = signed_in
        self.sub_title = f"{self.office.name} · {signed_in.station.name} · {signed_in.staff.name}"
        self.switch_screen(CounterScreen())

    def back_to_sign_in(self, message: str | None = None) -> None:
        """Close every staff screen and show sign-in (the shift is already closed)."""
        from cxdesk.screens.signin import SignInScreen

        self.signed_in = None
        self.current_visit_id = None
        self.sub_title = self.office.name if self.office else ""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(SignInScreen())
        if message:
            self.notify(message)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not super().check_action(action, parameters):
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

    def action_change_own_pin(self) -> None:
        from cxdesk.screens.setup import OwnPinDialog

        if not isinstance(self.screen, OwnPinDialog):
            self.push_screen(OwnPinDialog(self.signed_in))

    def _open_supervisor_screen(self, screen_type: type[Screen], what: str) -> None:
        if not self.is_supervisor:
            self.notify(f"{what} are for supervisors.", severity="warning")
        elif not isinstance(self.screen, screen_type):
            self.push_screen(screen_type())

    def action_sign_out(self) -> None:
        self.leave_counter(self._sign_out, "sign out")

    def _sign_out(self) -> None:
        signed_in = self.signed_in
        if signed_in is None:
            return

        def close(session) -> None:
            from cxdesk.domain.staff import sign_out

            sign_out(session, signed_in, self.now())

        self.run_db(close, lambda _: self.back_to_sign_in(f"Signed out. Shift closed for {signed_in.staff.name}."),
                    description="sign out")

    async def action_quit(self) -> None:
        if self.signed_in is None or self.db is None:
            self.exit()
            return
        self.leave_counter(self._quit, "quit")

    def _quit(self) -> None:
        signed_in = self.signed_in

        def close(session) -> None:
            from cxdesk.domain.staff import sign_out

            sign_out(session, signed_in, self.now())

        # Quitting is never blocked: a failure to close the shift is logged, and the
        # next sign-in at this station closes it.
        self.run_db(close, lambda _: self.exit(), on_error=lambda _exc: self.exit(), description="close the shift")

    def leave_counter(self, then: Callable[[], None], leaving: str) -> None:
        """Before signing out or quitting: a customer at this counter is not left "called" here.

        The clerk picks: back to the line (first in line), finish the visit, or no-show.
        """
        signed_in = self.signed_in
        if signed_in is None:
            return
        office = self.office

        def read(session):
            from cxdesk.domain.visits import at_station

            return at_station(session, office, signed_in.station)

        def ask(visit) -> None:
            if visit is None:
                then()
                return
            from cxdesk.screens.dialogs import ChoiceDialog
            from cxdesk.vocab import VISIT_STATE_LABELS, VisitState

            answers = [("line", "Back to the line (first in line)"), ("finish", "Finish the visit first")]
            if visit.state == VisitState.CALLED:
                answers.append(("no_show", "No-show"))
            question = ChoiceDialog(
                f"{visit.ticket} is at your counter ({VISIT_STATE_LABELS.get(visit.state, visit.state)})",
                f"Before you {leaving}, what happens to them? Esc: stay signed in.", answers)
            self.push_screen(question, lambda answer: self._left_counter(answer, visit, then))

        self.run_db(read, ask, description="check the counter")

    def _left_counter(self, answer: str | None, visit, then: Callable[[], None]) -> None:
        from cxdesk.screens.counter import CounterScreen

        if answer is None:
            return
        while not isinstance(self.screen, CounterScreen) and len(self.screen_stack) > 2:
            self.pop_screen()
        counter = self.screen if isinstance(self.screen, CounterScreen) else None
        if answer == "finish" and counter is not None:
            counter.action_finish(then=then)
            return

        def step(session) -> None:
            from cxdesk.domain import visits

            current = visits.get_visit(session, visit.id)
            if answer == "no_show":
                visits.no_show(session, current, self.now())
            else:
                visits.send_back_to_line(session, current, self.now())

        self.run_db(step, lambda _: then(), description="see to the customer at the counter")

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
