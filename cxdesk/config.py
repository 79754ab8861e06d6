"""Where cxdesk keeps its files, and which database it opens.

Everything lives under the platform's user directories (platformdirs) unless
``CXDESK_HOME`` names one folder for all of it (tests and kiosks use that).
The database holds PIN hashes and complainants' contact details, so every
folder cxdesk makes is private to the account (0700) and every file 0600.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs

APP_NAME = "cxdesk"
DB_ENV = "CXDESK_DB"
HOME_ENV = "CXDESK_HOME"


def _home() -> Path | None:
    home = os.environ.get(HOME_ENV)
    return Path(home).expanduser() if home else None


def data_dir() -> Path:
    home = _home()
    return home / "data" if home else platformdirs.user_data_path(APP_NAME)


def config_dir() -> Path:
    home = _home()
    return home / "config" if home else platformdirs.user_config_path(APP_NAME)


def log_dir() -> Path:
    home = _home()
    return home / "log" if home else platformdirs.user_log_path(APP_NAME)


PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def make_private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents readable by this account only (0700).

    Folders that already exist keep their mode, except cxdesk's own data, config
    and log folders, which are tightened if an older cxdesk left them open.
    """
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            continue  # made by another process just now
        folder.chmod(PRIVATE_DIR)  # mkdir's mode is filtered by the umask
    if path in own_dirs():
        tighten(path)
    return path


def own_dirs() -> tuple[Path, ...]:
    return (data_dir(), config_dir(), log_dir())


def tighten(path: Path) -> None:
    """Drop group and other permissions from ``path`` (if it is ours to change)."""
    try:
        current = stat.S_IMODE(path.stat().st_mode)
        if current & 0o077:
            path.chmod(current & 0o700)
    except OSError:
        pass  # not ours, or gone: the caller's own open will say what is wrong


def catalog_override_dir() -> Path:
    """A supervisor drops ``<catalog>.toml`` here to replace a built-in catalog."""
    return config_dir() / "catalogs"


def default_db_url() -> str:
    return sqlite_url(data_dir() / "cxdesk.db")


def demo_db_url() -> str:
    """The demo office lives in its own file, never in the real one."""
    return sqlite_url(data_dir() / "demo.db")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).expanduser().resolve()}"


def resolve_db_url(value: str | None = None) -> str:
    """``--db`` wins, then ``CXDESK_DB``, then the default file.

    A bare path is taken as an SQLite file; ``postgresql://`` gets the psycopg 3
    driver so a URL copied from ``psql`` works as is.
    """
    url = value or os.environ.get(DB_ENV) or default_db_url()
    if "://" not in url:
        return sqlite_url(Path(url))
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url
