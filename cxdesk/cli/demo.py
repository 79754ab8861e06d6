"""`cxdesk demo`: fill a database with the demo office, then (with --open) show it."""

from __future__ import annotations

import sys

import click

from cxdesk.cli.app import run_app
from cxdesk.errors import CxdeskError

# Below this many working days the fill takes about a second: no progress bar.
PROGRESS_FROM_DAYS = 120


@click.command("demo")
@click.option("--db", "db_url", metavar="URL",
              help="Database to fill. Default: the demo file in the user data folder, never the real database.")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 20_000),
              help="Working days of history, ending today (7000 is about a million visits).")
@click.option("--seed", default=12862, show_default=True, type=int,
              help="The same seed on the same day gives the same office.")
@click.option("--reset", is_flag=True, help="Throw away the demo file and build it again.")
@click.option("--no-ui", is_flag=True, help="Only fill the database, then exit.")
@click.option("--open", "open_app", is_flag=True,
              help="Open the app on the demo database (filled first if it is new).")
@click.option("--stats", "show_stats", is_flag=True,
              help="Print how real the demo database looks, beside the SSA figures (fills nothing).")
@click.pass_context
def demo(ctx: click.Context, db_url: str | None, days: int, seed: int, reset: bool, no_ui: bool,
         open_app: bool, show_stats: bool) -> None:
    """Fill a database with a realistic demo office (Springfield, 140 visits a working day)."""
    from cxdesk.clock import utcnow
    from cxdesk.config import demo_db_url, resolve_db_url
    from cxdesk.demo.office import DEMO_HINT, build, top_up_line
    from cxdesk.store.db import describe_url

    explicit = db_url or (ctx.find_root().obj or {}).get("db_url")
    url = resolve_db_url(explicit) if explicit else demo_db_url()
    if url == resolve_db_url(None):
        raise CxdeskError(
            f"{describe_url(url)} is the database cxdesk opens for real work; "
            "the demo keeps to a file of its own (leave out --db)."
        )
    shown = describe_url(url)
    if show_stats:
        print_stats(url)
        return
    try:
        if days >= PROGRESS_FROM_DAYS:
            with click.progressbar(length=days, label="Filling the demo office", file=sys.stderr,
                                   show_pos=True) as bar:
                summary = build(url, days=days, seed=seed, now=utcnow(), reset=reset,
                                progress=lambda done, _total: bar.update(done - bar.pos))
        else:
            summary = build(url, days=days, seed=seed, now=utcnow(), reset=reset)
    except KeyboardInterrupt:
        raise CxdeskError(
            f"Interrupted: {shown} is only partly filled; run cxdesk demo --reset to build it again."
        ) from None

    # The line is topped up before anything is said about it, so the count printed
    # is the line the counter opens on.
    topped_up = top_up_line(url, now=utcnow(), seed=seed) if open_app and not no_ui else 0
    if summary is None:
        if not open_app or no_ui:
            click.echo(f"{shown} already holds the demo office (cxdesk demo --reset builds it again).")
    else:
        waiting = (f"{summary.waiting_now + topped_up} waiting and {summary.at_counters_now} at a counter "
                   "now")
        click.echo(
            f"Filled {shown}: office {summary.office_code}, {summary.visits:,} visits over "
            f"{summary.working_days} working days ({summary.first_day} to {summary.last_day}), "
            f"{waiting}; took {summary.seconds:.1f} s."
        )
    # The kiosk must open this same file: say exactly how to start it.
    kiosk_command = "cxdesk kiosk --demo --station {station}" if not explicit else \
        f"cxdesk kiosk --db {url} --station {{station}}"
    kiosk = kiosk_command.format(station="W1")
    if open_app and not no_ui:
        root = ctx.find_root().obj or {}
        extra = {"screen_reader": True} if root.get("screen_reader") else {}
        if root.get("theme"):
            extra["theme"] = root["theme"]
        run_app(url, demo_hint=DEMO_HINT, kiosk_command=kiosk_command, **extra)
    elif not no_ui:
        click.echo(DEMO_HINT)
        click.echo("Open it with: cxdesk demo --open")
        click.echo(f"Its survey kiosk for window W1: {kiosk}")


def print_stats(url: str) -> None:
    """The realism figures of the demo database at ``url``, beside the SSA figures."""
    from cxdesk.demo.database import office_in, sqlite_path
    from cxdesk.demo.stats import demo_stats, stats_lines
    from cxdesk.store.db import describe_url, open_database

    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise CxdeskError(f"There is no demo database at {describe_url(url)}; fill it first: cxdesk demo --no-ui.")
    db = open_database(url)
    try:
        office = office_in(db)
        if office is None:
            raise CxdeskError(f"{describe_url(url)} holds no office yet; fill it first: cxdesk demo --no-ui.")
        with db.session() as session:
            stats = demo_stats(session, office.id)
    finally:
        db.dispose()
    if not stats.days:
        raise CxdeskError(f"{describe_url(url)} has no full working day yet: nothing to measure.")
    for line in stats_lines(stats, f"{office.code} ({office.name}) in {describe_url(url)}"):
        click.echo(line)
