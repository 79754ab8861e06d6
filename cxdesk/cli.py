"""The cxdesk command line. Starts fast: the UI is imported only by commands that show it.

Errors a person can act on go to stderr with a non-zero exit, never a traceback.
"""

from __future__ import annotations

import sys

import click

from cxdesk import __version__
from cxdesk.errors import CxdeskError

DB_HELP = "Database URL (SQLite path or postgresql+psycopg://...). Default: CXDESK_DB, then the user data folder."


class CxdeskGroup(click.Group):
    """Turns CxdeskError into a clear message and exit status 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CxdeskError as exc:
            click.echo(f"cxdesk: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=CxdeskGroup, invoke_without_command=True)
@click.version_option(__version__, prog_name="cxdesk")
@click.option("--db", "db_url", metavar="URL", help=DB_HELP)
@click.option("--theme", default=None, help="Textual theme, e.g. cxdesk-high-contrast.")
@click.pass_context
def main(ctx: click.Context, db_url: str | None, theme: str | None) -> None:
    """cxdesk: the front-line service counter (EO 12862).

    Without a command, opens the counter app.
    """
    ctx.ensure_object(dict)
    ctx.obj["db_url"] = db_url
    if ctx.invoked_subcommand is None:
        run_app(db_url, theme=theme)


def run_app(db_url: str | None, *, theme: str | None = None, demo_hint: str | None = None) -> None:
    from cxdesk.config import resolve_db_url

    url = resolve_db_url(db_url)
    from cxdesk.screens.app import CxdeskApp

    app = CxdeskApp(db_url=url, theme_name=theme, demo_hint=demo_hint)
    app.run()
    if app.return_code:
        sys.exit(app.return_code)


def open_db(ctx: click.Context, db_url: str | None = None):
    """Open (and upgrade) the database named by the command or the group."""
    from cxdesk.config import resolve_db_url
    from cxdesk.db import open_database

    url = resolve_db_url(db_url or ctx.obj.get("db_url"))
    db = open_database(url)
    if db.upgraded_from:
        click.echo(f"Upgraded the database schema from {db.upgraded_from}.", err=True)
    return db


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@click.option("--db", "db_url", metavar="URL", help=DB_HELP)
@click.pass_context
def db_upgrade(ctx: click.Context, db_url: str | None) -> None:
    """Bring the schema up to date (the app also does this on start)."""
    from cxdesk.config import resolve_db_url
    from cxdesk.db import describe_url, open_database
    from cxdesk.migrate import head_revision

    url = resolve_db_url(db_url or ctx.obj.get("db_url"))
    database = open_database(url)
    if database.created:
        click.echo(f"Created {describe_url(url)} at schema {head_revision()}.")
    elif database.upgraded_from:
        click.echo(f"Upgraded {describe_url(url)} from {database.upgraded_from} to {head_revision()}.")
    else:
        click.echo(f"{describe_url(url)} is up to date ({head_revision()}).")
    database.dispose()


@main.command()
@click.pass_context
def paths(ctx: click.Context) -> None:
    """Where cxdesk keeps its database, configuration and logs."""
    from cxdesk.config import catalog_override_dir, config_dir, log_dir, resolve_db_url
    from cxdesk.db import describe_url

    click.echo(f"database   {describe_url(resolve_db_url(ctx.obj.get('db_url')))}")
    click.echo(f"config     {config_dir()}")
    click.echo(f"catalogs   {catalog_override_dir()}  (override files)")
    click.echo(f"logs       {log_dir()}")


# Commands of later features register themselves here (demo, kiosk, complaints ...).
from cxdesk import cli_demo  # noqa: E402,F401  (registers `demo`)
from cxdesk import cli_complaints  # noqa: E402,F401  (registers `complaints`)
from cxdesk import cli_survey  # noqa: E402,F401  (registers `kiosk`)
