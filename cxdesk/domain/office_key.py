"""The office's Ed25519 key pair, which signs its export bundles for headquarters.

Made at first-run setup; an office set up before bundles existed gets one on
its first export. Kept in the office database (see store.models.OfficeKey for why).
"""

from __future__ import annotations

import base64
from datetime import datetime

from sqlmodel import Session

from cxdesk.store.models import Office, OfficeKey


def make_key_pair() -> tuple[str, str]:
    """(public, private) as base64 of the raw 32-byte keys."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    raw = serialization.Encoding.Raw
    private_bytes = private.private_bytes(raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public_bytes = private.public_key().public_bytes(raw, serialization.PublicFormat.Raw)
    return base64.b64encode(public_bytes).decode(), base64.b64encode(private_bytes).decode()


def add_office_key(session: Session, office: Office, now: datetime) -> OfficeKey:
    """A new key pair for ``office``, added to the session (the caller commits)."""
    public, private = make_key_pair()
    key = OfficeKey(office_id=office.id, public_key=public, private_key=private, created_at=now)
    session.add(key)
    return key


def office_key(session: Session, office: Office, now: datetime) -> OfficeKey:
    """The office's key pair, made (and committed) if it has none yet."""
    key = session.get(OfficeKey, office.id)
    if key is None:
        key = add_office_key(session, office, now)
        session.commit()
    return key
