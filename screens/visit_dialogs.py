"""The counter's dialogs for a visit: check in, finish (or walk-up), channel choice, transfer.

Number keys pick from the lists and move on to the next field; Enter saves;
Escape backs out without writing anything. The clock is read when a step is
saved, on the database thread.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING

from cxdesk.screens.dialogs import LANGUAGES, Dialog, catalog, choices
from cxdesk.screens.widgets import FormInput, MessageLine, NumberedChoice, NumberedSelection
from cxdesk.screens.widgets.in_place import update_in_place
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Input, Label, Static

from cxdesk.errors import CxdeskError

if TYPE_CHECKING:
    from cxdesk.store.models import Visit

# What a transfer to the office line is called in the pick list.
OFFICE_LINE = "*line"


class CheckInDialog(Dialog):
    """Segment, service wanted, language, appointment time (blank for a walk-in)."""

    AUTO_FOCUS = "#segment"
    BINDINGS = [Binding("ctrl+s", "save", "Save", tooltip="Put the customer in the line.",
                        id="save-check-in", priority=True)]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide"):
            yield Static("Check in a customer", classes="form-title")
            with Horizontal(classes="columns"):
                with Vertical():
                    yield Label("Customer segment")
                    yield NumberedChoice(choices("segments"), id="segment")
                with Vertical():
                    yield Label("Service wanted")
                    yield NumberedChoice(choices("services"), id="service")
            with Horizontal(classes="columns short"):
                with Vertical():
                    yield Label("Language (Tab keeps English)")
                    yield NumberedChoice(LANGUAGES, id="language", selected="en", classes="two-rows")
                with Vertical():
                    yield Label("Appointment time (HH:MM), blank for walk-in — Enter saves")
                    yield FormInput(id="appointment", placeholder="walk-in", max_length=5, advance=False)
            yield MessageLine(id="message")

    def prepare(self) -> None:
        """Blank again, for the next customer (the counter keeps this dialog)."""
        self.blank()

    @on(Input.Submitted, "#appointment")
    def action_save(self) -> None:
        app = self.app
        segment, service = self.picked("segment"), self.picked("service")
        language = self.picked("language") or "en"
        appointment = self.query_one("#appointment", Input).value
        try:
            if not segment:
                raise CxdeskError("Choose the customer segment (number keys).")
            if not service:
                raise CxdeskError("Choose the service wanted (number keys).")
            parse_appointment(appointment, app.now(), app.office.timezone)
        except CxdeskError as exc:
            self.show_error(exc)
            return
        office = app.office

        def check_in(session) -> str:
            from cxdesk.domain import visits

            now = app.now()
            visit = visits.check_in(session, office, segment=segment, service=service,
                                    appointment_at=parse_appointment(appointment, now, office.timezone),
                                    language=language, now=now)
            return visits.ticket(visit)

        self.save_db(check_in, self.dismiss, "check the customer in")


def parse_appointment(text: str, now: datetime, zone_name: str) -> datetime | None:
    """'14:30' today in the office's zone, as a UTC instant; blank is a walk-in."""
    from zoneinfo import ZoneInfo

    text = text.strip()
    if not text:
        return None
    try:
        hours, mins = (int(part) for part in text.split(":"))
        at = time(hours, mins)
    except ValueError:
        raise CxdeskError("Appointment time: HH:MM, e.g. 14:30.") from None
    zone = ZoneInfo(zone_name)
    local = datetime.combine(now.astimezone(zone).date(), at, tzinfo=zone)
    return local.astimezone(now.tzinfo)


