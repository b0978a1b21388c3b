"""The PSWs' case-records audit: one assessment per audit ref, one rating per question.

Which tool the questions come from is the review's ``audit_tool``. Ratings
are stored by the tool's rating key (``good``, ``y``), never by how a CSV
spelled them; ``None`` is "not applicable".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base
from app.models._types import UTCDateTime, utcnow
from app.models.review import AuditRecord


class AuditAssessment(Base):
    """What the PSWs concluded about one record: who rated it, the overall judgement, a comment."""

    __tablename__ = "audit_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    audit_record_id: Mapped[int] = mapped_column(ForeignKey("audit_record.id"), unique=True)
    reviewer: Mapped[str | None] = mapped_column(String(200))  # the PSW who read it (initials are fine)
    overall: Mapped[str | None] = mapped_column(String(40))  # a rating key; tools without one leave it empty
    comment: Mapped[str | None] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by: Mapped[str | None] = mapped_column(String(254))

    audit_record: Mapped[AuditRecord] = relationship()
    ratings: Mapped[list[AuditRating]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="AuditRating.id"
    )


class AuditRating(Base):
    """One question's rating for one record."""

    __tablename__ = "audit_rating"
    __table_args__ = (UniqueConstraint("assessment_id", "question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("audit_assessment.id"), index=True)
    question: Mapped[str] = mapped_column(String(20))  # the tool's key: q1..q12, c1..cN
    rating: Mapped[str | None] = mapped_column(String(40))  # None: not applicable

    assessment: Mapped[AuditAssessment] = relationship(back_populates="ratings")
