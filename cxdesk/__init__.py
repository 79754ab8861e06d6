"""cxdesk: the front-line service counter, after Executive Order 12862.

This package is the domain core and the command line. It never imports Textual;
the user interface lives in ``cxdesk.screens``.
"""

__version__ = "0.1.0"
