"""Shared fixtures: an isolated home folder, a fixed clock, a ready office, PostgreSQL.

Every test gets its own CXDESK_HOME, so nothing touches the real user folders.
"""

from __future__ import annotations

import os
import uuid

import pytest

from cxdesk.clock import fixed_clock
from tests.factories import CLERK, FIXED_NOW, PG_ADMIN_URL, SUPERVISOR, make_office, supervisor_of


@pytest.fixture(autouse=True)
def cxdesk_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("CXDESK_HOME", str(home))
    monkeypatch.delenv("CXDESK_DB", raising=False)
    return home


@pytest.fixture(autouse=True)
def cheap_pin_hash(monkeypatch):
    """PINs hashed at a test cost: the real one (a tenth of a second each, see
    cxdesk.domain.pins) would add minutes to the suite. Tests of the real cost use
    pins.SIGN_IN_COST explicitly."""
    from cxdesk.domain import pins

    monkeypatch.setattr(pins, "CURRENT", pins.ScryptCost(n=2**10, r=8, p=1))


@pytest.fixture
def clock():
    return fixed_clock(FIXED_NOW)


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'cxdesk.db'}"


@pytest.fixture
def db(db_url):
    from cxdesk.store.db import open_database

    database = open_database(db_url, create=True)
    yield database
    database.dispose()


@pytest.fixture
def office(db):
    return make_office(db)


@pytest.fixture
def signed_in(db, office):
    """The clerk signed in at W1."""
    from cxdesk.domain.office import get_station
    from cxdesk.domain.staff import sign_in

    with db.session() as session:
        station = get_station(session, office, "W1")
        return sign_in(session, office, code=CLERK[0], pin=CLERK[2], station=station, now=FIXED_NOW)


@pytest.fixture
def people(db, office):
    """(supervisor, clerk who takes complaints, another clerk)."""
    from cxdesk.domain.staff import add_staff, get_staff

    with db.session() as session:
        other = add_staff(session, office, supervisor_of(session, office), code="CLK2", name="Cora Diaz",
                          role="clerk", pin="8642", now=FIXED_NOW)
        return get_staff(session, office, SUPERVISOR[0]), get_staff(session, office, CLERK[0]), other


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL database for one test, dropped after.

    In CI (CI=true) a missing server fails the test; elsewhere it skips and says why.
    """
    import sqlalchemy as sa

    try:
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        message = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: PostgreSQL tests must run)")
        pytest.skip(message)
    name = f"cxdesk_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        )
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
    admin.dispose()


@pytest.fixture
def pg_db(pg_url):
    """cxdesk's store on a fresh PostgreSQL database (``pg_url``), at the schema's head."""
    from cxdesk.store.db import open_database

    database = open_database(pg_url, create=True)
    yield database
    database.dispose()
