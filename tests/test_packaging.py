"""A wheel built from the repo runs from a clean virtual environment.

The wheel is installed without its dependencies into a fresh venv that sees the
test venv's third-party packages, but not this checkout: so `cxdesk` must find
its stylesheets, catalogs and migrations inside the wheel itself.
"""

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    # Built from a copy: setuptools builds in the source tree's build/, and two test workers
    # building the checkout at once (each runs this module's fixture) trip over each other there.
    source = work / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", "results"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(work / "dist"), str(source)],
        capture_output=True, text=True,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = list((work / "dist").glob("cxdesk-*.whl"))
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # Third-party packages from the test venv, as a plain path: its .pth files
    # (the editable install of this checkout among them) are not processed.
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        capture_output=True, text=True,
    )
    if installed.returncode != 0:  # older pip without --python
        installed = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", site, str(wheel)],
            capture_output=True, text=True,
        )
    assert installed.returncode == 0, installed.stderr
    return env_dir


def test_wheel_runs_from_a_clean_venv(wheel_venv, tmp_path):
    python = wheel_venv / "bin" / "python"
    code = (
        "import cxdesk, importlib.resources as r\n"
        "assert 'site-packages' in cxdesk.__file__, cxdesk.__file__\n"
        "from cxdesk.store.catalogs import load_all\n"
        "assert load_all()['services']\n"
        "css = [p.name for p in r.files('cxdesk.screens').iterdir() if p.name.endswith('.tcss')]\n"
        "assert {'counter.tcss', 'forms.tcss', 'app.tcss'} <= set(css), css\n"
        "from cxdesk.store.migrate import head_revision\n"
        "print(head_revision())\n"
    )
    result = subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    cli = wheel_venv / "bin" / "cxdesk"
    version = subprocess.run([str(cli), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and "cxdesk, version" in version.stdout
    # db upgrade creates no file (issue 9); an empty file is an empty database it fills.
    (tmp_path / "w.db").touch()
    upgraded = subprocess.run([str(cli), "--db", str(tmp_path / "w.db"), "db", "upgrade"],
                              capture_output=True, text=True, cwd=tmp_path)
    assert upgraded.returncode == 0 and "Created" in upgraded.stdout, upgraded.stderr


async def test_wheel_app_starts_headless(wheel_venv, tmp_path):
    python = wheel_venv / "bin" / "python"
    code = (
        "import asyncio\n"
        "from cxdesk.screens.app import CxdeskApp\n"
        f"app = CxdeskApp(db_url='sqlite:///{tmp_path / 'a.db'}')\n"
        "async def main():\n"
        "    async with app.run_test() as pilot:\n"
        "        await app.workers.wait_for_complete(); await pilot.pause()\n"
        "        await app.workers.wait_for_complete(); await pilot.pause()\n"
        "        print(type(app.screen).__name__)\n"
        "asyncio.run(main())\n"
    )
    result = subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "SetupScreen" in result.stdout
