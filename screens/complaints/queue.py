"""The complaints queue (F7): mine or the office's, soonest deadline first, with filters."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from cxdesk.screens.base import BaseScreen
from cxdesk.screens.complaints.common import ALL, CSS, label
from cxdesk.screens.dialogs import PickDialog
from cxdesk.screens.widgets import KeyBar
from cxdesk.screens.widgets.tables import SteadyTable
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Header, Static

from cxdesk.vocab import ComplaintState

if TYPE_CHECKING:
    from cxdesk.reports.complaint_queue import QueueRow

OPEN_STATES = ComplaintState.OPEN


class ComplaintsScreen(BaseScreen):
    """My complaints or the office queue, soonest deadline first."""

    CSS_PATH = CSS
    AUTO_FOCUS = "#queue"
    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to where you were.", id="back-from-complaints"),
        Binding("enter", "open_detail", "Open", tooltip="Open the highlighted complaint with its trail.",
                id="open-complaint-detail", show=False),
        Binding("m", "toggle_mine", "Mine/office", tooltip="Switch between my complaints and the office queue.",
                id="toggle-mine"),
        Binding("s", "filter_state", "State", tooltip="Show only one state (or all open).", id="filter-state"),
        Binding("c", "filter_category", "Category", tooltip="Show only one category (or all).",
                id="filter-category"),
        Binding("o", "toggle_overdue", "Overdue only", tooltip="Show only complaints past their deadline.",
                id="toggle-overdue"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.mine = False
        self.state: str = ALL
        self.category: str = ALL
        self.overdue = False
        self.rows: list[QueueRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="queue-title", classes="pane-title")
        yield SteadyTable(id="queue", cursor_type="row", zebra_stripes=True)
        yield Static("", id="queue-summary")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#queue", DataTable).add_columns(
            "Deadline", "Reference", "State", "About", "Urgency", "With")
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        app = self.app
        if app.signed_in is None:  # signing out: this screen is on its way out
            return
        office, me, now = app.office, app.signed_in.staff, app.now()
        mine, overdue = self.mine, self.overdue
        # "all open" is what it says: resolved and closed complaints only when asked for.
        states = [self.state] if self.state != ALL else list(OPEN_STATES)
        category = self.category if self.category != ALL else None

        def read(session):
            from cxdesk.reports import complaint_queue as queue

            today = office.local_day(now)
            return (queue.list_complaints(session, office, today, mine=me if mine else None, states=states,
                                          category=category, overdue=overdue),
                    queue.complaint_counts(session, office, today))

        app.run_db(read, self._show, description="read the complaints")

    def _show(self, result) -> None:
        from cxdesk.domain.complaints import STATE_LABELS

        rows, counts = result
        self.rows = rows
        table = self.query_one("#queue", DataTable)
        keep = table.cursor_row
        table.clear()
        for row in rows:
            style = {"overdue": "bold reverse", "due_today": "bold"}.get(row.due.status, "")
            table.add_row(
                Text(f"{row.due.symbol} {row.due.text}", style=style), Text(row.reference),
                Text(row.track if row.state == "in_progress" else row.state_label),
                Text(label("complaint_categories", row.category)), Text(row.urgency),
                Text(row.assigned_code or "–"), key=str(row.id),
            )
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        filters = [("My complaints" if self.mine else "Office queue")]
        filters.append(f"state: {STATE_LABELS.get(self.state, 'all open')}")
        filters.append(f"about: {label('complaint_categories', self.category) if self.category != ALL else 'all'}")
        if self.overdue:
            filters.append("overdue only")
        self.query_one("#queue-title", Static).update(Content(f"{' · '.join(filters)}  ({len(rows)})"))
        self.query_one("#queue-summary", Static).update(
            f"Office: {counts.open} open · ● {counts.due_today} due today · ▲ {counts.overdue} overdue"
            "    Enter opens · F2 new complaint")

    def action_back(self) -> None:
        self.dismiss()

    def action_toggle_mine(self) -> None:
        self.mine = not self.mine
        self.reload()

    def action_toggle_overdue(self) -> None:
        self.overdue = not self.overdue
        self.reload()

    def action_filter_state(self) -> None:
        from cxdesk.domain.complaints import STATE_LABELS, STATES

        items = [(ALL, "all open (not resolved or closed)")] + [(state, STATE_LABELS[state]) for state in STATES]
        self.app.push_screen(PickDialog("Show which state?", items, self.state), self._set_state)

    def action_filter_category(self) -> None:
        from cxdesk.domain.complaints import categories

        items = [(ALL, "all categories")] + [(item.code, item.label()) for item in categories()]
        self.app.push_screen(PickDialog("Show which category?", items, self.category), self._set_category)

    def _set_state(self, state: str | None) -> None:
        if state:
            self.state = state
            self.reload()

    def _set_category(self, category: str | None) -> None:
        if category:
            self.category = category
            self.reload()

    @on(DataTable.RowSelected, "#queue")
    def _selected(self, event: DataTable.RowSelected) -> None:
        from cxdesk.screens.complaints.detail import ComplaintDetailScreen

        self.app.push_screen(ComplaintDetailScreen(uuid.UUID(event.row_key.value)))

    def action_open_detail(self) -> None:
        table = self.query_one("#queue", DataTable)
        if self.rows:
            from cxdesk.screens.complaints.detail import ComplaintDetailScreen

            row_key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
            self.app.push_screen(ComplaintDetailScreen(uuid.UUID(row_key.value)))
