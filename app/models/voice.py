"""Phone calls: each step of a call, kept so a retried webhook gets the same answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models._types import JSONType, UTCDateTime, utcnow


class CallStep(Base):
    """One webhook request of a call (CallSid + step) and the TwiML it was answered with.

    The next request reads it to know what was asked: the question, how many
    silences in a row, and words heard with low confidence waiting to be
    confirmed (``pending``, the person's words: erased with their messages).
    """

    __tablename__ = "call_step"
    __table_args__ = (UniqueConstraint("call_sid", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64))
    step: Mapped[int] = mapped_column(Integer)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"), index=True)
    # ask | confirm | offer | end
    kind: Mapped[str] = mapped_column(String(20))
    prompt: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # the question listened for
    silences: Mapped[int] = mapped_column(Integer, default=0)
    pending: Mapped[str | None] = mapped_column(Text)
    recording: Mapped[bool] = mapped_column(default=False)  # this step started recording the answer
    twiml: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecordingDeletion(Base):
    """A recording of an answer whose audio must be deleted at Twilio (erasure keeps no address of it).

    Written in the erasure's own transaction, removed once Twilio has deleted
    the recording (or says it is already gone). A row that stays, with
    ``last_error``, is a deletion that failed: ``heard retention apply``
    retries every one, and a coordinator can see them here. It names no one.
    """

    __tablename__ = "recording_deletion"

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_sid: Mapped[str] = mapped_column(String(34), unique=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_tried_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
