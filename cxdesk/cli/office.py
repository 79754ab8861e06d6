"""`cxdesk office key`: the office's public key, to register it at headquarters."""

from __future__ import annotations

import shlex

import click

from cxdesk.cli.base import db_option, open_db


@click.group("office")
def office_group() -> None:
    """The office itself."""


@office_group.command("key")
@db_option
@click.pass_context
def key(ctx: click.Context, db_url: str | None) -> None:
    """Print the public key that signs this office's bundles, and its fingerprint.

    Headquarters registers it with: cxdesk hq offices add CODE --name NAME --public-key KEY
    """
    from cxdesk.clock import utcnow
    from cxdesk.domain.office import require_office
    from cxdesk.domain.office_key import office_key
    from cxdesk.exchange.signing import KEY_PREFIX, fingerprint

    database = open_db(ctx, db_url)
    try:
        with database.session() as session:
            office = require_office(session)
            pair = office_key(session, office, utcnow())
            click.echo(f"office       {office.code} ({office.name})")
            click.echo(f"public key   {KEY_PREFIX}{pair.public_key}")
            click.echo(f"fingerprint  {fingerprint(pair.public_key)}")
            click.echo(f"register     cxdesk hq offices add {office.code} --name {shlex.quote(office.name)} "
                       f"--public-key {KEY_PREFIX}{pair.public_key}")
    finally:
        database.dispose()


# How long records are kept is set with the privacy commands' module.
from cxdesk.cli import privacy

office_group.add_command(privacy.retention)
