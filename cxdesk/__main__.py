"""`python -m cxdesk` is the `cxdesk` command."""

from cxdesk.cli import main

main()
