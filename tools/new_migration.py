"""Developer tool: autogenerate the next migration against a scratch database.

    python tools/new_migration.py "add surveys" 0002_surveys
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from cxdesk.config import sqlite_url
from cxdesk.store.db import make_engine
from cxdesk.store.migrate import alembic_config


def main(message: str, rev_id: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(sqlite_url(Path(tmp) / "scratch.db"))
        config = alembic_config(engine)
        command.upgrade(config, "head")
        config.set_main_option("script_location",
                               str(Path(__file__).resolve().parent.parent / "cxdesk" / "store" / "migrations"))
        command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
        engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
