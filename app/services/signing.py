"""The secret Twilio webhooks are signed with.

With Twilio configured it is TWILIO_AUTH_TOKEN. Without it (on one machine),
the sandbox phone signs its texts with HEARD_SANDBOX_TOKEN, generated once
into instance/ when missing, so the webhook always checks a real signature.
In production there is no fallback: without TWILIO_AUTH_TOKEN every webhook
is refused.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from app.config import INSTANCE, is_production


def signing_token(config: Mapping[str, Any]) -> str | None:
    if config.get("TWILIO_AUTH_TOKEN"):
        return str(config["TWILIO_AUTH_TOKEN"])
    if config.get("HEARD_SANDBOX_TOKEN"):
        return str(config["HEARD_SANDBOX_TOKEN"])
    if is_production(config):
        return None
    path = INSTANCE / "sandbox_token"
    if not path.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def public_url(config: Mapping[str, Any], path: str, query_string: bytes = b"") -> str:
    """The address Twilio posted to, as it saw it (behind any proxy): what it signed."""
    query = query_string.decode("latin-1")
    return f"{config['PUBLIC_BASE_URL']}{path}" + (f"?{query}" if query else "")
