"""The people linked to an audit ref, and what they consented to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base
from app.models._types import JSONType, UTCDateTime, utcnow
from app.models.review import AuditRecord, Review

ROLES = ("person", "relative", "carer", "advocate")
PARTICIPANT_CHANNELS = ("sms", "voice", "telegram", "web", "peer", "post")

# Accessible Information Standard: the kinds of need a record flags.
COMMUNICATION_NEEDS = {
    "easy_read": "Information in easy read",
    "large_print": "Information in large print",
    "braille": "Information in braille",
    "audio": "Information read aloud or as audio",
    "bsl": "British Sign Language interpreter",
    "deafblind_manual": "Deafblind manual interpreter",
    "lip_speaker": "Lip speaker",
    "advocate": "Support from an advocate",
    "extra_time": "More time to answer",
    "no_phone_calls": "Prefers not to use the telephone",
}


class Participant(Base):
    __tablename__ = "participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    audit_record_id: Mapped[int] = mapped_column(ForeignKey("audit_record.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20), default="person")
    channel: Mapped[str] = mapped_column(String(20), default="web")
    language: Mapped[str] = mapped_column(String(5), default="en")
    variant: Mapped[str] = mapped_column(String(20), default="standard")
    communication_needs: Mapped[list[str]] = mapped_column(JSONType, default=list)
    communication_note: Mapped[str | None] = mapped_column(Text)
    # Contact details: Fernet-encrypted, with a keyed hash to find a sender.
    phone_encrypted: Mapped[str | None] = mapped_column(Text)
    phone_lookup: Mapped[str | None] = mapped_column(String(64), index=True)
    telegram_encrypted: Mapped[str | None] = mapped_column(Text)
    telegram_lookup: Mapped[str | None] = mapped_column(String(64), index=True)
    chat_token: Mapped[str] = mapped_column(String(64), unique=True)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How they withdrew (the channel they asked on, coordinator, retention): kept on the tombstone.
    withdrawn_how: Mapped[str | None] = mapped_column(String(20))
    do_not_contact: Mapped[str | None] = mapped_column(String(40))  # deceased | bereaved | sensitive
    callback_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hear_back: Mapped[bool | None] = mapped_column(Boolean)
    hear_back_channel: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    review: Mapped[Review] = relationship()
    audit_record: Mapped[AuditRecord] = relationship()
    consents: Mapped[list[Consent]] = relationship(back_populates="participant", order_by="Consent.id")

    @property
    def audit_ref(self) -> str:
        return self.audit_record.audit_ref

    @property
    def contactable(self) -> bool:
        return self.opted_out_at is None and self.withdrawn_at is None and self.do_not_contact is None


class Consent(Base):
    """One consent decision: who gave it, when, how, to what, and in which words."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    # taking_part | quotes | recording | hear_back | contact (app/services/consent.py: SCOPES)
    scope: Mapped[str] = mapped_column(String(30))
    given: Mapped[bool] = mapped_column(Boolean)
    given_by: Mapped[str] = mapped_column(String(20), default="person")  # person | proxy
    proxy_role: Mapped[str | None] = mapped_column(String(20))
    # How it was given: a conversation's channel, or paper | in_person | phone | coordinator.
    channel: Mapped[str] = mapped_column(String(20))
    flow_id: Mapped[str | None] = mapped_column(String(100))
    flow_version: Mapped[int | None] = mapped_column(Integer)
    wording: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participant: Mapped[Participant] = relationship(back_populates="consents")
