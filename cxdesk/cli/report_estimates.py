"""`cxdesk report estimates`: how honest the lobby board's wait estimates were — the share
of walk-ins whose actual wait fell inside the range shown when they arrived (issue 12).
Two answers: the estimates the board recorded, and the estimate replayed from the visits.
"""

from __future__ import annotations

from datetime import date

import click

from cxdesk.cli.base import db_option, open_db
from cxdesk.errors import CxdeskError


def _day(value: str | None, what: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise CxdeskError(f"{what}: a date as YYYY-MM-DD (e.g. 2026-11-23).") from None


def accuracy_line(label: str, found) -> str:
    if not found.judged:
        text = f"{label}: no walk-in with an estimate to judge."
    else:
        text = (f"{label}: {found.inside:,} of {found.judged:,} walk-ins ({found.share_inside}%) were called "
                f"within the range shown; {found.shorter:,} sooner, {found.longer:,} later; "
                f"mean range {found.mean_width} min.")
    extra = []
    if found.no_estimate:
        extra.append(f"{found.no_estimate:,} arrived while the board showed '—'")
    if found.unrecorded:
        extra.append(f"{found.unrecorded:,} arrived with no estimate recorded (no board running)")
    return text + (" " + "; ".join(extra) + "." if extra else "")


@click.command("estimates")
@db_option
@click.option("--since", metavar="DATE", help="First day (YYYY-MM-DD). Default: Monday of this week.")
@click.option("--until", metavar="DATE", help="Last day (YYYY-MM-DD). Default: today.")
@click.pass_context
def estimates(ctx: click.Context, db_url: str | None, since: str | None, until: str | None) -> None:
    """How often actual waits fell inside the lobby board's estimated range."""
    from cxdesk.clock import utcnow
    from cxdesk.reports.lobby import lobby_office, recorded_accuracy, replay_accuracy, week_of

    first, last = _day(since, "--since"), _day(until, "--until")
    database = open_db(ctx, db_url)
    try:
        with database.session() as session:
            office = lobby_office(session)
            today = office.local_day(utcnow())
            last = last or today
            first = first or week_of(last)[0]
            if first > last:
                raise CxdeskError("--since comes before --until.")
            if (last - first).days > 400:
                raise CxdeskError("At most 400 days at a time.")
            recorded = recorded_accuracy(session, office, first, last)
            replayed = replay_accuracy(session, office, first, last)
    finally:
        database.dispose()
    click.echo(f"Lobby wait estimates, {office.name}, {first:%a %d %b %Y} – {last:%a %d %b %Y}")
    click.echo(accuracy_line("As shown on the board", recorded))
    click.echo(accuracy_line("Replayed from the visits", replayed))
