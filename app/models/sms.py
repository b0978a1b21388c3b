"""Texting: our own opt-out list, and each participant's invitation by text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models._types import UTCDateTime, utcnow


class Suppression(Base):
    """A phone number that said STOP: nothing is sent to it until it says START.

    Keyed by the number's keyed hash (Crypto.lookup), so the list works for
    numbers we never knew (an unknown sender's STOP) and outlives erasure.
    """

    __tablename__ = "suppression"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_lookup: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(String(40))  # keyword | request | provider_21610 | coordinator
    opted_out_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # START / UNSTOP

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class Invitation(Base):
    """One participant's invitation by text: sent, reminded once, then lapsed."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), unique=True)
    # deferred (quiet hours) | invited | reminded | lapsed | replied | failed
    status: Mapped[str] = mapped_column(String(20))
    deferred_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lapsed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
