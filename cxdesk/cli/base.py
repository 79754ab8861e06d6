"""The `cxdesk` command group and what its commands share: the --db option,
opening the database, and errors that read as a sentence.

Exit status: 0 done; 1 a problem the person can fix (the sentence on stderr
says what); 2 a usage error (click's own: an unknown option, a missing argument).
"""

from __future__ import annotations

from collections.abc import Callable

import click

from cxdesk import __version__
from cxdesk.errors import CxdeskError

DB_HELP = "Database URL (SQLite path or postgresql+psycopg://...). Default: CXDESK_DB, then the user data folder."
USER_ERROR = 1


# Each command by the module that defines it (cxdesk/cli/<module>.py) and its name there,
# loaded when it runs or a help text lists it: `cxdesk` alone (the counter app) imports none.
COMMANDS = {
    "audit": ("privacy", "audit_command"),
    "board": ("board", "board"),
    "complaints": ("complaints", "complaints_group"),
    "db": ("db", "db_group"),
    "demo": ("demo", "demo"),
    "export": ("export", "export_group"),
    "hq": ("hq", "hq_group"),
    "kiosk": ("kiosk", "kiosk"),
    "office": ("office", "office_group"),
    "paths": ("db", "paths"),
    "plan": ("plan", "plan"),
    "purge": ("privacy", "purge"),
    "report": ("report", "report_group"),
    "staff": ("staff", "staff_group"),
    "sync": ("export", "sync"),
}


class CxdeskGroup(click.Group):
    """Loads its commands when they are asked for (``COMMANDS``); turns CxdeskError into a
    clear message on stderr and exit status 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            import importlib

            module, attribute = COMMANDS[name]
            self.add_command(getattr(importlib.import_module(f"cxdesk.cli.{module}"), attribute), name)
        return super().get_command(ctx, name)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CxdeskError as exc:
            click.echo(f"cxdesk: {exc}", err=True)
            ctx.exit(USER_ERROR)


def db_option(command: Callable) -> Callable:
    """``--db URL`` on a command; it wins over the group's ``--db``."""
    return click.option("--db", "db_url", metavar="URL", help=DB_HELP)(command)


def db_url_for(ctx: click.Context, db_url: str | None = None) -> str:
    """The database a command works on: its own --db, the group's, CXDESK_DB, the default."""
    from cxdesk.config import resolve_db_url

    root = ctx.find_root()
    return resolve_db_url(db_url or (root.obj or {}).get("db_url"))


def open_db(ctx: click.Context, db_url: str | None = None):
    """Open (and upgrade) the database named by the command or the group."""
    from cxdesk.store.db import open_database

    db = open_database(db_url_for(ctx, db_url))
    if db.upgraded_from:
        click.echo(f"Upgraded the database schema from {db.upgraded_from}.", err=True)
    return db


@click.group(cls=CxdeskGroup, invoke_without_command=True)
@click.version_option(__version__, prog_name="cxdesk")
@db_option
@click.option("--theme", default=None, help="Textual theme: cxdesk-high-contrast, cxdesk-colour-blind, ...")
@click.option("--screen-reader", is_flag=True, default=False,
              help="The terminal cursor on what has focus, every change said on the top line, no animation "
                   "(also CXDESK_SCREEN_READER=1).")
@click.pass_context
def main(ctx: click.Context, db_url: str | None, theme: str | None, screen_reader: bool) -> None:
    """cxdesk: the front-line service counter (EO 12862).

    Without a command, opens the counter app.
    """
    ctx.ensure_object(dict)
    ctx.obj["db_url"] = db_url
    ctx.obj.update(theme=theme, screen_reader=screen_reader)
    if ctx.invoked_subcommand is None:
        from cxdesk.cli.app import run_app

        extra = {"screen_reader": True} if screen_reader else {}
        run_app(db_url_for(ctx), theme=theme, **extra)
