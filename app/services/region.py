"""The regional view for coordinators: each review's theme table, and the themes pooled across them.

Pooled means are worked out from every rating and answer, not as a mean of
each review's means, so a review with 40 records counts for more than one
with 5. No quotes here: the region sees the pattern, each review its words.

The numbers are exactly those of each review's triangulation
(app/services/triangulation.py): the audit mean and the lived-experience mean
on the 0-1 scale, the voices (people who answered on the theme) and the
disagreements (an audit ref, a theme and one group, the person or their
family, where record and account differ by 0.5 or more). They are worked out
set-based, in a few aggregate queries over the whole country, not by
triangulating review after review. Every score on the 0-1 scale is a whole
number of 1/D (audit: D is the common denominator of the tools' scores, 6 for
thirds and halves) or of 1/L (answers: L = 4 for the 1-5 scale), so the
database sums whole numbers and the means and the disagreement test stay
exact, as the Fractions of the triangulation are.
:func:`regional_themes_per_review` is the triangulation-based reference the
tests compare against.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import ColumnElement, and_, case, func, literal, select
from sqlalchemy.orm import Session

from app.models import AuditAssessment, AuditRating, Council, Participant, Response, Review
from app.services.audit_tools import THEMES, AuditTool, load_tool, theme_label
from app.services.triangulation import (
    CHOICE_SCORES,
    DISAGREEMENT,
    GROUP_OF_ROLE,
    SCALE_MAX,
    SCALE_MIN,
    ThemeRow,
    _theme_order,
    as_float,
    triangulate,
)


def _mean(total: Fraction, count: int) -> float | None:
    return as_float(total / count) if count else None


@dataclass
class ThemeTotals:
    """One theme of one review, as the regional table shows it."""

    theme: str
    audit_total: Fraction = Fraction(0)  # the sum of the audit scores (0-1 scale)
    audit_count: int = 0
    lived_total: Fraction = Fraction(0)  # the sum of the answers' scores (0-1 scale)
    lived_count: int = 0
    voices: int = 0
    disagreements: int = 0

    @property
    def label(self) -> str:
        return theme_label(self.theme)

    @property
    def audit_mean(self) -> float | None:
        return _mean(self.audit_total, self.audit_count)

    @property
    def lived_mean(self) -> float | None:
        return _mean(self.lived_total, self.lived_count)

    @classmethod
    def of(cls, row: ThemeRow) -> ThemeTotals:
        return cls(
            row.theme,
            sum(row.audit_scores, Fraction(0)),
            len(row.audit_scores),
            sum(row.lived_scores, Fraction(0)),
            len(row.lived_scores),
            row.voices,
            row.disagreements,
        )


@dataclass
class ReviewThemes:
    review_id: int
    council: str
    theme: str  # the review's own theme, e.g. "strengths-based practice"
    tool: str
    rows: list[ThemeTotals]


@dataclass
class RegionalTheme(ThemeTotals):
    """One theme pooled across the region's reviews, and which councils differ on it."""

    councils_differing: set[str] = field(default_factory=set)


@dataclass
class Region:
    reviews: list[ReviewThemes]
    themes: list[RegionalTheme]


def _pool(reviews: list[ReviewThemes]) -> list[RegionalTheme]:
    pooled: dict[str, RegionalTheme] = {}
    for review in reviews:
        for row in review.rows:
            theme = pooled.setdefault(row.theme, RegionalTheme(row.theme))
            theme.audit_total += row.audit_total
            theme.audit_count += row.audit_count
            theme.lived_total += row.lived_total
            theme.lived_count += row.lived_count
            theme.voices += row.voices
            theme.disagreements += row.disagreements
            if row.disagreements:
                theme.councils_differing.add(review.council)
    order = list(THEMES)
    return sorted(pooled.values(), key=lambda t: (order.index(t.theme) if t.theme in order else 99, t.theme))


def regional_themes_per_review(session: Session) -> Region:
    """The roll-up from each review's full triangulation: slow (tens of queries a review), the reference."""
    reviews: list[ReviewThemes] = []
    for review in session.scalars(select(Review).order_by(Review.id)).all():
        result = triangulate(session, review.id)
        rows = [ThemeTotals.of(r) for r in result.themes if r.audit_scores or r.lived_scores]
        reviews.append(ReviewThemes(review.id, review.council.name, review.theme, result.tool.id, rows))
    return Region(reviews, _pool(reviews))


