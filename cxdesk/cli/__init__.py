"""The cxdesk command line: one click group, a module per command group.

Starts fast: a command's module is imported only when that command runs (``COMMANDS``
in ``cli.base``), the UI only by the commands that show it (``cli.app``), and each
command imports the database layer when it runs. Errors a person can
act on go to stderr with exit status 1, never a traceback.
"""

from __future__ import annotations

from cxdesk.cli.base import main

__all__ = ["main"]
