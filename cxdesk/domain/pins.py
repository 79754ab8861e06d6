"""PINs: how they are hashed, and what a new one must look like.

A PIN is kept only as a salted scrypt hash. The cost is chosen so that one
check takes about a tenth of a second of CPU and 32 MiB of memory: quick at
the counter, slow for someone who copied the database file and tries every
PIN offline (each guess costs the same tenth of a second; memory-hard, so
graphics cards gain little). That is why supervisors, whose PIN opens
contact details and staff settings, need at least 8 digits: 10^8 guesses,
about four months of CPU per supervisor, instead of 10^4.

Hashes made with an older, cheaper cost keep working and are rehashed at
the next right PIN (see ``needs_rehash``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from cxdesk.errors import CxdeskError
from cxdesk.vocab import SUPERVISOR

PIN_PATTERN = re.compile(r"[0-9]{4,12}")
SUPERVISOR_MIN_DIGITS = 8


@dataclass(frozen=True)
class ScryptCost:
    n: int
    r: int
    p: int

    @property
    def memory(self) -> int:
        return 128 * self.r * self.n * self.p


# Measured on the development machine: 0.095 s of CPU per hash (2^14 took 0.038 s).
SIGN_IN_COST = ScryptCost(n=2**15, r=8, p=1)
# What new hashes use (tests lower it to keep the suite fast; see tests/conftest.py).
CURRENT = SIGN_IN_COST
# A stored hash that asks for more than this is damaged or planted: never run it.
MOST = ScryptCost(n=2**20, r=16, p=4)


def _scrypt(pin: str, salt: bytes, cost: ScryptCost, length: int) -> bytes:
    """The one place a PIN is hashed (tests count the calls to prove equal work)."""
    # surrogatepass: a broken character typed as a PIN is a wrong PIN, not a crash.
    return hashlib.scrypt(pin.encode("utf-8", "surrogatepass"), salt=salt, n=cost.n, r=cost.r,
                          p=cost.p, dklen=length, maxmem=cost.memory + 2**24)


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(pin, salt, CURRENT, 32)
    return "scrypt${}${}${}${}${}".format(
        CURRENT.n, CURRENT.r, CURRENT.p,
        base64.b64encode(salt).decode(), base64.b64encode(digest).decode(),
    )


def _parse(stored: str | None) -> tuple[ScryptCost, bytes, bytes] | None:
    try:
        scheme, n, r, p, salt, digest = (stored or "").split("$")
        cost = ScryptCost(int(n), int(r), int(p))
        salt_bytes, expected = base64.b64decode(salt, validate=True), base64.b64decode(digest, validate=True)
    except (ValueError, TypeError):
        return None
    if scheme != "scrypt" or not expected or cost.n < 2 or cost.n & (cost.n - 1):
        return None
    if not (1 <= cost.r <= MOST.r and 1 <= cost.p <= MOST.p and cost.n <= MOST.n):
        return None
    return cost, salt_bytes, expected


_decoy: dict[ScryptCost, str] = {}


def _decoy_hash() -> str:
    """A hash nobody's PIN matches, at today's cost: checked when there is no real one,
    so an unknown staff code costs exactly one hash, like a known one."""
    if CURRENT not in _decoy:
        _decoy[CURRENT] = hash_pin(secrets.token_hex(16))
    return _decoy[CURRENT]


def verify_pin(pin: str, stored: str | None) -> bool:
    """Whether ``pin`` matches ``stored``. Always exactly one hash, whatever ``stored``
    is (None or unreadable: checked against a decoy, and False)."""
    parsed = _parse(stored)
    usable = parsed is not None
    cost, salt, expected = parsed if usable else _parse(_decoy_hash())
    actual = _scrypt(pin or "", salt, cost, len(expected))
    return hmac.compare_digest(actual, expected) and usable


def needs_rehash(stored: str) -> bool:
    """An older (cheaper) hash: replace it at the next right PIN."""
    parsed = _parse(stored)
    return parsed is None or parsed[0] != CURRENT


def check_new_pin(pin: str, role: str | None = None) -> str:
    """A PIN someone is choosing: digits, long enough for the role, not a run or a repeat."""
    pin = (pin or "").strip()
    if not PIN_PATTERN.fullmatch(pin):
        raise CxdeskError("A PIN is 4 to 12 digits.")
    if role == SUPERVISOR and len(pin) < SUPERVISOR_MIN_DIGITS:
        raise CxdeskError(f"A supervisor's PIN is {SUPERVISOR_MIN_DIGITS} to 12 digits "
                          "(it opens contact details and staff settings).")
    if len(set(pin)) == 1 or pin in "01234567890123" or pin in "98765432109876":
        raise CxdeskError("That PIN is too easy to guess; avoid repeated or running digits.")
    return pin


def strong_enough(pin: str, role: str) -> bool:
    """Whether a PIN that works today meets today's rule for the role (older supervisor
    PINs of 4 digits are asked to change at sign-in)."""
    try:
        check_new_pin(pin, role)
    except CxdeskError:
        return False
    return True
