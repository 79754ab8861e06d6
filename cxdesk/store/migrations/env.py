"""Alembic environment: the engine is handed in by cxdesk.store.migrate."""

from alembic import context

from cxdesk.store import models

target_metadata = models.SQLModel.metadata


def run() -> None:
    engine = context.config.attributes.get("engine")
    if engine is None:  # offline / CLI use: alembic -x url=...
        from cxdesk.config import resolve_db_url
        from cxdesk.store.db import make_engine

        engine = make_engine(resolve_db_url(context.get_x_argument(as_dictionary=True).get("url")))
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
        )
        context.run_migrations()


run()
