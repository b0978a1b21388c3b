"""Text from outside made storable on both databases, without losing the message.

PostgreSQL's text and JSONB cannot hold a NUL character (SQLite can), and a
lone UTF-16 surrogate (which JSON's ``\\ud800`` escapes can produce) cannot be
encoded for either. Both become U+FFFD, the replacement character, so the
message is kept and shows where something unreadable was.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str | None) -> str:
    return _UNSTORABLE.sub(REPLACEMENT, text or "")


def storable_form(form: Mapping[str, str]) -> dict[str, str]:
    """A provider's form, made storable once its signature has been checked against the original."""
    return {storable(key): storable(value) for key, value in form.items()}


def storable_json(value: Any) -> Any:
    """The same for every string (keys too) inside a JSON-able value."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {storable_json(k): storable_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable_json(v) for v in value]
    return value
