"""Per-person PINs on one laptop: a guard against choosing the wrong person by a slip, not a lock.

A PIN is kept only on the laptop (the UI stores :func:`hash_pin`'s text in its settings), salted and
stretched with PBKDF2 so the settings file does not show it.  It is *not* a security boundary: anyone
who can edit the laptop's settings or project file can work as anybody (GridWatch has no server to
check identities); it stops a colleague picking the wrong 张伟 from the list.  No Qt.
"""

from __future__ import annotations

import hashlib
import hmac
import os

#: PBKDF2 rounds: a few milliseconds on a field laptop, enough that the stored text is not a lookup away.
ROUNDS = 60_000
PIN_DIGITS = (4, 8)


def valid_pin(pin: str) -> bool:
    """A PIN is 4 to 8 digits."""
    return pin.isdigit() and PIN_DIGITS[0] <= len(pin) <= PIN_DIGITS[1]


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    """``pbkdf2_sha256$ROUNDS$salt_hex$hash_hex`` for ``pin`` (a fresh random salt unless given)."""
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), salt, ROUNDS)
    return f"pbkdf2_sha256${ROUNDS}${salt.hex()}${digest.hex()}"


def check_pin(pin: str, stored: str) -> bool:
    """Whether ``pin`` is the one :func:`hash_pin` made ``stored`` from (False for damaged text)."""
    try:
        scheme, rounds, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        got = hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), bytes.fromhex(salt), int(rounds))
    except (ValueError, AttributeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def phone_tail(phone: object, digits: int = 4) -> str:
    """The last ``digits`` digits of a phone number ('' if it has fewer): tells two 张伟 apart."""
    text = "".join(ch for ch in str(phone or "") if ch.isdigit())
    return text[-digits:] if len(text) >= digits else ""
