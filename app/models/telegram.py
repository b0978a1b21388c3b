"""One-time deep links that bind a Telegram chat to a participant."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models._types import UTCDateTime, utcnow


class TelegramLink(Base):
    """A ``/start`` token, kept only as its hash: single use, expiring, never the participant id."""

    __tablename__ = "telegram_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The chat it bound, as the same keyed hash as participant.telegram_lookup (never the chat id).
    chat_lookup: Mapped[str | None] = mapped_column(String(64))
