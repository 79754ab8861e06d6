"""Alembic environment: the connection (inside the upgrade's one transaction) is
handed in by cxdesk.store.migrate; the engine only for offline / developer use."""

from alembic import context

from cxdesk.store import models

target_metadata = models.SQLModel.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        # SQLite's DDL is transactional inside the caller's BEGIN (see migrate.py).
        transactional_ddl=True,
    )


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        # The caller owns the transaction: Alembic runs inside it and commits nothing.
        _configure(connection)
        context.run_migrations()
        return
    engine = context.config.attributes.get("engine")
    if engine is None:  # offline / CLI use: alembic -x url=...
        from cxdesk.config import resolve_db_url
        from cxdesk.store.db import make_engine

        engine = make_engine(resolve_db_url(context.get_x_argument(as_dictionary=True).get("url")))
    from cxdesk.store.migrate import upgrade_transaction

    with upgrade_transaction(engine) as connection:
        _configure(connection)
        context.run_migrations()


run()