class FinishDialog(Dialog):
    """Service, outcome (with referral or reason when needed), note.

    With ``visit=None`` it logs a walk-up visit and asks the segment too.
    """

    BINDINGS = [Binding("ctrl+s", "save", "Save", tooltip="Save the visit.", id="save-finish",
                        priority=True)]
    # Saved, the visit's channel step comes up at once; the counter under it follows (issue 16).
    DONE_BEFORE_THE_READ = True

    def __init__(self, visit: Visit | None, *, walk_up: bool | None = None) -> None:
        super().__init__()
        self.visit = visit
        # A walk-up's form asks the segment too. A visit's form can be built before its
        # visit is known (``walk_up=False``, no visit: the counter builds it ahead) and is
        # given one by ``prepare`` before it is shown.
        self.walk_up = visit is None if walk_up is None else walk_up

    def heading(self) -> Content:
        from cxdesk.domain.visits import ticket

        if self.visit is not None:
            return Content(f"Finish {ticket(self.visit)}")
        return Content("Walk-up visit (served without queueing)" if self.walk_up else "Finish")

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide", id="finish"):
            yield Static(self.heading(), classes="form-title", id="title")
            with Horizontal(classes="columns"):
                if self.walk_up:
                    with Vertical():
                        yield Label("Customer segment")
                        yield NumberedChoice(choices("segments"), id="segment")
                with Vertical():
                    yield Label("Service given")
                    wanted = self.visit.service_wanted if self.visit else None
                    yield NumberedChoice(choices("services"), id="service", selected=wanted)
                with Vertical():
                    yield Label("Outcome")
                    yield NumberedChoice(choices("outcomes"), id="outcome")
                    yield Label("Referred to", id="referral-label", classes="hidden")
                    yield NumberedChoice(choices("referrals"), id="referral", classes="hidden")
                    yield Label("Why not served", id="reason-label", classes="hidden")
                    yield NumberedChoice(choices("not_served_reasons"), id="reason", classes="hidden")
            yield Label("Note (optional; no personal details) — Enter saves")
            yield FormInput(id="note", max_length=500, advance=False)
            yield MessageLine(id="message")

    def on_mount(self) -> None:
        self.query_one(self._first_field).focus()

    @property
    def _first_field(self) -> str:
        return "#segment" if self.walk_up else "#service"

    def prepare(self, visit: Visit | None) -> bool:
        """Blank again, for ``visit`` (the counter keeps this dialog; a walk-up has its own).
        Nothing to do (False) when it was blanked for that visit ahead of the key
        (``CounterScreen``)."""
        if (visit is None) != self.walk_up:
            raise ValueError("a walk-up's finish dialog asks the segment: it is not a visit's")
        blank_for = (visit.id, visit.service_wanted) if visit is not None else (None, None)
        self.visit = visit
        if self._blank and self._blank_for == blank_for:
            self._keys_ready = False
            return False
        update_in_place(self.query_one("#title", Static), self.heading())
        self.blank()
        if visit is not None:
            self.query_one("#service", NumberedChoice).reset(visit.service_wanted)
        self._blank_for = blank_for
        return True

    def ready_for(self, current: Visit | None) -> bool:
        # A visit's form is filled in for the customer at the counter; a walk-up's is blank.
        if self.walk_up or current is None:
            return self.blank()
        return self.prepare(current)

    # The visit (its id and the service it wants) the form was last blanked for.
    _blank_for: tuple | None = None

    def blank(self) -> bool:
        if not self._blank:
            self._blank_for = None
        changed = self.reset(self._first_field)
        self._show_follow_up(None)
        return changed

    def _show_follow_up(self, needs: str | None) -> None:
        """The list an outcome requires (referral, reason), and no other."""
        for name in ("referral", "reason"):
            self.query_one(f"#{name}").set_class(needs != name, "hidden")
            self.query_one(f"#{name}-label").set_class(needs != name, "hidden")

    @on(NumberedChoice.Picked, "#outcome")
    def _outcome_picked(self, event: NumberedChoice.Picked) -> None:
        needs = catalog("outcomes").get(event.code).extra.get("requires")
        self._show_follow_up(needs)
        # The list that may have appeared is laid out before _show_picked scrolls to it.
        self.refresh(layout=True)
        if needs:
            # Picking moved the focus past the list that just appeared.
            self.query_one("#referral" if needs == "referral" else "#reason").focus()
        else:
            self.query_one("#note").focus()

    @on(NumberedChoice.Picked)
    def _show_picked(self, event: NumberedChoice.Picked) -> None:
        # At 80x24 the next field may be below the fold: bring it into view once it is laid
        # out (after an outcome, the focus moves to the list that appeared after this runs).
        self.call_after_refresh(self._scroll_to_focus)

    def _scroll_to_focus(self) -> None:
        if self.focused is not None:
            self.focused.scroll_visible()

    @on(Input.Submitted, "#note")
    def action_save(self) -> None:
        from cxdesk.domain.visits import Finish

        app = self.app
        details = Finish(
            service=self.picked("service") or "",
            outcome=self.picked("outcome") or "",
            referral=self.picked("referral"),
            not_served_reason=self.picked("reason"),
            note=self.query_one("#note", Input).value,
        )
        if not details.service:
            self.show_error("Choose the service given (number keys).")
            self.query_one("#service").focus()
            return
        if not details.outcome:
            self.show_error("Choose the outcome (number keys).")
            self.query_one("#outcome").focus()
            return
        who, office = app.signed_in, app.office
        visit = self.visit
        segment = self.picked("segment") if visit is None else None
        if visit is None and not segment:
            self.show_error("Choose the customer segment (number keys).")
            self.query_one("#segment").focus()
            return

        def save(session):
            from cxdesk.domain import visits

            now = app.now()
            if visit is None:
                return visits.quick_log(session, office, who, segment=segment, details=details, now=now)
            return visits.finish(session, visits.get_visit(session, visit.id), details, who, now)

        def saved(done: Visit) -> None:
            from cxdesk.domain.visits import ticket

            # The counter's "last finished here" shows it: said in screen-reader mode only
            # (a notification is a widget on every screen while it lasts; see CounterScreen._do).
            self.app.announce(f"Saved {ticket(done)}.")
            self.dismiss(done)

        self.save_db(save, saved, "save the visit")


