"""`cxdesk hq ...`: headquarters' side. Register offices, ingest their bundles into the
central database, report across offices."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cxdesk.errors import CxdeskError

CENTRAL_HELP = "The central database (postgresql+psycopg://...; an SQLite path works for a small trial)."


def central_option(command):
    return click.option("--db", "db_url", required=True, metavar="URL", help=CENTRAL_HELP)(command)


def _central(db_url: str):
    from cxdesk.cli.export import open_central
    from cxdesk.config import resolve_db_url

    return open_central(resolve_db_url(db_url))


@click.group("hq")
def hq_group() -> None:
    """Headquarters: the central database of every field office."""


@hq_group.group("offices")
def offices_group() -> None:
    """The register of field offices and their keys."""


@offices_group.command("add")
@click.argument("code")
@click.option("--name", required=True, help="The office's name, as its bundles give it.")
@click.option("--public-key", "public_key", required=True, metavar="KEY",
              help="What `cxdesk office key` prints at the office (ed25519:...).")
@click.option("--replace", is_flag=True, help="Change the name or key of an office already registered.")
@central_option
def offices_add(code: str, name: str, public_key: str, replace: bool, db_url: str) -> None:
    """Register office CODE, so that its signed bundles are taken."""
    from cxdesk.clock import utcnow
    from cxdesk.exchange.ingest import register_office
    from cxdesk.exchange.signing import fingerprint

    database = _central(db_url)
    try:
        entry = register_office(database, code, name, public_key, utcnow(), replace=replace)
        click.echo(f"Registered {entry.code} ({entry.name}), key {fingerprint(entry.public_key)}.")
    finally:
        database.dispose()


@offices_group.command("list")
@central_option
def offices_list(db_url: str) -> None:
    """The registered offices and their key fingerprints."""
    from cxdesk.exchange.ingest import registered_offices
    from cxdesk.exchange.signing import fingerprint

    database = _central(db_url)
    try:
        entries = registered_offices(database)
        for entry in entries:
            click.echo(f"{entry.code:<9} {fingerprint(entry.public_key)}  {entry.name}")
        click.echo(f"{len(entries)} office{'s' if len(entries) != 1 else ''} registered.")
    finally:
        database.dispose()


@hq_group.command("ingest")
@click.argument("bundles", nargs=-1, required=True, type=click.Path(path_type=Path))
@central_option
@click.option("--allow-unsigned", is_flag=True, help="Take bundles without a valid signature (still checked otherwise).")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(1, 16),
              help="Bundles loaded at once (each is still one transaction).")
def ingest(bundles: tuple[Path, ...], db_url: str, allow_unsigned: bool, jobs: int) -> None:
    """Check and load office bundles (folders or .zip files) into the central database.

    Each bundle is checked before anything is written and loaded in one
    transaction; a refused bundle changes nothing and the others go on.
    """
    from cxdesk.clock import utcnow
    from cxdesk.exchange.ingest import ingest_bundles

    database = _central(db_url)
    try:
        show_bar = len(bundles) > 1
        bar = click.progressbar(length=len(bundles), label="Ingesting", file=sys.stderr, show_pos=True) \
            if show_bar else None
        if bar is not None:
            bar.__enter__()
        try:
            reports = ingest_bundles(database, bundles, now=utcnow(), allow_unsigned=allow_unsigned, jobs=jobs,
                                     on_done=(lambda _report: bar.update(1)) if bar is not None else None)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
    finally:
        database.dispose()
    for report in reports:
        click.echo(report.line())
    refused = sum(report.status == "refused" for report in reports)
    rows = sum(report.rows for report in reports if report.status == "ingested")
    seconds = sum(report.seconds for report in reports)
    click.echo(f"{len(reports) - refused} of {len(reports)} bundles taken ({rows:,} rows ingested), "
               f"{refused} refused; {seconds:.1f} s of loading.")
    if refused:
        raise CxdeskError(f"{refused} bundle{'s' if refused != 1 else ''} refused (listed above); "
                          "the central database holds none of their rows.")


@hq_group.command("report")
@central_option
@click.option("--quarter", metavar="FY2027Q1", help="Default: the current fiscal quarter.")
@click.option("--format", "fmt", type=click.Choice(["text", "html", "csv"]), default="text", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), metavar="FILE", help="Write to FILE instead of stdout.")
def report(db_url: str, quarter: str | None, fmt: str, out: Path | None) -> None:
    """Offices side by side for a quarter, national figures first."""
    from cxdesk.clock import utcnow
    from cxdesk.reports import hq
    from cxdesk.reports.quarters import quarter_days, quarter_name

    today = utcnow().date()
    name = quarter or quarter_name(today)
    start, end = quarter_days(name)
    database = _central(db_url)
    try:
        with database.session() as session:
            result = hq.quarter_report(session, name, start, end, as_of=min(today, end))
    finally:
        database.dispose()
    if fmt == "html":
        from cxdesk.publish.hq_report import render_html

        text = render_html(result)
    elif fmt == "csv":
        from cxdesk.exchange.hq_csv import as_csv

        text = as_csv(result)
    else:
        text = hq.as_text(result)
    if out is not None:
        out.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {out} ({len(result.offices)} offices, {name}).")
    else:
        click.echo(text, nl=False)
