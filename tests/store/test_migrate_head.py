"""The head constant start-up relies on, and start-up without Alembic's script machinery."""

import subprocess
import sys

from cxdesk.config import sqlite_url
from cxdesk.store import migrate
from cxdesk.store.db import open_database


def test_the_head_constant_is_the_head_of_the_migration_scripts():
    # A new migration moves the head: change HEAD_REVISION in cxdesk/store/head.py with it.
    assert migrate.HEAD_REVISION == migrate.head_revision()


def test_a_database_at_head_opens_without_loading_alembic(tmp_path):
    path = tmp_path / "office.db"
    open_database(sqlite_url(path), create=True).dispose()
    code = (
        "import sys\n"
        "from cxdesk.store.db import open_database\n"
        f"db = open_database({sqlite_url(path)!r})\n"
        "assert db.upgraded_from is None and not db.created\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'alembic'))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
