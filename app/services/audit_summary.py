"""The audit summary the report shows: counts and percentages per rating, overall and per question.

For a graded tool (West Midlands) every rating given is counted, e.g. 240
ratings for 20 records x 12 questions. For a Y/P/N tool (WLGA) each criterion
also gets its positive count (Y = 1, P = 0.5) and that as a percentage of the
records rated on it. Percentages are to one decimal place, rounded half up as
a person would round them in a report.
"""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models import AuditAssessment, Review
from app.services.audit_tools import AuditTool, load_tool


def percent(part: Fraction | int | float, whole: int) -> float:
    """``part`` of ``whole`` as a percentage to one decimal place (half up); 0 when there is no whole."""
    if not whole:
        return 0.0
    exact = Fraction(part) * 100 / whole
    value = Decimal(exact.numerator) / Decimal(exact.denominator)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def assessments_of(session: Session, review_id: int) -> list[AuditAssessment]:
    return list(
        session.scalars(
            select(AuditAssessment)
            .where(AuditAssessment.review_id == review_id)
            .options(selectinload(AuditAssessment.ratings), selectinload(AuditAssessment.audit_record))
            .order_by(AuditAssessment.id)
        ).all()
    )


def _block(tool: AuditTool, counter: Counter[str]) -> dict[str, Any]:
    total = sum(counter.values())
    labels = [(r.key, r.label) for r in tool.ratings]
    return {
        "total": total,
        "counts": {label: counter.get(key, 0) for key, label in labels},
        "percent": {label: percent(counter.get(key, 0), total) for key, label in labels},
    }


def summarise(session: Session, review_id: int) -> dict[str, Any]:
    review = session.get_one(Review, review_id)
    tool = load_tool(review.audit_tool)
    assessments = assessments_of(session, review_id)
    per_question: dict[str, Counter[str]] = {q.key: Counter() for q in tool.questions}
    not_applicable: Counter[str] = Counter()
    for assessment in assessments:
        for rating in assessment.ratings:
            if rating.question not in per_question:
                continue  # a question the tool no longer has
            if rating.rating is None:
                not_applicable[rating.question] += 1
            else:
                per_question[rating.question][rating.rating] += 1
    everything: Counter[str] = Counter()
    for counter in per_question.values():
        everything.update(counter)

    questions = []
    for question in tool.questions:
        counter = per_question[question.key]
        line: dict[str, Any] = {
            "key": question.key,
            "theme": question.theme,
            "text": question.text,
            "counts": {r.label: counter.get(r.key, 0) for r in tool.ratings},
            "not_applicable": not_applicable[question.key],
        }
        if tool.summary == "positive":
            rated = sum(counter.values())
            positive = sum((tool.rating(key).score * n for key, n in counter.items()), Fraction(0))
            line["rated"] = rated
            line["positive"] = float(positive)
            line["percent"] = percent(positive, rated)
        questions.append(line)

    ratings = _block(tool, everything)
    summary: dict[str, Any] = {
        "review_id": review_id,
        "tool": tool.id,
        "tool_name": tool.name,
        "records": len(assessments),
        "ratings": ratings,
        "overall": None,
        "questions": questions,
    }
    if tool.overall:
        summary["overall"] = _block(tool, Counter(a.overall for a in assessments if a.overall))
    return summary