class ChannelDialog(Dialog):
    """EO 12862 1(f): other channels offered, and the one preferred next time."""

    AUTO_FOCUS = "#offered"
    # Saved or skipped, the form closes at once on the counter as it was drawn after the finish
    # (the visit's own pane shown from the visit saved); the read follows (issue 16).
    DONE_BEFORE_THE_READ = True
    BINDINGS = [
        Binding("enter", "save", "Save", tooltip="Record the channels offered and preferred.",
                id="save-channels", priority=True),
        Binding("escape", "skip", "Skip", tooltip="Skip the channel step for this visit.",
                id="skip-channels"),
    ]

    def __init__(self, visit: Visit | None) -> None:
        """``visit`` None: built ahead by the counter, given its visit by ``prepare``."""
        super().__init__()
        self.visit = visit

    def heading(self) -> Content:
        from cxdesk.domain.visits import ticket

        if self.visit is None:
            return Content("Other ways to be served")
        return Content(f"Other ways to be served — {ticket(self.visit)}")

    def compose(self) -> ComposeResult:
        items = choices("channels")
        with VerticalScroll(classes="dialog wide"):
            yield Static(self.heading(), classes="form-title", id="title")
            yield Static("Number keys tick what you offered; Tab, then a number for the customer's "
                         "preference. Enter saves, Escape skips.")
            with Horizontal(classes="columns"):
                with Vertical():
                    yield Label("Offered to the customer")
                    yield NumberedSelection(items, id="offered")
                with Vertical():
                    yield Label("Prefers next time")
                    yield NumberedChoice(items, id="preferred", advance=False)
            yield MessageLine(id="message")

    def prepare(self, visit: Visit) -> None:
        """Blank again, for ``visit`` (the counter keeps this dialog)."""
        self.visit = visit
        update_in_place(self.query_one("#title", Static), self.heading())
        self.blank()

    def action_save(self) -> None:
        offered = list(self.query_one("#offered", NumberedSelection).selected)
        preferred = self.picked("preferred")
        if not offered and not preferred:
            self.action_skip()
            return
        visit_id = self.visit.id

        def save(session):
            from cxdesk.domain import visits

            return visits.record_channels(session, visits.get_visit(session, visit_id), offered, preferred)

        self.save_db(save, self.dismiss, "record the channels")

    def action_skip(self) -> None:
        visit_id = self.visit.id

        def skip(session):
            from cxdesk.domain import visits

            return visits.skip_channels(session, visits.get_visit(session, visit_id))

        self.save_db(skip, self.dismiss, "skip the channel step")

    def action_cancel(self) -> None:
        self.action_skip()


class TransferDialog(Dialog):
    """Where the customer goes: the head of the office line, or of a staffed station's line.

    Dismisses with a station code, ``OFFICE_LINE``, or None.
    """

    AUTO_FOCUS = "#station"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Transfer the customer to…", classes="form-title")
            yield Static("They go to the head of that line, waiting and counted.", classes="hint")
            yield Static("Loading stations…", id="loading")
            yield MessageLine(id="message")

    def on_mount(self) -> None:
        app = self.app
        office, here = app.office, app.signed_in.station

        def read(session):
            from cxdesk.domain.office import stations
            from cxdesk.domain.staff import open_shift_at
            from cxdesk.store.models import Staff

            items = [(OFFICE_LINE, "Office line (first in line, any window)")]
            for station in stations(session, office):
                if station.id == here.id:
                    continue
                shift = open_shift_at(session, station)
                if shift is not None:
                    staff = session.get(Staff, shift.staff_id)
                    items.append((station.code, f"{station.name} ({station.code}) · {staff.code}"))
            return items

        app.run_db(read, self._show, on_error=self.show_error, description="read the stations")

    def _show(self, items: list[tuple[str, str]]) -> None:
        if len(items) > 1:
            self.query_one("#loading").remove()
        else:
            self.query_one("#loading", Static).update(Content("Nobody is signed in at another station."))
        choice = NumberedChoice(items, id="station", advance=False)
        self.query_one(".dialog").mount(choice, before=self.query_one(MessageLine))
        choice.focus()

    @on(NumberedChoice.Picked, "#station")
    def _picked(self, event: NumberedChoice.Picked) -> None:
        self.dismiss(event.code)
