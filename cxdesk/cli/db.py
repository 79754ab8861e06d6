"""`cxdesk db ...` and `cxdesk paths`: database maintenance and where files are."""

from __future__ import annotations

import click

from cxdesk.cli.base import db_option, db_url_for


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
