"""Complaints on screen (EO 12862 1(h)): intake from any staff screen (F2), the receipt
with the reference shown large, the queue (F7) and the detail view with its trail."""

from __future__ import annotations

from cxdesk.screens.complaints.detail import ComplaintDetailScreen, StepDialog
from cxdesk.screens.complaints.intake import ComplaintIntakeScreen, ComplaintReceiptScreen
from cxdesk.screens.complaints.queue import ComplaintsScreen
from cxdesk.screens.dialogs import PickDialog
from cxdesk.screens.widgets import big_text

__all__ = ["ComplaintDetailScreen", "ComplaintIntakeScreen", "ComplaintReceiptScreen", "ComplaintsScreen",
           "PickDialog", "StepDialog", "big_text", "open_intake", "open_queue"]


def open_intake(app) -> None:
    """F2: open the intake form, linked to the visit at the counter if there is one."""
    if isinstance(app.screen, (ComplaintIntakeScreen, ComplaintReceiptScreen)):
        return
    office, visit_id = app.office, app.current_visit_id

    def read(session):
        from cxdesk.domain.complaints import categories, load_settings, visit_link

        # Settings are read here so that a broken override file is a message, not a crash.
        return visit_link(session, office, visit_id), load_settings(), categories()

    app.run_db(read, lambda found: app.push_screen(ComplaintIntakeScreen(*found)),
               description="open a complaint")


def open_queue(app) -> None:
    """F7: the complaints queue. From a complaint's detail it goes back to the
    queue below; over anything else (a half-filled form, say) it opens on top,
    so nothing typed is thrown away."""
    stack = app.screen_stack
    for index, screen in enumerate(stack):
        if isinstance(screen, ComplaintsScreen) and all(
                isinstance(above, ComplaintDetailScreen) for above in stack[index + 1:]):
            while app.screen is not screen:
                app.pop_screen()
            screen.reload()
            return
    app.push_screen(ComplaintsScreen())
