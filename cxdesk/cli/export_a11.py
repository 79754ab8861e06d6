"""`cxdesk export a11`: the quarterly A-11 Section 280 folder for Touchpoints, and
`cxdesk export a11 --check DIR`, the pre-upload check (run by itself after writing)."""

from __future__ import annotations

from pathlib import Path

import click

from cxdesk.cli.base import USER_ERROR, db_option, open_db
from cxdesk.errors import CxdeskError


@click.command("a11")
@db_option
@click.option("--quarter", metavar="FY2027Q1", help="The federal fiscal quarter (FY2027 Q1 = Oct-Dec 2026).")
@click.option("--office", "office_code", metavar="CODE",
              help="Only this office (on headquarters' central database; default: every office in it).")
@click.option("--out", type=click.Path(path_type=Path), metavar="DIR", help="A new or empty folder to write.")
@click.option("--check", "check_dir", type=click.Path(path_type=Path), metavar="DIR",
              help="Only check a folder already written (or edited by hand) before uploading it.")
@click.pass_context
def a11(ctx: click.Context, db_url: str | None, quarter: str | None, office_code: str | None,
        out: Path | None, check_dir: Path | None) -> None:
    """Write the quarter's A-11 files: a Touchpoints response CSV per service and
    channel, the worksheet to type into Touchpoints, and (Likert set) the legacy
    summary. Then check them as Touchpoints will not."""
    if check_dir is not None:
        if quarter or out or office_code:
            raise CxdeskError("--check DIR checks a folder; give it alone, without --quarter, --office or --out.")
        _report_check(check_dir)
        return
    if not quarter or out is None:
        raise CxdeskError("Give --quarter FY2027Q1 and --out DIR (or --check DIR).")
    from cxdesk.exchange.a11_files import write_folder
    from cxdesk.reports.a11 import a11_quarter
    from cxdesk.reports.periods import parse_quarter

    fiscal_year, number = parse_quarter(quarter)
    database = open_db(ctx, db_url)
    try:
        with database.session() as session:
            figures = a11_quarter(session, fiscal_year, number, office_code)
            written = write_folder(session, figures, out)
    finally:
        database.dispose()
    uploads = [name for name in written.files if name.startswith("touchpoints-")]
    click.echo(f"Wrote {written.folder}: {len(uploads)} Touchpoints file(s), {written.respondents:,} respondents, "
               f"{figures.label}, offices {', '.join(figures.offices)}.")
    for line in figures.lines:
        click.echo(f"  {line.service:<24} served {line.served:>7,}  offered {line.offered:>7,}  "
                   f"respondents {line.respondents:>6,}")
    _report_check(written.folder)


def _report_check(folder: Path) -> None:
    from cxdesk.exchange.a11_files import check_folder

    problems = check_folder(folder)
    if problems:
        click.echo(f"{folder}: {len(problems)} problem(s) to fix before uploading:", err=True)
        for problem in problems:
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(USER_ERROR)
    click.echo(f"Check passed: {folder} is fit to upload (headers, UTF-8, every cell in its domain, "
               "respondents <= offered <= served).")
