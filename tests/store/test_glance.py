"""The first look at an office database (plain sqlite3, before the database layer loads)."""

from __future__ import annotations

import sqlite3

from cxdesk.store.glance import Glance, glance, sqlite_path
from cxdesk.store.head import HEAD_REVISION
from tests.test_import_hygiene import in_fresh_interpreter


def test_an_office_database_at_the_head_shows_its_office_and_open_stations(db_url, db, office):
    from cxdesk.domain.office import stations

    with db.session() as session:
        expected = tuple((s.code, s.name) for s in stations(session, office))
    seen = glance(db_url)
    assert seen == Glance(office.name, office.code, expected)
    assert len(expected) >= 2


def test_a_closed_station_is_left_out(db_url, db, office):
    from cxdesk.domain.office import stations

    with db.session() as session:
        first = stations(session, office)[0]
        first.active = False
        session.add(first)
        session.commit()
    assert first.code not in [code for code, _name in glance(db_url).stations]


def test_the_look_does_not_load_sqlalchemy(db_url, db, office):
    out = in_fresh_interpreter(
        "import sys\n"
        "from cxdesk.store.glance import glance\n"
        f"assert glance({db_url!r}) is not None\n"
        "heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'alembic') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "print('light')\n"
    )
    assert "light" in out


def test_a_database_to_upgrade_is_left_to_the_real_open(db_url, db, office):
    path = sqlite_path(db_url)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0012_audit'")
    assert glance(db_url) is None
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (HEAD_REVISION,))
    assert glance(db_url) is not None


def test_no_office_yet_is_left_to_the_real_open(db_url, db):
    assert glance(db_url) is None


def test_other_databases_and_missing_files_are_left_to_the_real_open(tmp_path):
    assert glance("postgresql+psycopg://postgres@127.0.0.1/x") is None
    assert glance("sqlite://") is None
    assert glance("sqlite:///:memory:") is None
    assert glance(f"sqlite:///{tmp_path / 'none.db'}") is None
    assert not (tmp_path / "none.db").exists()
    assert glance(f"sqlite:///{tmp_path / 'x.db'}?mode=ro") is None


def test_a_foreign_file_is_left_as_it_was_found(tmp_path):
    path = tmp_path / "theirs.db"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY)")
    connection.close()
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"theirs.db{suffix}").unlink(missing_ok=True)
    before = sorted(p.name for p in tmp_path.iterdir())
    assert glance(f"sqlite:///{path}") is None
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_file_that_is_not_sqlite_gives_none(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("not a database")
    assert glance(f"sqlite:///{path}") is None
    assert path.read_text() == "not a database"
