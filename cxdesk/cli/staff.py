"""`cxdesk staff unlock CODE`: the way back in when the only supervisor is slowed
down by wrong PINs (or a supervisor is not at hand).

No PIN is asked: whoever can run commands on the account that holds the
database file can read and change that file anyway, so the file access is the
authority (for PostgreSQL: whoever holds the database URL and its password).
"""

from __future__ import annotations

import click

from cxdesk.cli.base import db_option, open_db


@click.group("staff")
def staff_group() -> None:
    """Staff sign-in, from the machine's own account."""


@staff_group.command("unlock")
@click.argument("code")
@db_option
@click.pass_context
def unlock_command(ctx: click.Context, code: str, db_url: str | None) -> None:
    """Clear the sign-in delay of staff code CODE at every station."""
    from cxdesk.domain.office import require_office
    from cxdesk.domain.signin_delays import unlock_from_machine
    from cxdesk.domain.staff import get_staff

    database = open_db(ctx, db_url)
    try:
        with database.session() as session:
            office = require_office(session)
            staff = get_staff(session, office, code)
            cleared = unlock_from_machine(session, office, staff.code)
    finally:
        database.dispose()
    if cleared:
        where = "1 station" if cleared == 1 else f"{cleared} stations"
        click.echo(f"Cleared the sign-in delay of {staff.code} ({where}); they can sign in now.")
    else:
        click.echo(f"{staff.code} has no sign-in delay; if the PIN is forgotten, a supervisor resets it (F5).")
