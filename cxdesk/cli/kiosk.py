"""`cxdesk kiosk --station CODE`: the customer-facing survey terminal of a station.

The kiosk opens the database the counter opens (``--db``, then ``CXDESK_DB``, then
the user data folder); ``--demo`` opens the demo office's file, the one
``cxdesk demo --open`` uses. The kiosk shows which database it opened.
"""

from __future__ import annotations

import click

from cxdesk.cli.app import run_kiosk
from cxdesk.cli.base import db_option, db_url_for
from cxdesk.errors import CxdeskError


@click.command()
@click.option("--station", "station_code", required=True, metavar="CODE",
              help="The station whose surveys this kiosk shows, e.g. W1.")
@db_option
@click.option("--demo", "use_demo", is_flag=True,
              help="Open the demo office's database (the one `cxdesk demo --open` shows).")
@click.option("--theme", default=None, help="Textual theme: cxdesk-high-contrast, cxdesk-colour-blind, ...")
@click.option("--screen-reader", is_flag=True, default=False,
              help="The terminal cursor on the question, every change said on the top line, no animation.")
@click.pass_context
def kiosk(ctx: click.Context, station_code: str, db_url: str | None, use_demo: bool, theme: str | None,
          screen_reader: bool) -> None:
    """Customer survey kiosk: shows the survey the clerk at STATION sends to it."""
    from cxdesk.config import demo_db_url
    from cxdesk.domain.office import get_station, require_office
    from cxdesk.store.db import describe_url, open_database

    if use_demo and (db_url or (ctx.find_root().obj or {}).get("db_url")):
        raise CxdeskError("Give --demo or --db, not both.")
    url = demo_db_url() if use_demo else db_url_for(ctx, db_url)
    # Refuse a wrong station or database here, on stderr, before the screen takes over.
    database = open_database(url)
    try:
        with database.session() as session:
            try:
                get_station(session, require_office(session), station_code)
            except CxdeskError as exc:
                raise CxdeskError(f"{exc} (database: {describe_url(url)})") from None
    finally:
        database.dispose()
    root = ctx.find_root().obj or {}
    # Said only when asked for, so the call reads as before otherwise.
    extra = {"screen_reader": True} if screen_reader or root.get("screen_reader") else {}
    run_kiosk(url, station_code, theme=theme or root.get("theme"), **extra)
