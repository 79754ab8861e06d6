"""The domain core and the CLI never pay for the UI: importing them leaves Textual out."""

import subprocess
import sys

CORE_MODULES = [
    "cxdesk", "cxdesk.cli", "cxdesk.store.db", "cxdesk.store.models", "cxdesk.domain.visits", "cxdesk.domain.staff",
    "cxdesk.domain.office", "cxdesk.store.catalogs", "cxdesk.store.migrate",
]


def in_fresh_interpreter(code: str) -> str:
    """Run ``code`` in a new Python (nothing imported yet); its stdout, after checking it succeeded."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_core_imports_without_textual():
    out = in_fresh_interpreter(
        "import importlib, sys\n"
        f"for name in {CORE_MODULES!r}: importlib.import_module(name)\n"
        "import pkgutil, cxdesk\n"
        "for info in pkgutil.iter_modules(cxdesk.__path__, 'cxdesk.'):\n"
        "    if info.name not in ('cxdesk.screens', 'cxdesk.data', 'cxdesk.migrate_new', 'cxdesk.__main__'):\n"
        "        importlib.import_module(info.name)\n"
        "assert 'textual' not in sys.modules, sorted(m for m in sys.modules if m.startswith('textual'))\n"
        "print('clean')\n"
    )
    assert "clean" in out


def test_app_module_does_not_load_the_database_layer():
    """The first screen paints before SQLAlchemy is imported (start-up speed)."""
    out = in_fresh_interpreter(
        "import sys\n"
        "import cxdesk.screens.app, cxdesk.screens.signin, cxdesk.screens.counter\n"
        "assert 'sqlalchemy' not in sys.modules and 'sqlmodel' not in sys.modules\n"
        "print('lazy')\n"
    )
    assert "lazy" in out


def test_cli_starts_without_the_database_layer():
    """`cxdesk` (the app) must not pay for SQLAlchemy before its first screen."""
    out = in_fresh_interpreter(
        "import sys\n"
        "import cxdesk.cli\n"
        "heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'alembic') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "print('light')\n"
    )
    assert "light" in out
