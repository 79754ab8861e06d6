"""`cxdesk db backup` and `cxdesk db restore`: what they say, and what they refuse."""

from __future__ import annotations

import stat

from click.testing import CliRunner

from cxdesk.cli import main
from tests.factories import serve


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def test_backup_then_restore_from_the_command_line(db_url, db, office, signed_in, tmp_path):
    serve(db, office, signed_in)
    target = tmp_path / "monday.db"
    made = run("--db", db_url, "db", "backup", "--to", str(target))
    assert made.exit_code == 0, made.output
    assert "1 visits" in made.output and "integrity check: ok" in made.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    again = run("--db", db_url, "db", "backup", "--to", str(target))
    assert again.exit_code == 1 and "already exists" in again.output and "Traceback" not in again.output
    serve(db, office, signed_in)
    declined = run("--db", db_url, "db", "restore", str(target), input="n\n")
    assert declined.exit_code == 1 and "Nothing was restored" in declined.output
    restored = run("--db", db_url, "db", "restore", str(target), "--yes")
    assert restored.exit_code == 0, restored.output
    assert "kept at" in restored.output
    from sqlmodel import func, select

    from cxdesk.store.models import Visit

    with db.session() as session:
        assert session.exec(select(func.count()).select_from(Visit)).one() == 1


def test_backup_without_a_target_goes_to_the_data_folder(db_url, db, office, cxdesk_home):
    made = run("--db", db_url, "db", "backup")
    assert made.exit_code == 0, made.output
    assert len(list((cxdesk_home / "data" / "backups").glob("cxdesk-*.db"))) == 1


def test_restore_refuses_a_file_that_is_not_a_backup(db_url, db, office, tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_text("not a database")
    refused = run("--db", db_url, "db", "restore", str(bogus), "--yes")
    assert refused.exit_code == 1
    assert "not a cxdesk backup" in refused.output and "Traceback" not in refused.output


def test_backup_of_postgresql_says_to_use_pg_dump():
    said = run("--db", "postgresql://postgres@127.0.0.1:5432/cxdesk", "db", "backup")
    assert said.exit_code == 1 and "pg_dump" in said.output
