"""`cxdesk report surveys`: the quarter's customer survey report (EO 12862 Sec. 2), on an
office database or on headquarters' central one."""

from __future__ import annotations

from pathlib import Path

import click

from cxdesk.cli.base import db_option, open_db


@click.command("surveys")
@db_option
@click.option("--quarter", required=True, metavar="FY2027Q1", help="The federal fiscal quarter.")
@click.option("--office", "office_code", metavar="CODE",
              help="Only this office (on headquarters' central database; default: every office in it).")
@click.option("--format", "fmt", type=click.Choice(["text", "html", "csv"]), default="text", show_default=True)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="Write to FILE instead of the screen.")
@click.pass_context
def surveys(ctx: click.Context, db_url: str | None, quarter: str, office_code: str | None, fmt: str,
            out: Path | None) -> None:
    """Volumes, response rate, trust and each driver by service, segment and language;
    comments with personal details withheld; the change since the last quarter; and
    the lowest-rated drivers, named as the places to act."""
    from cxdesk.publish.survey_report import as_html, as_text
    from cxdesk.reports.periods import parse_quarter
    from cxdesk.reports.survey_report import survey_report

    fiscal_year, number = parse_quarter(quarter)
    database = open_db(ctx, db_url)
    try:
        with database.session() as session:
            report = survey_report(session, fiscal_year, number, office_code)
    finally:
        database.dispose()
    text = {"text": as_text, "html": as_html, "csv": _as_csv}[fmt](report)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8", newline="")
        click.echo(f"Wrote {out}.")


def _as_csv(report) -> str:
    import io

    from cxdesk.exchange.csvfile import write_csv
    from cxdesk.publish.survey_report import CSV_COLUMNS, csv_rows

    stream = io.StringIO()
    write_csv(stream, CSV_COLUMNS, csv_rows(report))
    return stream.getvalue()
