"""Deep links that bind a Telegram chat to one participant: single use, expiring.

The coordinator sends ``https://t.me/<bot>?start=<token>`` by the person's
chosen route (a text, a letter, the peer). Only the token's hash is stored,
and the token is random, so it says nothing about who it is for.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import Participant, TelegramLink
from app.services.crypto import Crypto
from app.services.runtime import Runtime

# Telegram's start parameter is 1-64 characters of A-Z, a-z, 0-9, _ and -.
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _hash(token: str) -> str:
    # A plain hash is enough: the token is 192 random bits, so it can't be guessed from it.
    return hashlib.sha256(token.encode()).hexdigest()


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username.lstrip('@')}?start={token}"


def issue_link(session: Session, participant_id: int, now: datetime, days: float) -> str:
    """A new token for the participant; any earlier unused one stops working."""
    session.execute(
        update(TelegramLink)
        .where(
            TelegramLink.participant_id == participant_id,
            TelegramLink.used_at.is_(None),
            TelegramLink.expires_at > now,
        )
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(24)
    session.add(
        TelegramLink(
            participant_id=participant_id,
            token_hash=_hash(token),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    session.flush()
    return token


def redeem(session: Session, crypto: Crypto, token: str, chat_id: str, now: datetime) -> int | None:
    """Bind ``chat_id`` to the token's participant; their id, or None if this chat can't use it.

    A token binds one chat, once. The same chat sending the same /start again
    (Telegram redelivering it) is still linked; any other chat is refused.
    """
    if not _TOKEN_SHAPE.match(token):
        return None
    link = session.scalar(
        select(TelegramLink).where(TelegramLink.token_hash == _hash(token)).with_for_update()
    )
    if link is None:
        return None
    participant = session.get(Participant, link.participant_id, with_for_update=True)
    if participant is None or not participant.contactable:
        return None
    chat = crypto.lookup(chat_id)
    if link.used_at is not None:
        bound = link.chat_lookup == chat and participant.telegram_lookup == chat
        return participant.id if bound else None
    if link.expires_at <= now:
        return None
    link.used_at = now
    link.chat_lookup = chat
    participant.telegram_encrypted = crypto.encrypt(chat_id)
    participant.telegram_lookup = chat
    return participant.id


def new_deep_link(session: Session, rt: Runtime, participant_id: int) -> str:
    """Issue a token for the participant and return their t.me link."""
    token = issue_link(session, participant_id, rt.clock(), float(rt.config["TELEGRAM_LINK_DAYS"]))
    return deep_link(rt.config.get("TELEGRAM_BOT_USERNAME") or "HeardDemoBot", token)
