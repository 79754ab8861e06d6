"""`cxdesk plan`: the customer service plan a customer can read (EO 12862 Sec. 3), in English
or Spanish, as Markdown or an accessible HTML page."""

from __future__ import annotations

from pathlib import Path

import click

from cxdesk.cli.base import db_option, open_db


@click.command("plan")
@db_option
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="Write to FILE instead of the screen.")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
@click.option("--lang", type=click.Choice(["en", "es"]), default="en", show_default=True,
              help="The customer's language.")
@click.option("--office", "office_code", metavar="CODE", help="The office (on headquarters' central database).")
@click.pass_context
def plan(ctx: click.Context, db_url: str | None, out: Path | None, fmt: str, lang: str,
         office_code: str | None) -> None:
    """The published customer service plan: standards and this quarter's results,
    benchmarks and their sources, how customers and staff are surveyed, how to
    complain and the deadlines, and what the office will change next."""
    from cxdesk.clock import utcnow
    from cxdesk.publish.plan import as_html, as_markdown
    from cxdesk.reports.a11 import offices_in
    from cxdesk.reports.plan import customer_plan

    database = open_db(ctx, db_url)
    try:
        with database.session() as session:
            now = utcnow()
            office = offices_in(session, office_code)[0]
            the_plan = customer_plan(session, office.local_day(now), office_code)
    finally:
        database.dispose()
    text = (as_html if fmt == "html" else as_markdown)(the_plan, lang)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8", newline="")
        click.echo(f"Wrote {out}.")
