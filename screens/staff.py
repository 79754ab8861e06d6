"""Supervisors: staff (add, deactivate, reset PIN), stations and office settings.

Names typed by people are shown as text, never read as markup.
"""

from __future__ import annotations

from cxdesk.screens.base import BaseScreen
from cxdesk.screens.dialogs import Dialog
from cxdesk.screens.widgets import FormInput, KeyBar, MessageLine, NumberedChoice
from cxdesk.screens.widgets.tables import SteadyTable
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Header, Input, Label, Static

ROLE_CHOICES = (("clerk", "Clerk"), ("supervisor", "Supervisor"))
SURVEY_SETS = (("a11_v2_radio", "A-11 current: trust + what went well / not well"),
               ("likert", "A-11 Likert: seven statements, 1-5"))


class StaffScreen(BaseScreen):
    """The office's people and stations."""

    CSS_PATH = "forms.tcss"
    AUTO_FOCUS = "#staff"
    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the counter.", id="back"),
        Binding("a", "add_staff", "Add staff", tooltip="Add a clerk or supervisor.", id="add-staff"),
        Binding("d", "toggle_active", "(De)activate", tooltip="Deactivate or reactivate the highlighted person.",
                id="toggle-active"),
        Binding("p", "reset_pin", "Reset PIN", tooltip="Give a one-time PIN; they choose a new one at sign-in.",
                id="reset-pin"),
        Binding("o", "office_settings", "Office", tooltip="Office name, time zone, survey question set.",
                id="office-settings"),
        Binding("s", "add_station", "Add station", tooltip="Add a counter station.", id="add-station"),
        Binding("b", "barrier_results", "Barrier survey",
                tooltip="The staff barrier survey: results by period, and its settings.", id="barrier-results"),
        Binding("u", "clear_delay", "Clear delay", id="clear-sign-in-delay",
                tooltip="Let the highlighted person sign in again at once after wrong PINs."),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="staff-page"):
            yield Static("Staff", classes="form-title")
            yield SteadyTable(id="staff", cursor_type="row", zebra_stripes=True)
            yield Static("Stations", classes="form-title")
            yield SteadyTable(id="stations", cursor_type="row", show_cursor=False)
            yield Static("", id="office")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#staff", DataTable).add_columns("Code", "Name", "Role", "Status", "PIN")
        self.query_one("#stations", DataTable).add_columns("Code", "Name", "Status")
        self.people = []
        self.reload()

    def reload(self) -> None:
        app = self.app
        office = app.office
        now = app.now()

        def read(session):
            from cxdesk.domain.office import stations
            from cxdesk.domain.signin_delays import waiting_codes
            from cxdesk.domain.staff import list_staff
            from cxdesk.store.models import Office

            fresh = session.get(Office, office.id)
            return (fresh, list_staff(session, fresh), stations(session, fresh, include_inactive=True),
                    waiting_codes(session, fresh, now))

        app.run_db(read, self._show, description="read the staff list")

    def _show(self, result) -> None:
        office, people, station_list, waiting = result
        self.app.office = office
        self.people = people
        table = self.query_one("#staff", DataTable)
        row = table.cursor_row
        table.clear()
        for person in people:
            status = "✔ active" if person.active else "✖ inactive"
            if person.code in waiting:
                status += " · ⏳ wrong PINs: slowed (u clears)"
            pin = "must change at sign-in" if person.must_change_pin else "set"
            table.add_row(Text(person.code), Text(person.name), Text(person.role), Text(status), Text(pin),
                          key=str(person.id))
        if people:
            table.move_cursor(row=min(row, len(people) - 1))
        stations_table = self.query_one("#stations", DataTable)
        stations_table.clear()
        for station in station_list:
            stations_table.add_row(Text(station.code), Text(station.name),
                                   Text("✔ open" if station.active else "✖ closed"))
        self.query_one("#office", Static).update(Content(
            f"Office {office.code} · {office.name} · time zone {office.timezone} · "
            f"survey set {office.survey_set}"
        ))

    def _highlighted(self):
        table = self.query_one("#staff", DataTable)
        if not self.people or table.cursor_row is None:
            return None
        return self.people[table.cursor_row]

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_add_staff(self) -> None:
        self.app.push_screen(AddStaffDialog(), lambda _: self.reload())

    def action_toggle_active(self) -> None:
        person = self._highlighted()
        if person is None:
            return
        me = self.app.signed_in.staff

        def toggle(session):
            from cxdesk.domain.staff import set_active
            from cxdesk.store.models import Staff

            target = session.get(Staff, person.id)
            return set_active(session, target, not target.active, by=me)

        def done(target) -> None:
            self.notify(f"{target.code} is now {'active' if target.active else 'inactive'}.")
            self.reload()

        self.app.run_db(toggle, done, description="change who is active")

    def action_reset_pin(self) -> None:
        person = self._highlighted()
        if person is not None:
            self.app.push_screen(ResetPinDialog(person.id, person.code), lambda _: self.reload())

    def action_clear_delay(self) -> None:
        person = self._highlighted()
        if person is None:
            return
        office, me = self.app.office, self.app.signed_in.staff

        def clear(session):
            from cxdesk.domain.staff import unlock

            return unlock(session, office, me, person.code)

        def done(cleared: int) -> None:
            self.notify(f"{person.code} can sign in again now." if cleared else f"{person.code} was not slowed.")
            self.reload()

        self.app.run_db(clear, done)

    def action_office_settings(self) -> None:
        self.app.push_screen(OfficeDialog(), lambda _: self.reload())

    def action_barrier_results(self) -> None:
        from cxdesk.screens.barrier_results import open_results

        open_results(self.app)

    def action_add_station(self) -> None:
        self.app.push_screen(AddStationDialog(), lambda _: self.reload())