# --- set-based ----------------------------------------------------------------


def _lcm_of_denominators(values: Iterable[Fraction]) -> int:
    return math.lcm(1, *(value.denominator for value in values))


def _lived_scores() -> dict[tuple[str, str], Fraction]:
    """Every (answer type, value) that triangulation.lived_score places on the scale."""
    scores: dict[tuple[str, str], Fraction] = {}
    for number in range(SCALE_MIN, SCALE_MAX + 1):
        scores[("scale", str(number))] = Fraction(number - SCALE_MIN, SCALE_MAX - SCALE_MIN)
    scores[("yes_no", "yes")] = Fraction(1)
    scores[("yes_no", "no")] = Fraction(0)
    for value, score in CHOICE_SCORES.items():
        scores[("choice", value)] = score
    return scores


def _whole(score: Fraction, unit: int) -> int:
    whole = score * unit
    assert whole.denominator == 1, (score, unit)
    return int(whole)


def regional_themes(session: Session) -> Region:
    """Every review's theme table and the region's, in three queries whatever the number of reviews."""
    reviews = session.execute(
        select(Review.id, Council.name, Review.theme, Review.audit_tool)
        .join(Council, Council.id == Review.council_id)
        .order_by(Review.id)
    ).all()
    tools: dict[str, AuditTool] = {name: load_tool(name) for name in {r.audit_tool for r in reviews}}
    totals = _totals(session, tools)

    out: list[ReviewThemes] = []
    for review_id, council, review_theme, tool_name in reviews:
        tool = tools[tool_name]
        found = totals.get(review_id, {})
        rows = [found[t] for t in _theme_order(tool, set(found)) if t in found]
        out.append(ReviewThemes(review_id, council, review_theme, tool.id, rows))
    return Region(out, _pool(out))


