"""The regional view for coordinators: each review's theme table, and the themes pooled across them.

Pooled means are worked out from every rating and answer, not as a mean of
each review's means, so a review with 40 records counts for more than one
with 5. No quotes here: the region sees the pattern, each review its words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Review
from app.services.audit_tools import THEMES, theme_label
from app.services.triangulation import ThemeRow, as_float, triangulate


@dataclass
class ReviewThemes:
    review_id: int
    council: str
    theme: str  # the review's own theme, e.g. "strengths-based practice"
    tool: str
    rows: list[ThemeRow]


@dataclass
class RegionalTheme:
    theme: str
    audit_scores: list[Fraction] = field(default_factory=list)
    lived_scores: list[Fraction] = field(default_factory=list)
    voices: int = 0
    disagreements: int = 0
    councils_differing: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return theme_label(self.theme)

    @property
    def audit_mean(self) -> float | None:
        return (
            as_float(sum(self.audit_scores, Fraction(0)) / len(self.audit_scores))
            if self.audit_scores
            else None
        )

    @property
    def lived_mean(self) -> float | None:
        return (
            as_float(sum(self.lived_scores, Fraction(0)) / len(self.lived_scores))
            if self.lived_scores
            else None
        )


@dataclass
class Region:
    reviews: list[ReviewThemes]
    themes: list[RegionalTheme]


def regional_themes(session: Session) -> Region:
    reviews: list[ReviewThemes] = []
    pooled: dict[str, RegionalTheme] = {}
    for review in session.scalars(select(Review).order_by(Review.id)).all():
        result = triangulate(session, review.id)
        rows = [r for r in result.themes if r.audit_scores or r.lived_scores]
        reviews.append(ReviewThemes(review.id, review.council.name, review.theme, result.tool.id, rows))
        for row in rows:
            theme = pooled.setdefault(row.theme, RegionalTheme(row.theme))
            theme.audit_scores.extend(row.audit_scores)
            theme.lived_scores.extend(row.lived_scores)
            theme.voices += row.voices
            theme.disagreements += row.disagreements
            if row.disagreements:
                theme.councils_differing.add(review.council.name)
    order = list(THEMES)
    themes = sorted(
        pooled.values(), key=lambda t: (order.index(t.theme) if t.theme in order else 99, t.theme)
    )
    return Region(reviews, themes)
