"""Conversations, every message in and out, and the answers they hold."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base
from app.models._types import JSONType, UTCDateTime, utcnow
from app.models.participant import Participant


class FlowVersion(Base):
    """An exact copy of a flow as a conversation started on it.

    Conversations resume on their own copy, so publishing an edited flow never
    disturbs one already running.
    """

    __tablename__ = "flow_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    flow_id: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Conversation(Base):
    __tablename__ = "conversation"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    flow_version_id: Mapped[int] = mapped_column(ForeignKey("flow_version.id"))
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="active")
    state: Mapped[dict[str, Any]] = mapped_column(JSONType)
    conducted_by: Mapped[str | None] = mapped_column(String(200))  # a peer, for peer-led conversations
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    participant: Mapped[Participant] = relationship()
    flow_version: Mapped[FlowVersion] = relationship()


class Message(Base):
    """Every message in or out, stored before anything else happens.

    ``provider_id`` (Twilio's MessageSid, Telegram's update_id, the web form's
    nonce) is unique per channel and direction, so a provider's retry is
    recognised and answered without a second record.
    """

    __tablename__ = "message"
    __table_args__ = (UniqueConstraint("channel", "direction", "provider_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    channel: Mapped[str] = mapped_column(String(20))
    provider_id: Mapped[str | None] = mapped_column(String(100))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversation.id"), index=True)
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"), index=True)
    # Keyed hash of an unknown sender, so the coordinator can see repeats without the number.
    sender_lookup: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # an outbound prompt's structure
    # in: received | processed | unmatched | late;  out: reply | outbox | queued | sent | delivered ...
    status: Mapped[str] = mapped_column(String(20))
    # Sent on our initiative (not a webhook's reply): why, how, and what the provider said.
    purpose: Mapped[str | None] = mapped_column(String(20))  # invitation | reminder | prompt | feedback
    transport: Mapped[str | None] = mapped_column(String(10))  # outbox (no credentials) | twilio
    error_code: Mapped[str | None] = mapped_column(String(20))
    error_message: Mapped[str | None] = mapped_column(String(500))
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Response(Base):
    """One answer: the node, its theme, the person's words and what they meant."""

    __tablename__ = "response"
    __table_args__ = (UniqueConstraint("conversation_id", "node"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    audit_record_id: Mapped[int] = mapped_column(ForeignKey("audit_record.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))
    node: Mapped[str] = mapped_column(String(100))
    theme: Mapped[str | None] = mapped_column(String(100), index=True)
    answer_type: Mapped[str] = mapped_column(String(20))
    raw_text: Mapped[str | None] = mapped_column(Text)
    value: Mapped[str | None] = mapped_column(Text)
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    sentiment: Mapped[float | None] = mapped_column(Float)
    conducted_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    participant: Mapped[Participant] = relationship()
