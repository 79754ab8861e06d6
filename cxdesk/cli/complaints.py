"""`cxdesk complaints list`: the complaints queue outside the UI, as text or CSV."""

from __future__ import annotations

from datetime import date

import click

from cxdesk.cli.base import db_option, open_db
from cxdesk.errors import CxdeskError


@click.group("complaints")
def complaints_group() -> None:
    """Complaints (EO 12862 1(h)) outside the counter app."""


@complaints_group.command("list")
@db_option
@click.option("--overdue", is_flag=True, help="Only complaints past their next deadline.")
@click.option("--state", "states", multiple=True, metavar="STATE",
              help="Only this state (repeatable): received, acknowledged, in_progress, escalated, "
                   "resolved, closed, reopened. Default: all but closed.")
@click.option("--category", metavar="CODE", help="Only this category, e.g. wait_time.")
@click.option("--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True)
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="Judge deadlines as of this office-local day (default: today).")
@click.option("--with-contact", is_flag=True,
              help="Add contact details to the CSV (supervisors only; asks for --staff and the PIN).")
@click.option("--staff", "staff_code", metavar="CODE", help="Your staff code, for --with-contact.")
@click.pass_context
def list_command(ctx: click.Context, db_url: str | None, overdue: bool, states: tuple[str, ...],
                 category: str | None, fmt: str, as_of: str | None, with_contact: bool,
                 staff_code: str | None) -> None:
    """The office queue, soonest deadline first; overdue and due today marked in words."""
    from cxdesk.clock import utcnow
    from cxdesk.domain.office import require_office
    from cxdesk.exchange import complaint_csv
    from cxdesk.exchange.csvfile import write_csv
    from cxdesk.reports import complaint_queue as queue

    if with_contact and fmt != "csv":
        raise CxdeskError("--with-contact is for --format csv only.")
    if with_contact and not staff_code:
        raise CxdeskError("--with-contact needs --staff CODE (a supervisor) and the PIN.")
    today = _parse_day(as_of) if as_of else None
    database = open_db(ctx, db_url)
    try:
        with database.session() as session:
            office = require_office(session)
            now = utcnow()
            today = today or office.local_day(now)
            viewer = _supervisor(session, office, staff_code, now) if with_contact else None
            rows = queue.list_complaints(session, office, today, states=list(states) or None,
                                         category=category, overdue=overdue)
            if fmt == "csv":
                records = complaint_csv.csv_records(session, office, rows, contact_viewer=viewer)
                columns = complaint_csv.CSV_COLUMNS + (complaint_csv.CONTACT_COLUMNS if viewer else ())
                write_csv(click.get_text_stream("stdout"), columns, records)
            else:
                _print_text(rows, today)
    finally:
        database.dispose()


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CxdeskError(f"--as-of wants a date like 2026-11-24, not {text!r}.") from None


def _supervisor(session, office, code: str, now):
    from cxdesk.domain.staff import check_pin

    pin = click.prompt(f"PIN for {code.upper()}", hide_input=True, err=True)
    staff = check_pin(session, office, code, pin, now)
    if staff.role != "supervisor":
        raise CxdeskError("Only a supervisor can export contact details.")
    return staff


def _print_text(rows, today: date) -> None:
    from cxdesk.domain.complaints import categories

    if not rows:
        click.echo("No complaints match.")
        return
    cats = categories()
    click.echo(f"{'REFERENCE':<20} {'STATE':<28} {'CATEGORY':<22} {'RECEIVED':<10} {'WITH':<6} DEADLINE")
    for row in rows:
        label = cats.get(row.category).label() if row.category in cats else row.category
        click.echo(f"{row.reference:<20} {row.state_label:<28} {label[:22]:<22} {row.received_day:%Y-%m-%d} "
                   f"{(row.assigned_code or '-'):<6} {row.due.symbol} {row.due.text}")
    overdue = sum(row.due.status == "overdue" for row in rows)
    due_today = sum(row.due.status == "due_today" for row in rows)
    click.echo(f"{len(rows)} complaint{'s' if len(rows) != 1 else ''} as of {today:%a %d %b %Y}: "
               f"{overdue} overdue, {due_today} due today.")
