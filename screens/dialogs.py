"""Counter dialogs: check in, finish (or walk-up), channel choice, transfer.

Number keys pick from the lists and move on to the next field; Enter saves;
Escape backs out without writing anything.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING

from cxdesk.screens.widgets import MessageLine, NumberedChoice
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, SelectionList, Static

from cxdesk.errors import CxdeskError
from cxdesk.store.catalogs import office_catalog as catalog

if TYPE_CHECKING:
    from cxdesk.store.models import Visit

LANGUAGES = (("en", "English"), ("es", "Español (Spanish)"))


def choices(name: str) -> list[tuple[str, str]]:
    return [(item.code, item.label()) for item in catalog(name)]


class Dialog(ModalScreen):
    """A modal form: Escape cancels, messages go to the line at the bottom."""

    CSS_PATH = "forms.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Close without saving.", id="cancel")]

    def action_cancel(self) -> None:
        self.dismiss(None)

    def show_error(self, exc: CxdeskError | str) -> None:
        self.query_one(MessageLine).show_error(str(exc))

    def picked(self, choice_id: str) -> str | None:
        return self.query_one(f"#{choice_id}", NumberedChoice).value


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
                    yield Label("Language")
                    yield NumberedChoice(LANGUAGES, id="language", selected="en")
                with Vertical():
                    yield Label("Appointment time (HH:MM), blank for walk-in")
                    yield Input(id="appointment", placeholder="walk-in", max_length=5)
            yield MessageLine(id="message")

    @on(Input.Submitted, "#appointment")
    def action_save(self) -> None:
        app = self.app
        segment, service = self.picked("segment"), self.picked("service")
        language = self.picked("language") or "en"
        try:
            if not segment:
                raise CxdeskError("Choose the customer segment (number keys).")
            if not service:
                raise CxdeskError("Choose the service wanted (number keys).")
            appointment_at = parse_appointment(self.query_one("#appointment", Input).value,
                                               app.now(), app.office.timezone)
        except CxdeskError as exc:
            self.show_error(exc)
            return
        office, now = app.office, app.now()

        def check_in(session) -> str:
            from cxdesk.domain import visits

            visit = visits.check_in(session, office, segment=segment, service=service,
                                    appointment_at=appointment_at, language=language, now=now)
            return visits.ticket(visit)

        app.run_db(check_in, self.dismiss, on_error=self.show_error, description="check in")


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

    def __init__(self, visit: Visit | None) -> None:
        super().__init__()
        self.visit = visit

    def compose(self) -> ComposeResult:
        from cxdesk.domain.visits import ticket

        title = f"Finish {ticket(self.visit)}" if self.visit else "Walk-up visit (served without queueing)"
        with VerticalScroll(classes="dialog wide"):
            yield Static(title, classes="form-title")
            with Horizontal(classes="columns"):
                if self.visit is None:
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
            yield Input(id="note", max_length=500)
            yield MessageLine(id="message")

    def on_mount(self) -> None:
        self.query_one("#segment" if self.visit is None else "#service").focus()

    @on(NumberedChoice.Picked, "#outcome")
    def _outcome_picked(self, event: NumberedChoice.Picked) -> None:
        needs = catalog("outcomes").get(event.code).extra.get("requires")
        for name, wanted in (("referral", "referral"), ("reason", "reason")):
            visible = needs == wanted
            self.query_one(f"#{name}").set_class(not visible, "hidden")
            self.query_one(f"#{name}-label").set_class(not visible, "hidden")
        if needs:
            # Picking moved the focus past the list that just appeared.
            self.query_one("#referral" if needs == "referral" else "#reason").focus()

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
        who, office, now = app.signed_in, app.office, app.now()
        visit = self.visit
        segment = self.picked("segment") if visit is None else None
        if visit is None and not segment:
            self.show_error("Choose the customer segment (number keys).")
            self.query_one("#segment").focus()
            return

        def save(session):
            from cxdesk.domain import visits

            if visit is None:
                return visits.quick_log(session, office, who, segment=segment, details=details,
                                        now=now)
            return visits.finish(session, visits.get_visit(session, visit.id), details, who, now)

        def saved(done: Visit) -> None:
            from cxdesk.domain.visits import ticket

            self.notify(f"Saved {ticket(done)}.", timeout=3)
            self.dismiss(done)

        app.run_db(save, saved, on_error=self.show_error, description="finish visit")


class NumberedSelection(SelectionList):
    """A checklist where the number keys 1-9 tick and untick items.

    A ticked item also shows a check mark in its text, not only a colour.
    """

    def __init__(self, items: list[tuple[str, str]], **kwargs) -> None:
        self._labels = [f"{index}  {label}" for index, (_, label) in enumerate(items, 1)]
        super().__init__(*[(f"  {text}", code) for text, (code, _) in zip(self._labels, items)], **kwargs)

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        chosen = set(self.selected)
        for index, text in enumerate(self._labels):
            mark = "✔ " if self.get_option_at_index(index).value in chosen else "  "
            self.replace_option_prompt_at_index(index, mark + text)

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit() and event.character != "0":
            index = int(event.character) - 1
            if index < self.option_count:
                event.stop()
                event.prevent_default()
                self.toggle(self.get_option_at_index(index).value)
                self.highlighted = index


class ChannelDialog(Dialog):
    """EO 12862 1(f): other channels offered, and the one preferred next time."""

    AUTO_FOCUS = "#offered"
    BINDINGS = [
        Binding("enter", "save", "Save", tooltip="Record the channels offered and preferred.",
                id="save-channels", priority=True),
        Binding("escape", "skip", "Skip", tooltip="Skip the channel step for this visit.",
                id="skip-channels"),
    ]

    def __init__(self, visit: Visit) -> None:
        super().__init__()
        self.visit = visit

    def compose(self) -> ComposeResult:
        from cxdesk.domain.visits import ticket

        items = choices("channels")
        with VerticalScroll(classes="dialog wide"):
            yield Static(f"Other ways to be served — {ticket(self.visit)}", classes="form-title")
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

    def action_save(self) -> None:
        offered = list(self.query_one("#offered", NumberedSelection).selected)
        preferred = self.picked("preferred")
        if not offered and not preferred:
            self.action_skip()
            return
        visit_id = self.visit.id

        def save(session):
            from cxdesk.domain import visits

            return visits.record_channels(session, visits.get_visit(session, visit_id), offered,
                                          preferred)

        self.app.run_db(save, self.dismiss, on_error=self.show_error, description="channels")

    def action_skip(self) -> None:
        visit_id = self.visit.id

        def skip(session):
            from cxdesk.domain import visits

            return visits.skip_channels(session, visits.get_visit(session, visit_id))

        self.app.run_db(skip, self.dismiss, on_error=self.show_error, description="skip channels")

    def action_cancel(self) -> None:
        self.action_skip()


class TransferDialog(Dialog):
    """Pick the station to send the customer to."""

    AUTO_FOCUS = "#station"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Transfer to which station?", classes="form-title")
            yield Static("Loading stations…", id="loading")
            yield MessageLine(id="message")

    def on_mount(self) -> None:
        app = self.app
        office, here = app.office, app.signed_in.station

        def read(session):
            from cxdesk.domain.office import stations

            return [(s.code, f"{s.name} ({s.code})") for s in stations(session, office) if s.id != here.id]

        app.run_db(read, self._show)

    def _show(self, items: list[tuple[str, str]]) -> None:
        self.query_one("#loading").remove()
        if not items:
            self.show_error("There is no other station.")
            return
        choice = NumberedChoice(items, id="station", advance=False)
        self.query_one(".dialog").mount(choice, before=self.query_one(MessageLine))
        choice.focus()

    @on(NumberedChoice.Picked, "#station")
    def _picked(self, event: NumberedChoice.Picked) -> None:
        self.dismiss(event.code)
