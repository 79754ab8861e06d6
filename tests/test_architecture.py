"""The layers hold: every import-linter contract of pyproject.toml is kept (screens
included: cxdesk/screens is a link to screens/, so plain ``lint-imports`` sees them), and importing the reports or the exchange loads no
writing domain module (what import-linter cannot see: a package's ``__init__`` runs first)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRITING_MODULES = (
    "cxdesk.domain.office", "cxdesk.domain.staff", "cxdesk.domain.visits", "cxdesk.domain.numbering",
    "cxdesk.domain.complaints.intake", "cxdesk.domain.complaints.lifecycle",
    "cxdesk.domain.complaints.trail", "cxdesk.domain.surveys.invitations",
)


def test_every_import_contract_is_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    assert f"Contracts: {len(contracts)} kept, 0 broken." in result.stdout
    # The screens live outside cxdesk/: the check saw them (it would say fewer files otherwise).
    own = [path for path in (ROOT / "cxdesk").rglob("*.py") if path.relative_to(ROOT / "cxdesk").parts[0] != "screens"]
    files = own + list((ROOT / "screens").rglob("*.py"))
    assert f"Analyzed {len(files)} files" in result.stdout


def test_reports_and_exchange_load_no_writing_module():
    code = (
        "import importlib, pkgutil, sys\n"
        "import cxdesk.reports, cxdesk.exchange\n"
        "for package in (cxdesk.reports, cxdesk.exchange):\n"
        "    for info in pkgutil.iter_modules(package.__path__, package.__name__ + '.'):\n"
        "        importlib.import_module(info.name)\n"
        f"print([name for name in {WRITING_MODULES!r} if name in sys.modules])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
