"""Who may do what, checked below every screen: supervisor actions refuse a clerk
with a sentence, whether they come from a screen, the CLI or a script.
"""

from __future__ import annotations

from cxdesk.errors import CxdeskError
from cxdesk.store.models import Staff
from cxdesk.vocab import SUPERVISOR


def is_supervisor(actor: Staff | None) -> bool:
    return actor is not None and actor.role == SUPERVISOR and actor.active


def require_supervisor(actor: Staff | None, doing: str) -> None:
    """Refuse ``doing`` unless ``actor`` is an active supervisor."""
    if not is_supervisor(actor):
        raise CxdeskError(f"Only a supervisor can {doing}.")


def acting_supervisor(session, actor: Staff | None, doing: str) -> Staff:
    """``actor`` as the database knows them now (a supervisor demoted or deactivated
    since signing in is refused), checked to be a supervisor."""
    current = session.get(Staff, actor.id) if actor is not None else None
    require_supervisor(current, doing)
    return current
