"""Safeguarding concerns and the person's own words a peer noted (quotes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base
from app.models._types import UTCDateTime, utcnow
from app.models.participant import Participant
from app.models.review import Review


class Concern(Base):
    """A possible safeguarding disclosure, flagged to the review lead at once.

    The person's words stay where they were said (the message or the peer's
    note): the concern points at them rather than copying them about.
    """

    __tablename__ = "concern"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversation.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))
    node: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20))  # phrase | peer
    channel: Mapped[str | None] = mapped_column(String(20))
    matched: Mapped[str | None] = mapped_column(String(200))  # the configured phrase that matched
    note: Mapped[str | None] = mapped_column(Text)  # a peer's own account of the worry
    raised_by: Mapped[str | None] = mapped_column(String(200))  # the peer, for a peer's concern
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # email | dashboard (no SMTP server configured, or sending failed)
    notified_via: Mapped[str | None] = mapped_column(String(20))
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notify_error: Mapped[str | None] = mapped_column(Text)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(254))

    participant: Mapped[Participant] = relationship()
    review: Mapped[Review] = relationship()


class Quote(Base):
    """The person's own words, noted by a peer at a question, with whether they may be quoted.

    A table of its own (not columns on the answer): a person may say several
    quotable things at one question, and what they agreed to quote is a
    separate decision from the answer itself, which is kept exactly as given.
    """

    __tablename__ = "quote"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    audit_record_id: Mapped[int] = mapped_column(ForeignKey("audit_record.id"), index=True)
    node: Mapped[str] = mapped_column(String(100))
    theme: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    consent_to_quote: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
