"""Ed25519 signatures over a bundle's manifest, and the key fingerprints people compare."""

from __future__ import annotations

import base64
import binascii
import hashlib

from cxdesk.errors import CxdeskError

KEY_PREFIX = "ed25519:"


def parse_public_key(text: str) -> str:
    """A public key as typed or pasted (``ed25519:BASE64`` or bare base64) -> base64."""
    value = (text or "").strip()
    if value.lower().startswith(KEY_PREFIX):
        value = value[len(KEY_PREFIX):].strip()
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise CxdeskError("That is not an office public key: expected ed25519: and 44 characters of base64 "
                          "(as `cxdesk office key` prints it).")
    return base64.b64encode(raw).decode()


def fingerprint(public_key: str) -> str:
    """SHA-256 of the raw public key, the first 16 bytes in groups: easy to read over the phone."""
    digest = hashlib.sha256(base64.b64decode(public_key)).hexdigest()[:32]
    return "SHA256:" + " ".join(digest[i:i + 4] for i in range(0, 32, 4))


def sign(private_key: str, data: bytes) -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(private_key))
    return base64.b64encode(key.sign(data)).decode()


def verify(public_key: str, data: bytes, signature: str) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        raw = base64.b64decode(signature.strip(), validate=True)
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key)).verify(raw, data)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
