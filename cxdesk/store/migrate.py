"""Schema upgrades with Alembic, run by the application itself.

The migration scripts ship inside the package (``cxdesk/migrations``); no
``alembic.ini`` is needed at run time.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from cxdesk.errors import CxdeskError


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", "cxdesk.store:migrations")
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, bool]:
    """Bring the schema to head. Returns (revision upgraded from, created?).

    A database with tables but no Alembic stamp is someone else's: refused.
    """
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return None, False
    if current is None:
        tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
        if tables:
            raise CxdeskError(
                "this database holds tables that are not cxdesk's "
                f"({', '.join(sorted(tables)[:3])}...); refusing to touch it."
            )
    else:
        known = {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
        if current not in known:
            raise CxdeskError(
                f"the database is at schema {current}, newer than this cxdesk knows; "
                "upgrade cxdesk."
            )
    command.upgrade(alembic_config(engine), "head")
    return current, current is None
