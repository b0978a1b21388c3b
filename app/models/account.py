"""Staff accounts, the reviews they work on, the people a peer talks to, and who looked at what."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base
from app.models._types import UTCDateTime, utcnow
from app.models.participant import Participant
from app.models.review import Review

# coordinator: sets up reviews; psw: reads answers; peer: runs conversations; council: "we did" pages.
USER_ROLES = ("coordinator", "psw", "peer", "council")


class User(Base):
    """Someone who signs in. People who draw on care never have an account."""

    # "user" is a reserved word in PostgreSQL.
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower case
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set for a generated first password: the next sign-in must choose a new one.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Part of the session id: bumping it signs the account out everywhere.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[ReviewMember]] = relationship(back_populates="user")

    # -- Flask-Login's user protocol -------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"


class ReviewMember(Base):
    """A user works on a review; the lead hears of safeguarding concerns first."""

    __tablename__ = "review_member"
    __table_args__ = (UniqueConstraint("review_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    review: Mapped[Review] = relationship()


class PeerAssignment(Base):
    """A peer may see and talk with this participant, and no one else."""

    __tablename__ = "peer_assignment"
    __table_args__ = (UniqueConstraint("peer_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    peer: Mapped[User] = relationship()
    participant: Mapped[Participant] = relationship()


class LoginAttempt(Base):
    """One failed sign-in, counted to slow down password guessing.

    ``key`` is a keyed hash of email and address, so the table holds neither.
    """

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    email_key: Mapped[str] = mapped_column(String(64), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class AccessLog(Base):
    """Who opened which participant's answers, when: the audit trail the coordinator reads."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # the role at the time
    action: Mapped[str] = mapped_column(String(40))  # psw_answers | peer_console | concern
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("review.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    user: Mapped[User] = relationship()
    participant: Mapped[Participant | None] = relationship()
