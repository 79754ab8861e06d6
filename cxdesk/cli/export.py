"""`cxdesk export` (a signed bundle for headquarters) and `cxdesk sync` (the same, straight
into the central database)."""

from __future__ import annotations

import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

import click

from cxdesk.cli.base import db_option, open_db
from cxdesk.errors import CxdeskError

# Below this many rows the export takes about a second: no progress bar.
PROGRESS_FROM_ROWS = 20_000


@click.group("export", invoke_without_command=True)
@db_option
@click.option("--since", metavar="YYYY-MM-DD", help="Records of office days from this date to today.")
@click.option("--period", metavar="YYYY-MM", help="Records of one month, e.g. 2026-11.")
@click.option("--quarter", metavar="FY2027Q1", help="Records of one federal fiscal quarter.")
@click.option("--all", "everything", is_flag=True, help="Every record (default: changes since the last export).")
@click.option("--out", type=click.Path(path_type=Path), metavar="PATH",
              help="Where to write: a folder, or a .zip if PATH ends in .zip. Default: CODE-TIME.zip here.")
@click.option("--include-pii", is_flag=True,
              help="Add contact details and free text (a supervisor's code and PIN; noted in each complaint's trail).")
@click.option("--staff", "staff_code", metavar="CODE", help="Your staff code, for --include-pii.")
@click.pass_context
def export_group(ctx: click.Context, db_url: str | None, since: str | None, period: str | None,
                 quarter: str | None, everything: bool, out: Path | None, include_pii: bool,
                 staff_code: str | None) -> None:
    """Write a signed export bundle for headquarters.

    By default it holds what was created or changed since the last export
    (a complaint resolved since then travels again). Personal data stays out
    unless a supervisor releases it with --include-pii.
    """
    if ctx.invoked_subcommand is not None:
        return
    from cxdesk.clock import utcnow
    from cxdesk.domain.office import require_office
    from cxdesk.domain.office_key import office_key
    from cxdesk.exchange.bundle import record_export, write_bundle

    if include_pii and not staff_code:
        raise CxdeskError("--include-pii needs --staff CODE (a supervisor) and the PIN.")
    database = open_db(ctx, db_url)
    try:
        now = utcnow()
        with database.session() as session:
            office = require_office(session)
            selection = _selection(since, period, quarter, everything, office.local_day(now))
            supervisor = _supervisor(session, office, staff_code, now) if include_pii else None
            office_key(session, office, now)
        out = out or Path(f"{office.code}-{now:%Y%m%d-%H%M%S}.zip")
        result = _with_progress(lambda progress, on_total: write_bundle(
            database, out, selection, now=now, include_pii=include_pii, pii_by=supervisor,
            progress=progress, on_total=on_total))
        record_export(database, result, now=now, destination=str(out.resolve()), by=supervisor)
        if include_pii and result.complaint_ids:
            from cxdesk.domain.complaints.trail import record_personal_export

            with database.session() as session:
                record_personal_export(session, result.complaint_ids, supervisor, now, str(result.bundle_id))
        if include_pii:
            from cxdesk.domain import audit

            with database.session() as session:
                audit.note(session, supervisor.office_id, supervisor, "pii_export", str(result.bundle_id),
                           f"{len(result.complaint_ids)} complaints' personal data", now)
                session.commit()
        click.echo(f"Wrote {out}: {result.total_rows:,} rows, {selection.describe()} "
                   f"(changes {result.after_version + 1:,} to {result.through_version:,})"
                   + (", with personal data" if include_pii else "") + ".")
        if result.cleaned_cells:
            click.echo(f"{result.cleaned_cells} cells held control characters, left out of the bundle.", err=True)
    finally:
        database.dispose()