def _totals(session: Session, tools: dict[str, AuditTool]) -> dict[int, dict[str, ThemeTotals]]:
    """review id -> theme -> totals, for every theme with an audit rating or a scored answer."""
    if not tools:
        return {}
    # Scores as whole numbers of 1/audit_unit and 1/lived_unit, so sums and comparisons are exact.
    audit_unit = _lcm_of_denominators(r.score for t in tools.values() for r in t.ratings)
    lived = _lived_scores()
    lived_unit = _lcm_of_denominators(lived.values())

    # The audit: one row per rating that counts (rated, on a question the review's tool has).
    theme_of_question = case(
        *[
            (and_(Review.audit_tool == name, AuditRating.question == q.key), literal(q.theme))
            for name, tool in tools.items()
            for q in tool.questions
        ],
        else_=None,
    )
    score_of_rating = case(
        *[
            (and_(Review.audit_tool == name, AuditRating.rating == r.key), _whole(r.score, audit_unit))
            for name, tool in tools.items()
            for r in tool.ratings
        ],
        else_=None,
    )
    ratings = (
        select(
            AuditAssessment.review_id.label("review_id"),
            AuditAssessment.audit_record_id.label("record_id"),
            theme_of_question.label("theme"),
            score_of_rating.label("score"),
        )
        .join(AuditRating, AuditRating.assessment_id == AuditAssessment.id)
        .join(Review, Review.id == AuditAssessment.review_id)
        .where(AuditRating.rating.is_not(None))
        .subquery("ratings")
    )
    audit_cells = (
        select(
            ratings.c.review_id,
            ratings.c.record_id,
            ratings.c.theme,
            func.sum(ratings.c.score).label("total"),
            func.count(ratings.c.score).label("n"),
        )
        .where(ratings.c.theme.is_not(None), ratings.c.score.is_not(None))
        .group_by(ratings.c.review_id, ratings.c.record_id, ratings.c.theme)
        .subquery("audit_cells")
    )

    # The answers: one row per answer on a theme from someone who hasn't withdrawn.
    lived_score: ColumnElement[int | None] = case(
        *[
            (and_(Response.answer_type == kind, Response.value == value), _whole(score, lived_unit))
            for (kind, value), score in lived.items()
        ],
        else_=None,
    )
    own_voice = [role for role, group in GROUP_OF_ROLE.items() if group == "person"]
    group = case((Participant.role.in_(own_voice), literal("person")), else_=literal("family"))
    answers = (
        select(
            Response.review_id.label("review_id"),
            Participant.audit_record_id.label("record_id"),
            Response.theme.label("theme"),
            group.label("grp"),
            Participant.id.label("participant_id"),
            lived_score.label("score"),
        )
        .join(Participant, Participant.id == Response.participant_id)
        .where(
            Response.theme.is_not(None),
            Response.skipped.is_(False),
            Participant.withdrawn_at.is_(None),
        )
        .subquery("answers")
    )
    # Per person first (each person is one audit ref and one group), so voices need no DISTINCT.
    people = (
        select(
            answers.c.review_id,
            answers.c.record_id,
            answers.c.theme,
            answers.c.grp,
            func.sum(answers.c.score).label("total"),
            func.count(answers.c.score).label("n"),
        )
        .group_by(
            answers.c.review_id, answers.c.record_id, answers.c.theme, answers.c.grp, answers.c.participant_id
        )
        .subquery("people")
    )
    accounts = (
        select(
            people.c.review_id,
            people.c.record_id,
            people.c.theme,
            people.c.grp,
            func.sum(people.c.total).label("total"),
            func.sum(people.c.n).label("n"),
            func.count().label("voices"),
        )
        .group_by(people.c.review_id, people.c.record_id, people.c.theme, people.c.grp)
        .subquery("accounts")
    )
    # |audit - lived| >= p/q with audit = A / (audit_unit * a) and lived = L / (lived_unit * l):
    # q * |lived_unit * l * A - audit_unit * a * L| >= p * audit_unit * lived_unit * a * l, in whole numbers.
    a_total, a_n = audit_cells.c.total, audit_cells.c.n
    l_total, l_n = accounts.c.total, accounts.c.n
    differs = and_(
        a_n > 0,
        l_n > 0,
        DISAGREEMENT.denominator * func.abs(lived_unit * l_n * a_total - audit_unit * a_n * l_total)
        >= DISAGREEMENT.numerator * audit_unit * lived_unit * a_n * l_n,
    )
    lived_rows = session.execute(
        select(
            accounts.c.review_id,
            accounts.c.theme,
            func.sum(accounts.c.total),
            func.sum(accounts.c.n),
            func.sum(accounts.c.voices),
            func.sum(case((differs, 1), else_=0)),
        )
        .select_from(
            accounts.outerjoin(
                audit_cells,
                and_(
                    audit_cells.c.review_id == accounts.c.review_id,
                    audit_cells.c.record_id == accounts.c.record_id,
                    audit_cells.c.theme == accounts.c.theme,
                ),
            )
        )
        .group_by(accounts.c.review_id, accounts.c.theme)
    ).all()
    audit_rows = session.execute(
        select(
            audit_cells.c.review_id, audit_cells.c.theme, func.sum(audit_cells.c.total), func.sum(a_n)
        ).group_by(audit_cells.c.review_id, audit_cells.c.theme)
    ).all()

    found: dict[int, dict[str, ThemeTotals]] = {}
    for review_id, theme, total, n in audit_rows:
        row = found.setdefault(review_id, {}).setdefault(theme, ThemeTotals(theme))
        row.audit_total = Fraction(int(total or 0), audit_unit)
        row.audit_count = int(n or 0)
    for review_id, theme, total, n, voices, disagreements in lived_rows:
        row = found.setdefault(review_id, {}).setdefault(theme, ThemeTotals(theme))
        row.lived_total = Fraction(int(total or 0), lived_unit)
        row.lived_count = int(n or 0)
        row.voices = int(voices)
        row.disagreements = int(disagreements)
    # As in each review's table: a theme with neither an audit rating nor a scored answer is left out.
    for themes in found.values():
        for theme in [t for t, row in themes.items() if not row.audit_count and not row.lived_count]:
            del themes[theme]
    return found
