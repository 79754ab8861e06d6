"""`cxdesk report barriers`: the barrier survey results of a period as text, CSV or JSON.

The same rule as on screen: nothing that rests on fewer than 3 answers is shown.
"""

from __future__ import annotations

import click

from cxdesk.cli.base import db_option, open_db


@click.command("barriers")
@db_option
@click.option("--period", "period_code", metavar="PERIOD",
              help="A month (2026-11) or a federal fiscal quarter (FY2027Q1). Default: the current period.")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True)
@click.pass_context
def barriers(ctx: click.Context, db_url: str | None, period_code: str | None, fmt: str) -> None:
    """Front-line barrier survey results (EO 12862 1(e)): percent positive per item, barriers
    ranked, ideas, response rate and the change since the previous period."""
    import io
    import json

    from cxdesk.clock import utcnow
    from cxdesk.domain.barrier.periods import parse_period
    from cxdesk.domain.office import require_office
    from cxdesk.exchange.csvfile import write_csv
    from cxdesk.reports import barrier, barrier_format

    period = parse_period(period_code) if period_code else None
    database = open_db(ctx, db_url)
    try:
        with database.session() as session:
            office = require_office(session)
            if period is None:
                period = barrier.default_period(session, office, office.local_day(utcnow()))
            report = barrier.barrier_report(session, office, period)
    finally:
        database.dispose()
    if fmt == "csv":
        buffer = io.StringIO()
        write_csv(buffer, barrier_format.CSV_COLUMNS, barrier_format.csv_records(report))
        click.echo(buffer.getvalue(), nl=False)
    elif fmt == "json":
        click.echo(json.dumps(barrier_format.as_data(report), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(barrier_format.text_lines(report)))
