"""`cxdesk board`: the lobby board on a terminal, or with ``--serve`` as a web page for a
lobby TV or a customer's phone (EO 12862 1(c), 1(g)). Both show the same figures
(cxdesk.reports.lobby); neither writes to the database.
"""

from __future__ import annotations

import click

from cxdesk.cli.base import db_option, db_url_for
from cxdesk.errors import CxdeskError


@click.command()
@db_option
@click.option("--demo", "use_demo", is_flag=True,
              help="Open the demo office's database (the one `cxdesk demo --open` shows).")
@click.option("--theme", default=None, help="Textual theme (default: cxdesk-high-contrast).")
@click.option("--serve", is_flag=True, help="Serve the board as a web page instead of drawing it here.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="With --serve: the address to listen on (0.0.0.0 for every network).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="With --serve: the port (0 picks a free one and says which).")
@click.pass_context
def board(ctx: click.Context, db_url: str | None, use_demo: bool, theme: str | None, serve: bool,
          host: str, port: int) -> None:
    """Lobby board: numbers called, estimated wait, service standards (English and Spanish)."""
    from cxdesk.config import demo_db_url
    from cxdesk.domain.office import require_office
    from cxdesk.store.db import describe_url, open_database

    if use_demo and (db_url or (ctx.find_root().obj or {}).get("db_url")):
        raise CxdeskError("Give --demo or --db, not both.")
    source = ctx.get_parameter_source
    if not serve and any(source(name) == click.core.ParameterSource.COMMANDLINE for name in ("host", "port")):
        raise CxdeskError("--host and --port go with --serve.")
    url = demo_db_url() if use_demo else db_url_for(ctx, db_url)
    # A wrong database is refused here, on stderr, before the screen or the server starts.
    database = open_database(url)
    try:
        with database.session() as session:
            try:
                require_office(session)
            except CxdeskError as exc:
                raise CxdeskError(f"{exc} (database: {describe_url(url)})") from None
    finally:
        database.dispose()
    if serve:
        from cxdesk.publish.lobby_server import serve_board

        serve_board(url, host=host, port=port, announce=lambda line: click.echo(line, err=True))
        return
    from cxdesk.cli.app import run_board

    run_board(url, theme=theme)
