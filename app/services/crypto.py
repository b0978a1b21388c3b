"""Contact details at rest: Fernet encryption, and a keyed hash to find a sender.

HEARD_DATA_KEY holds one or more Fernet keys (comma-separated, newest first) so
keys can be rotated (`heard keys rotate`, app/services/key_rotation.py).
Locally a key is generated once into instance/; in production the app refuses
to start without one.

What is encrypted: participants' phone numbers and Telegram chat ids, the
only contact details Heard holds for people who draw on care (it asks for no
email address). Staff email addresses stay in clear: they are work addresses
the staff chose to sign in with, needed in clear to send safeguarding alerts,
and readable only through the signed-in, role-checked pages.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any

from cryptography.fernet import Fernet, MultiFernet

from app.config import INSTANCE, is_production


class Crypto:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one data key is needed")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        # The look-up hash has its own key, derived from the newest data key; older
        # keys' look-up keys are kept so a rotation can find what they hashed.
        self._lookup_keys = [hashlib.sha256(b"heard-lookup:" + k.encode()).digest() for k in keys]
        self._lookup_key = self._lookup_keys[0]

    def encrypt(self, value: str | None) -> str | None:
        return None if value is None else self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str | None) -> str | None:
        return None if token is None else self._fernet.decrypt(token.encode()).decode()

    def lookup(self, value: str | None) -> str | None:
        if value is None:
            return None
        return hmac.new(self._lookup_key, value.encode(), hashlib.sha256).hexdigest()

    def older_lookups(self, value: str) -> list[str]:
        """``value``'s look-up hash under each older key (for rotation)."""
        return [hmac.new(k, value.encode(), hashlib.sha256).hexdigest() for k in self._lookup_keys[1:]]

    def rotate(self, token: str) -> str:
        """The same secret, encrypted with the newest key (MultiFernet.rotate)."""
        return self._fernet.rotate(token.encode()).decode()


def normalise_phone(number: str) -> str:
    """E.164 for UK numbers typed the usual ways: 07700 900123 -> +447700900123."""
    digits = re.sub(r"[^\d+]", "", number.strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = "+44" + digits[1:]
    elif not digits.startswith("+"):
        digits = "+" + digits
    return digits


def _local_key() -> str:
    path = INSTANCE / "data_key"
    if not path.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        path.write_text(Fernet.generate_key().decode())
        path.chmod(0o600)
    return path.read_text().strip()


def load_crypto(config: Mapping[str, Any]) -> Crypto:
    configured = config.get("HEARD_DATA_KEY")
    if not configured:
        if is_production(config):
            raise RuntimeError(
                "HEARD_DATA_KEY is not set. Heard encrypts contact details at rest and will not start "
                "in production without a key. Make one with: "
                'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
            )
        configured = _local_key()
    keys = [k.strip() for k in str(configured).split(",") if k.strip()]
    return Crypto(keys)
