"""`cxdesk db ...` and `cxdesk paths`: database maintenance and where files are."""

from __future__ import annotations

from pathlib import Path

import click

from cxdesk.cli.base import db_option, db_url_for
from cxdesk.errors import CxdeskError


@click.group("db")
def db_group() -> None:
    """Database maintenance."""


@db_group.command("upgrade")
@db_option
@click.pass_context
def db_upgrade(ctx: click.Context, db_url: str | None) -> None:
    """Bring the schema up to date (the app also does this on start)."""
    from cxdesk.store.db import describe_url, open_database
    from cxdesk.store.migrate import head_revision

    url = db_url_for(ctx, db_url)
    database = open_database(url)
    if database.created:
        click.echo(f"Created {describe_url(url)} at schema {head_revision()}.")
    elif database.upgraded_from:
        click.echo(f"Upgraded {describe_url(url)} from {database.upgraded_from} to {head_revision()}.")
    else:
        click.echo(f"{describe_url(url)} is up to date ({head_revision()}).")
    database.dispose()


@click.command()
@click.pass_context
def paths(ctx: click.Context) -> None:
    """Where cxdesk keeps its database, configuration and logs."""
    from cxdesk.config import catalog_override_dir, config_dir, log_dir
    from cxdesk.store.db import describe_url

    click.echo(f"database   {describe_url(db_url_for(ctx))}")
    click.echo(f"config     {config_dir()}")
    click.echo(f"catalogs   {catalog_override_dir()}  (override files)")
    click.echo(f"logs       {log_dir()}")


@db_group.command("backup")
@db_option
@click.option("--to", "to", type=click.Path(path_type=Path), metavar="PATH",
              help="A file, or a folder for a dated file. Default: backups/ in the data folder.")
@click.option("--overwrite", is_flag=True, help="Replace PATH if it exists (refused otherwise).")
@click.option("--keep", type=click.IntRange(min=1), default=None, metavar="N",
              help="Backups kept in the data folder's backups/ (default 7; only without --to).")
@click.pass_context
def db_backup(ctx: click.Context, db_url: str | None, to: Path | None, overwrite: bool, keep: int | None) -> None:
    """A consistent copy of the database while the counters keep working, checked after writing.

    For PostgreSQL it says how to use pg_dump instead.
    """
    from cxdesk.store.backup import DEFAULT_KEEP, backup

    if keep is not None and to is not None:
        raise CxdeskError("--keep applies to the backups/ folder of the data folder; it cannot go with --to.")
    result = backup(db_url_for(ctx, db_url), to, overwrite=overwrite, keep=keep or DEFAULT_KEEP)
    click.echo(f"Backed up to {result.path} ({_size(result.size)}, schema {result.revision}, "
               f"{_counts(result.counts)}); SQLite's integrity check: ok.")
    for old in result.removed:
        click.echo(f"Removed the older backup {old.name}.")


@db_group.command("restore")
@db_option
@click.argument("backup_file", type=click.Path(path_type=Path), metavar="PATH")
@click.option("--other-office", is_flag=True, help="Allow a backup of another office (replaces this one's data).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def db_restore(ctx: click.Context, db_url: str | None, backup_file: Path, other_office: bool, yes: bool) -> None:
    """Put a backup back as the database (the current one is kept aside first).

    Close the counters first. A damaged backup, another application's file or
    another office's backup is refused and nothing is changed.
    """
    from cxdesk.store.backup import check_backup, restore

    url = db_url_for(ctx, db_url)
    revision, office, counts = check_backup(backup_file)
    click.echo(f"{backup_file}: office {office or '(none)'}, schema {revision}, {_counts(counts)}; "
               "SQLite's integrity check: ok.")
    if not yes and not click.confirm("Replace the current database with it? (it is kept aside first)",
                                     default=False, err=True):
        raise CxdeskError("Nothing was restored.")
    result = restore(url, backup_file, other_office=other_office)
    _audit_restore(url, result)
    if result.kept_aside:
        click.echo(f"The database before the restore is kept at {result.kept_aside}.")
    click.echo(f"Restored {result.database} from {result.restored_from} ({_counts(result.counts)}).")


def _audit_restore(url: str, result) -> None:
    """A line in the restored database's audit (its schema is brought up to date first)."""
    from cxdesk.clock import utcnow
    from cxdesk.domain import audit
    from cxdesk.domain.office import get_office
    from cxdesk.store.db import open_database

    database = open_database(url)
    try:
        with database.session() as session:
            office = get_office(session)
            if office is not None:
                audit.note(session, office.id, None, "restore", result.restored_from.name[:120],
                           f"schema {result.revision}; previous database kept at {result.kept_aside}", utcnow())
                session.commit()
    finally:
        database.dispose()


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{size / 1024:.0f} kB"


def _counts(counts: dict[str, int]) -> str:
    names = {"visit": "visits", "complaint": "complaints", "surveyresponse": "survey responses",
             "staff": "staff"}
    return ", ".join(f"{value:,} {names.get(table, table)}" for table, value in counts.items())
