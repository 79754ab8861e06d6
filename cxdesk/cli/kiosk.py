"""`cxdesk kiosk --station CODE`: the customer-facing survey terminal of a station."""

from __future__ import annotations

import click

from cxdesk.cli.app import run_kiosk
from cxdesk.cli.base import db_option, db_url_for


@click.command()
@click.option("--station", "station_code", required=True, metavar="CODE",
              help="The station whose surveys this kiosk shows, e.g. W1.")
@db_option
@click.option("--theme", default=None, help="Textual theme, e.g. cxdesk-high-contrast.")
@click.pass_context
def kiosk(ctx: click.Context, station_code: str, db_url: str | None, theme: str | None) -> None:
    """Customer survey kiosk: shows the survey the clerk at STATION sends to it."""
    from cxdesk.domain.office import get_station, require_office
    from cxdesk.store.db import open_database

    url = db_url_for(ctx, db_url)
    # Refuse a wrong station or database here, on stderr, before the screen takes over.
    database = open_database(url)
    try:
        with database.session() as session:
            get_station(session, require_office(session), station_code)
    finally:
        database.dispose()
    run_kiosk(url, station_code, theme=theme)
