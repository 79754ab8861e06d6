"""Developer tool: autogenerate the next migration against a scratch database at the head.

    python tools/new_migration.py "add standards" 0010_standards
    make migration NAME="add standards" REV=0010_standards

Writes cxdesk/store/migrations/versions/<REV>.py (revision "<REV>") in this source tree;
read it and trim it to exactly your tables and columns before committing.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from cxdesk.config import sqlite_url
from cxdesk.store.db import make_engine
from cxdesk.store.migrate import alembic_config

MIGRATIONS = Path(__file__).resolve().parent.parent / "cxdesk" / "store" / "migrations"


def main(message: str, rev_id: str) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(sqlite_url(Path(tmp) / "scratch.db"))
        try:
            config = alembic_config(engine)
            command.upgrade(config, "head")
            # The source tree's folder (not the installed package's), so the new file lands here.
            config.set_main_option("script_location", str(MIGRATIONS))
            config.set_main_option("file_template", "%%(rev)s")  # versions/0010_standards.py
            command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
        finally:
            engine.dispose()
    return MIGRATIONS / "versions" / f"{rev_id}.py"


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
