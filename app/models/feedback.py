""" "You said, we did": what a council did about what people said, and telling each person.

An action belongs to one review; the next review of the same council shows
it again (as a "previous review" update) until it is done. A feedback
message is one participant's "you said, we did" for one round of a review's
feedback: the unique constraint makes "never twice to the same person for
the same feedback" a property of the schema, not of the code's care.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base
from app.models._types import JSONType, UTCDateTime, utcnow
from app.models.participant import Participant
from app.models.review import Review

ACTION_STATUSES = ("planned", "in_progress", "done")


class Action(Base):
    """Something the council did or will do, and what people said that prompted it."""

    __tablename__ = "action"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    themes: Mapped[list[str]] = mapped_column(JSONType, default=list)  # the flow's theme keys
    audit_refs: Mapped[list[str]] = mapped_column(JSONType, default=list)
    you_said: Mapped[str] = mapped_column(Text)  # English, standard wording
    we_did: Mapped[str | None] = mapped_column(Text)  # "we did" or "we will"; required once done
    # Other wordings of the two texts, shaped like a flow's wording block:
    # {"you_said": {"easy_read": ..., "cy": {"standard": ..., "easy_read": ...}}, "we_did": {...}}
    wording: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="planned")  # planned | in_progress | done
    owner: Mapped[str | None] = mapped_column(String(200))  # a role or team, shown to staff only
    action_on: Mapped[date | None] = mapped_column(Date)  # when it was done, or is due
    headline: Mapped[bool] = mapped_column(Boolean, default=False)  # told to people with no linked action
    created_by: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    review: Mapped[Review] = relationship()


class ActionResponse(Base):
    """An answer that prompted an action. Goes with the answer when that is erased."""

    __tablename__ = "action_response"
    __table_args__ = (UniqueConstraint("action_id", "response_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)


class FeedbackMessage(Base):
    """One participant's "you said, we did", from draft to delivery.

    ``status``: draft | approved | queued | sending | sent | delivered | to_post |
    deferred | failed | not_sent | unknown. ``sending`` is a claim by one worker;
    a claim its worker never finished is resolved from the outbound message it
    left (app/services/feedback/sending.py), or flagged ``unknown`` for a person.
    """

    __tablename__ = "feedback_message"
    __table_args__ = (UniqueConstraint("review_id", "round", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)  # the /f/<token> page
    channel: Mapped[str] = mapped_column(String(20))  # sms | voice | telegram | web | post
    language: Mapped[str] = mapped_column(String(5))
    variant: Mapped[str] = mapped_column(String(20))
    basis: Mapped[str] = mapped_column(String(20))  # their_words | headline
    action_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    body: Mapped[str | None] = mapped_column(Text)  # the SMS, Telegram text or spoken words
    blocks: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)  # the full version
    problems: Mapped[list[dict[str, str]]] = mapped_column(JSONType, default=list)
    edited_by: Mapped[str | None] = mapped_column(String(254))
    approved_by: Mapped[str | None] = mapped_column(String(254))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    reason: Mapped[str | None] = mapped_column(String(500))  # why not sent, or what went wrong
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)  # deferred by quiet hours
    claimed_by: Mapped[str | None] = mapped_column(String(200))  # host:pid of the sending worker
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    participant: Mapped[Participant] = relationship()
    review: Mapped[Review] = relationship()


class FeedbackReply(Base):
    """What a person said back: was it helpful, and their words."""

    __tablename__ = "feedback_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_message_id: Mapped[int] = mapped_column(ForeignKey("feedback_message.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    helpful: Mapped[bool | None] = mapped_column(Boolean)
    words: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))  # the text it came in
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
