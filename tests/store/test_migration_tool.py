"""The migration generator (tools/new_migration.py, `make migration`) writes into the store's
migrations, and autogenerating at the head finds nothing: the models and the migrations agree."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _tool():
    spec = importlib.util.spec_from_file_location("new_migration", ROOT / "tools" / "new_migration.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generator_writes_a_numbered_migration_and_finds_nothing_missing(tmp_path, monkeypatch):
    tool = _tool()
    assert tool.MIGRATIONS == ROOT / "cxdesk" / "store" / "migrations"
    assert (tool.MIGRATIONS / "env.py").exists()
    copy = tmp_path / "migrations"  # the real folder stays untouched
    shutil.copytree(tool.MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(tool, "MIGRATIONS", copy)
    written = tool.main("probe", "9999_probe")
    assert written == copy / "versions" / "9999_probe.py"
    text = written.read_text()
    assert "revision = '9999_probe'" in text and "import cxdesk.store.models" in text
    upgrade = text[text.index("def upgrade"):text.index("def downgrade")]
    assert "op." not in upgrade, upgrade  # the models hold nothing the migrations do not make