class AddStaffDialog(Dialog):
    AUTO_FOCUS = "#code"

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static("Add staff", classes="form-title")
            yield Label("Staff code")
            yield FormInput(id="code", max_length=16, placeholder="e.g. CLK2")
            yield Label("Name")
            yield FormInput(id="name", max_length=80)
            yield Label("Role (number key)")
            yield NumberedChoice(ROLE_CHOICES, id="role", selected="clerk")
            yield Label("First PIN (they can be asked to change it) — Enter saves")
            yield Input(id="pin", password=True, max_length=12)
            yield MessageLine(id="message")

    @on(Input.Submitted, "#pin")
    def _save(self) -> None:
        app = self.app
        values = {name: self.query_one(f"#{name}", Input).value for name in ("code", "name", "pin")}
        role = self.picked("role") or "clerk"
        office, me = app.office, app.signed_in.staff

        def add(session):
            from cxdesk.domain.staff import add_staff

            return add_staff(session, office, me, now=app.now(), code=values["code"], name=values["name"],
                             role=role, pin=values["pin"])

        def added(person) -> None:
            self.notify(f"Added {person.code} ({person.role}).")
            self.dismiss(person)

        self.save_db(add, added, "add the staff member")


class ResetPinDialog(Dialog):
    AUTO_FOCUS = "#pin"

    def __init__(self, staff_id, code: str) -> None:
        super().__init__()
        self.staff_id = staff_id
        self.code = code

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(Content(f"Reset the PIN of {self.code}"), classes="form-title")
            yield Label("One-time PIN (they choose a new one at next sign-in) — Enter saves")
            yield Input(id="pin", password=True, max_length=12)
            yield MessageLine(id="message")

    @on(Input.Submitted, "#pin")
    def _save(self) -> None:
        pin = self.query_one("#pin", Input).value
        staff_id, me = self.staff_id, self.app.signed_in.staff

        def reset(session):
            from cxdesk.domain.staff import reset_pin
            from cxdesk.store.models import Staff

            return reset_pin(session, session.get(Staff, staff_id), pin, by=me)

        def done(person) -> None:
            self.notify(f"{person.code} will choose a new PIN at next sign-in.")
            self.dismiss(person)

        self.save_db(reset, done, "reset the PIN")


class OfficeDialog(Dialog):
    AUTO_FOCUS = "#name"

    def compose(self) -> ComposeResult:
        office = self.app.office
        with VerticalScroll(classes="dialog"):
            yield Static(Content(f"Office {office.code}"), classes="form-title")
            yield Label("Office name")
            yield FormInput(office.name, id="name", max_length=120)
            yield Label("Time zone (IANA)")
            yield FormInput(office.timezone, id="timezone", max_length=64)
            yield Label("Survey left alone ends as skipped after (seconds, 30-600)")
            yield FormInput(str(office.survey_idle_seconds), id="idle", max_length=3)
            yield Label("Customer survey question set (number key) — Ctrl+S saves")
            yield NumberedChoice(SURVEY_SETS, id="survey-set", selected=office.survey_set, advance=False)
            yield MessageLine(id="message")

    BINDINGS = [Binding("ctrl+s", "save", "Save", tooltip="Save the office settings.", id="save-office",
                        priority=True)]

    def action_save(self) -> None:
        office = self.app.office
        name = self.query_one("#name", Input).value
        zone = self.query_one("#timezone", Input).value.strip()
        survey_set = self.picked("survey-set") or office.survey_set
        idle = self.query_one("#idle", Input).value
        me = self.app.signed_in.staff

        def save(session):
            from cxdesk.domain.office import update_office
            from cxdesk.store.models import Office

            return update_office(session, session.get(Office, office.id), me, name=name, timezone=zone,
                                 survey_set=survey_set, survey_idle_seconds=idle)

        def saved(updated) -> None:
            self.app.office = updated
            self.notify("Office settings saved.")
            self.dismiss(updated)

        self.save_db(save, saved, "save the office settings")


class AddStationDialog(Dialog):
    AUTO_FOCUS = "#name"

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static("Add a station", classes="form-title")
            yield Label("Station name — Enter saves")
            yield Input(id="name", max_length=60, placeholder="e.g. Window 3")
            yield MessageLine(id="message")

    @on(Input.Submitted, "#name")
    def _save(self) -> None:
        name = self.query_one("#name", Input).value
        office, me = self.app.office, self.app.signed_in.staff

        def add(session):
            from cxdesk.domain.office import add_station

            return add_station(session, office, me, name)

        def added(station) -> None:
            self.notify(f"Added station {station.code}: {station.name}.")
            self.dismiss(station)

        # The domain refuses an empty or duplicate name with a message for the line below.
        self.save_db(add, added, "add the station")
