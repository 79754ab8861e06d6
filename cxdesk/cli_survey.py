"""`cxdesk kiosk --station CODE`: the customer-facing survey terminal of a station."""

from __future__ import annotations

import sys

import click

from cxdesk.cli import DB_HELP, main


@main.command()
@click.option("--station", "station_code", required=True, metavar="CODE",
              help="The station whose surveys this kiosk shows, e.g. W1.")
@click.option("--db", "db_url", metavar="URL", help=DB_HELP)
@click.option("--theme", default=None, help="Textual theme, e.g. cxdesk-high-contrast.")
@click.pass_context
def kiosk(ctx: click.Context, station_code: str, db_url: str | None, theme: str | None) -> None:
    """Customer survey kiosk: shows the survey the clerk at STATION sends to it."""
    from cxdesk.config import resolve_db_url
    from cxdesk.db import open_database
    from cxdesk.office import get_station, require_office

    url = resolve_db_url(db_url or ctx.obj.get("db_url"))
    # Refuse a wrong station or database here, on stderr, before the screen takes over.
    database = open_database(url)
    try:
        with database.session() as session:
            get_station(session, require_office(session), station_code)
    finally:
        database.dispose()

    from cxdesk.screens.kiosk import KioskApp

    app = KioskApp(db_url=url, station_code=station_code, theme_name=theme)
    app.run()
    if app.return_code:
        sys.exit(app.return_code)
