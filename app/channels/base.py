"""What every channel adapter produces: one Inbound per message received."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.services.sanitise import storable, storable_json


@dataclass(frozen=True)
class Inbound:
    """A message from a person, as a channel received it.

    ``sender`` is what the channel knows them by: a phone number (sms, voice),
    a chat id (telegram), the chat link's token (web) or the participant id
    (peer). ``provider_id`` is the provider's own id for the message, so a
    retry can be recognised.
    """

    channel: str
    sender: str
    text: str
    provider_id: str | None = None
    conducted_by: str | None = None  # the peer who typed it, for peer-led conversations
    # What else the channel knew, kept with the words (a call's speech Confidence, keys pressed).
    details: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        # The one place outside text enters the store-first path: every look-up and the stored
        # row see it without NUL bytes (PostgreSQL refuses them) or lone surrogates (unencodable).
        for name in ("sender", "text", "provider_id", "conducted_by"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, storable(value))
        if self.details is not None:
            object.__setattr__(self, "details", storable_json(self.details))
