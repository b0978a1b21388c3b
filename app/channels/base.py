"""What every channel adapter produces: one Inbound per message received."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
