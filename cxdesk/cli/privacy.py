"""`cxdesk purge`, `cxdesk office retention` and `cxdesk audit`: personal data kept only as
long as the office says, and the supervisors' audit. Each needs a supervisor's code
and PIN."""

from __future__ import annotations

import click

from cxdesk.cli.base import db_option, open_db
from cxdesk.errors import CxdeskError

STAFF_HELP = "Your staff code (a supervisor); the PIN is asked."


def _supervisor(session, office, code: str | None, doing: str, now):
    from cxdesk.domain.roles import acting_supervisor
    from cxdesk.domain.staff import check_pin

    if not code:
        raise CxdeskError(f"To {doing}, give --staff CODE (a supervisor); the PIN is asked.")
    pin = click.prompt(f"PIN for {code.upper()}", hide_input=True, err=True)
    return acting_supervisor(session, check_pin(session, office, code, pin, now), doing)


@click.command("purge")
@db_option
@click.option("--pii-older-than", "days", metavar="DAYS",
              help="Clear personal data finished with more than DAYS days ago (default: the office's retention).")
@click.option("--staff", "staff_code", metavar="CODE", help=STAFF_HELP)
@click.option("--dry-run", is_flag=True, help="Count what would be cleared; change nothing.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation after the PIN.")
@click.pass_context
def purge(ctx: click.Context, db_url: str | None, days: str | None, staff_code: str | None, dry_run: bool,
          yes: bool) -> None:
    """Clear complainants' contact details and the words customers typed, past retention.

    Closed complaints keep their dates, category and outcome; their words and
    contact details are replaced, and their trail says so. Visit notes and survey
    comments are cleared too. Open complaints are kept whatever their age.
    """
    from cxdesk.clock import utcnow
    from cxdesk.domain.office import require_office
    from cxdesk.domain.retention import purge_personal_data, record_keeping

    database = open_db(ctx, db_url)
    try:
        now = utcnow()
        with database.session() as session:
            office = require_office(session)
            if days is None:
                days = record_keeping(session, office).retention_days
                if days is None:
                    raise CxdeskError("This office has no retention period: give --pii-older-than DAYS, or set "
                                      "one with cxdesk office retention --days N.")
            supervisor = _supervisor(session, office, staff_code, "purge personal data", now)
            preview = purge_personal_data(session, office, supervisor, older_than_days=days, now=now, dry_run=True)
            click.echo(_describe(preview, "would be" if dry_run or not yes else "will be"))
            if dry_run:
                return
            if preview.total == 0:
                click.echo("Nothing to clear.")
                return
            if not yes and not click.confirm("Clear them now? This cannot be undone.", default=False, err=True):
                raise CxdeskError("Nothing was cleared.")
            done = purge_personal_data(session, office, supervisor, older_than_days=days, now=now)
            click.echo(f"Cleared: {done.total:,} records. The next export carries the cleared records to "
                       "headquarters (with --include-pii to replace personal data it received before).")
    finally:
        database.dispose()


def _describe(count, verb: str) -> str:
    lines = [f"Personal data finished with before {count.cutoff:%Y-%m-%d} ({count.days} days) {verb} cleared:",
             f"  closed complaints   {count.complaints:,} (contact details of {count.contacts:,})",
             f"  visit notes         {count.visit_notes:,}",
             f"  survey comments     {count.survey_comments:,} (and {count.survey_texts:,} typed answers)"]
    if count.open_complaints_kept:
        lines.append(f"  kept: {count.open_complaints_kept:,} complaints older than that are still open.")
    return "\n".join(lines)


@click.command("retention")
@db_option
@click.option("--days", metavar="N", help="Keep personal data N days after a record is finished with (30-3650).")
@click.option("--none", "no_retention", is_flag=True, help="No retention period (purge by hand only).")
@click.option("--backups-kept", metavar="N", help="Backups kept in the data folder (1-90).")
@click.option("--backup-at-day-end/--no-backup-at-day-end", default=None,
              help="Take a backup when the last shift of the day signs out.")
@click.option("--staff", "staff_code", metavar="CODE", help=STAFF_HELP)
@click.pass_context
def retention(ctx: click.Context, db_url: str | None, days: str | None, no_retention: bool,
              backups_kept: str | None, backup_at_day_end: bool | None, staff_code: str | None) -> None:
    """Show or set how long personal data is kept, and the backup settings."""
    from cxdesk.clock import utcnow
    from cxdesk.domain.office import require_office
    from cxdesk.domain.retention import record_keeping, set_record_keeping

    if days and no_retention:
        raise CxdeskError("Choose --days N or --none, not both.")
    changing = days is not None or no_retention or backups_kept is not None or backup_at_day_end is not None
    database = open_db(ctx, db_url)
    try:
        now = utcnow()
        with database.session() as session:
            office = require_office(session)
            keeping = record_keeping(session, office)
            if changing:
                supervisor = _supervisor(session, office, staff_code, "change how long personal data is kept", now)
                keeping = set_record_keeping(
                    session, office, supervisor,
                    retention_days=None if no_retention else (days if days is not None else keeping.retention_days),
                    backups_kept=backups_kept, backup_at_day_end=backup_at_day_end, now=now)
            click.echo(f"retention          {f'{keeping.retention_days} days' if keeping.retention_days else 'none'}")
            click.echo(f"backups kept       {keeping.backups_kept}")
            click.echo(f"backup at day end  {'yes' if keeping.backup_at_day_end else 'no'}")
    finally:
        database.dispose()


@click.command("audit")
@db_option
@click.option("--staff", "staff_code", metavar="CODE", help=STAFF_HELP)
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="How many lines.")
@click.pass_context
def audit_command(ctx: click.Context, db_url: str | None, staff_code: str | None, limit: int) -> None:
    """The supervisors' audit, newest first: who did what, when."""
    from cxdesk.clock import utcnow
    from cxdesk.domain.audit import audit_lines
    from cxdesk.domain.office import require_office

    database = open_db(ctx, db_url)
    try:
        now = utcnow()
        with database.session() as session:
            office = require_office(session)
            supervisor = _supervisor(session, office, staff_code, "read the supervisors' audit", now)
            lines = audit_lines(session, office, supervisor, limit=limit)
            if not lines:
                click.echo("No supervisor actions recorded yet.")
            for line in lines:
                when = line.at.astimezone(office.zone).strftime("%Y-%m-%d %H:%M")
                detail = f" ({line.detail})" if line.detail else ""
                click.echo(f"{when}  {line.who:<8} {line.label}: {line.subject}{detail}")
    finally:
        database.dispose()
