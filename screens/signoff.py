"""Dialogs of the supervisor summary: sign off a shift or a day with a note, and pick a
shift of the day from a list (number keys)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, Static

from cxdesk.screens.dialogs import Dialog
from cxdesk.screens.widgets import FormInput, MessageLine, NumberedChoice

if TYPE_CHECKING:
    from cxdesk.reports.summary import Summary


class SignOffDialog(Dialog):
    """What is being signed off, the figures it vouches for, and a note."""

    AUTO_FOCUS = "#signoff-note"
    BINDINGS = [Binding("ctrl+s", "save", "Sign off", tooltip="Sign off with this note.", id="save-sign-off",
                        priority=True)]

    def __init__(self, summary: Summary, shift_id=None) -> None:
        super().__init__()
        self.summary = summary
        self.shift_id = shift_id

    def compose(self) -> ComposeResult:
        s = self.summary
        v = s.volumes
        with VerticalScroll(classes="dialog"):
            yield Static(Text(f"Sign off: {s.label}"), classes="form-title")
            yield Static(Text(
                f"Arrived {v.arrived} · served {v.served} · no-shows {v.no_shows} · left {v.left}\n"
                f"Standards: {sum(r.status == 'met' for r in s.standards)} ✔ met, "
                f"{sum(r.status == 'missed' for r in s.standards)} ✖ missed\n"
                f"Complaints opened {s.complaints.opened} · overdue {s.complaints.overdue}\n"
                "If these figures change later (a late finish, a complaint resolved), the sign-off "
                "will show as reopened, with what changed."))
            if s.signoff is not None and s.signoff.reopened:
                yield Static(Text(f"⚠ Signing off again: {len(s.signoff.changes)} figure(s) changed since "
                                  f"{s.signoff.signed_by_code}'s sign-off."))
            yield Label("Note (what you checked, what to follow up); Enter signs off")
            yield FormInput(id="signoff-note", placeholder="e.g. Long waits at lunch; W3 short-staffed.",
                            max_length=1000, advance=False)
            yield MessageLine(id="message")

    @on(Input.Submitted, "#signoff-note")
    def action_save(self) -> None:
        app = self.app
        office, by, now = app.office, app.signed_in.staff, app.now()
        s, shift_id = self.summary, self.shift_id
        note = self.query_one("#signoff-note", Input).value

        def save(session):
            from cxdesk.domain.signoffs import sign_off

            return sign_off(session, office, by, kind=s.kind, day=s.start, shift_id=shift_id, note=note, now=now)

        app.run_db(save, lambda _done: self.dismiss(True), on_error=self.show_error, description="sign off")


class ShiftPickDialog(Dialog):
    """The shifts that started on a day: number keys pick one."""

    AUTO_FOCUS = "#shift-list"

    def __init__(self, choices, day: date, zone, selected=None) -> None:
        super().__init__()
        self.choices = list(choices)
        self.day = day
        self.zone = zone
        self.selected = selected

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(Text(f"Shifts on {self.day:%a %d %b %Y}"), classes="form-title")
            if not self.choices:
                yield Static("No shift started that day. Escape goes back.")
            items = []
            for choice in self.choices:
                until = f"{choice.ended_at.astimezone(self.zone):%H:%M}" if choice.ended_at else "now"
                items.append((str(choice.id), f"{choice.station_code}  {choice.staff_code} {choice.staff_name}  "
                                             f"{choice.started_at.astimezone(self.zone):%H:%M}–{until}"))
            selected = str(self.selected) if self.selected else None
            yield NumberedChoice(items, id="shift-list", selected=selected, advance=False)
            yield MessageLine(id="message")

    @on(NumberedChoice.Picked, "#shift-list")
    def _picked(self, event: NumberedChoice.Picked) -> None:
        chosen = next(c for c in self.choices if str(c.id) == event.code)
        self.dismiss(chosen.id)