def _selection(since, period, quarter, everything, today: date):
    from cxdesk.exchange.bundle import Selection
    from cxdesk.reports.quarters import month_days, quarter_days

    chosen = [name for name, value in (("--since", since), ("--period", period), ("--quarter", quarter),
                                       ("--all", everything)) if value]
    if len(chosen) > 1:
        raise CxdeskError(f"Choose one of {', '.join(chosen)}.")
    if since:
        try:
            # A date, or an ISO instant (its office-local day counts).
            start = date.fromisoformat(since) if len(since) <= 10 else datetime.fromisoformat(since).date()
        except ValueError:
            raise CxdeskError(f"--since wants a date like 2026-11-01, not {since!r}.") from None
        if start > today:
            raise CxdeskError("--since is after today.")
        return Selection("period", start, today)
    if period:
        return Selection("period", *month_days(period))
    if quarter:
        return Selection("period", *quarter_days(quarter))
    return Selection("all" if everything else "changes")


def _supervisor(session, office, code: str, now):
    from cxdesk.domain.roles import acting_supervisor
    from cxdesk.domain.staff import check_pin

    pin = click.prompt(f"PIN for {code.upper()}", hide_input=True, err=True)
    staff = check_pin(session, office, code, pin, now)
    return acting_supervisor(session, staff, "release personal data to headquarters")


def _with_progress(work):
    """Run ``work(progress, on_total)`` with a progress bar on stderr once the total is known to be large."""
    state: dict = {}

    def on_total(total: int) -> None:
        if total >= PROGRESS_FROM_ROWS:
            state["bar"] = click.progressbar(length=total, label="Exporting", file=sys.stderr, show_pos=True)
            state["bar"].__enter__()

    def progress(rows: int) -> None:
        if "bar" in state:
            state["bar"].update(rows)

    try:
        return work(progress, on_total)
    finally:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)


@click.command("sync")
@db_option
@click.option("--to", "central_url", required=True, metavar="URL",
              help="The central database at headquarters (postgresql+psycopg://...).")
@click.pass_context
def sync(ctx: click.Context, db_url: str | None, central_url: str) -> None:
    """Push this office's changes straight into the central database.

    The same bundle, checks and merge as `cxdesk export` + `cxdesk hq ingest`;
    the office must be registered there with its key (`cxdesk office key`).
    """
    from cxdesk.clock import utcnow
    from cxdesk.config import resolve_db_url
    from cxdesk.domain.office import require_office
    from cxdesk.domain.office_key import office_key
    from cxdesk.exchange.bundle import Selection, record_export, write_bundle
    from cxdesk.exchange.ingest import ingest_bundle
    from cxdesk.store.db import describe_url

    database = open_db(ctx, db_url)
    central = None
    try:
        now = utcnow()
        with database.session() as session:
            office = require_office(session)
            office_key(session, office, now)
        central = open_central(resolve_db_url(central_url))
        with tempfile.TemporaryDirectory(prefix="cxdesk-sync-") as folder:
            path = Path(folder) / f"{office.code}-sync"
            result = _with_progress(lambda progress, on_total: write_bundle(
                database, path, Selection("changes"), now=now, progress=progress, on_total=on_total))
            report = ingest_bundle(central, path, now=now)
        if report.status == "refused":
            raise CxdeskError(f"{describe_url(central.url)} refused the changes: {report.reason}")
        record_export(database, result, now=now, destination=describe_url(central.url), kind="sync")
        click.echo(f"Synced {office.code} to {describe_url(central.url)}: {result.total_rows:,} rows "
                   f"({report.written:,} new or newer there).")
    finally:
        database.dispose()
        if central is not None:
            central.dispose()


def open_central(url: str):
    """Open (creating if need be) headquarters' central database; an office's own database is refused."""
    import sqlalchemy as sa

    from cxdesk.store.db import describe_url, open_database
    from cxdesk.store.models import OfficeKey

    database = open_database(url, create=True)
    with database.session() as session:
        if session.execute(sa.select(OfficeKey.office_id).limit(1)).first() is not None:
            database.dispose()
            raise CxdeskError(f"{describe_url(url)} is an office's own database (it holds a signing key), "
                              "not headquarters' central one.")
    return database


# The A-11 files for Touchpoints, a command of its own module (loaded with `cxdesk export`).
from cxdesk.cli import export_a11

export_group.add_command(export_a11.a11)
