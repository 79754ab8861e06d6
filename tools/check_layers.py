"""Developer tool: check the import-linter contracts of pyproject.toml (``make layers``).

import-linter (grimp) reads one folder per package, but cxdesk.screens lives in screens/
(``package-dir`` in pyproject.toml), outside cxdesk/: on the source tree, or through the
editable install, it would not see the screens at all. So the check runs on a copy laid
out as installed: cxdesk/ with screens/ inside it as cxdesk/screens/.

    python tools/check_layers.py        exit status 0: every contract kept
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def installed_layout(into: Path) -> Path:
    """A copy of the package's Python files as installed; returns the folder to put on sys.path."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.tcss", "*.toml")
    shutil.copytree(ROOT / "cxdesk", into / "cxdesk", ignore=skip)
    shutil.copytree(ROOT / "screens", into / "cxdesk" / "screens", ignore=skip)
    return into


def check(*arguments: str) -> subprocess.CompletedProcess:
    """Run lint-imports on the installed layout; its output is in the result."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = installed_layout(Path(tmp))
        shutil.copy(ROOT / "pyproject.toml", folder)  # where lint-imports looks for its contracts
        env = dict(os.environ, PYTHONPATH=str(folder))
        return subprocess.run(
            [str(LINT_IMPORTS), "--no-cache", *arguments],
            cwd=folder, env=env, capture_output=True, text=True, timeout=300,
        )


def main() -> int:
    result = check(*sys.argv[1:])
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
