"""Everything the PSW dashboard and the exports show about one review, worked out once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Conversation, Participant, Response, Review
from app.services.audit_charts import Chart, charts_for
from app.services.audit_summary import summarise
from app.services.audit_tools import AuditTool, load_tool
from app.services.triangulation import GROUP_OF_ROLE, Triangulation, triangulate


@dataclass(frozen=True)
class Numbers:
    participants: int  # linked to the review, not withdrawn
    people: int  # people who draw on care
    family: int  # relatives, carers and advocates
    completed: int  # conversations that reached the end
    answered: int  # participants who answered at least one question
    records_with_a_voice: int


@dataclass
class ReviewReport:
    review_id: int
    council: str
    theme: str
    tool: AuditTool
    summary: dict[str, Any]
    triangulation: Triangulation
    numbers: Numbers
    charts: dict[str, Chart]


def numbers_of(session: Session, review_id: int) -> Numbers:
    participants = session.scalars(
        select(Participant).where(Participant.review_id == review_id, Participant.withdrawn_at.is_(None))
    ).all()
    ids = [p.id for p in participants]
    completed = session.scalar(
        select(func.count(func.distinct(Conversation.participant_id))).where(
            Conversation.participant_id.in_(ids), Conversation.status == "completed"
        )
    )
    answered_ids = set(
        session.scalars(
            select(Response.participant_id).where(
                Response.participant_id.in_(ids), Response.skipped.is_(False), Response.theme.is_not(None)
            )
        ).all()
    )
    family = sum(1 for p in participants if GROUP_OF_ROLE.get(p.role) == "family")
    return Numbers(
        participants=len(participants),
        people=len(participants) - family,
        family=family,
        completed=int(completed or 0),
        answered=len(answered_ids),
        records_with_a_voice=len({p.audit_record_id for p in participants if p.id in answered_ids}),
    )


def build_report(session: Session, review_id: int) -> ReviewReport:
    review = session.get_one(Review, review_id)
    tool = load_tool(review.audit_tool)
    summary = summarise(session, review_id)
    result = triangulate(session, review_id)
    return ReviewReport(
        review_id=review_id,
        council=review.council.name,
        theme=review.theme,
        tool=tool,
        summary=summary,
        triangulation=result,
        numbers=numbers_of(session, review_id),
        charts=charts_for(summary, tool, result),
    )
