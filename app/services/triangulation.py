"""Triangulation: the record's audit rating beside what the person, and their family, said.

Both are put on one scale from 0 (worst) to 1 (best):

* audit: the tool's own ``score`` per rating (West Midlands: Inadequate 0,
  Requires Improvement 1/3, Good 2/3, Outstanding 1; WLGA: N 0, P 1/2, Y 1);
* an answer: a 1-5 scale answer v is (v - 1) / 4; yes is 1 and no is 0; a
  choice is scored only where :data:`CHOICE_SCORES` says so. Words are not
  scored: their sentiment is shown beside them instead.

A **disagreement** is a difference of 0.5 or more, either way, between the
record and one group's account (the person, or their relative, carer or
advocate, kept apart) for one audit ref and theme. Fractions keep 2/3 exact,
so a difference of exactly one half is caught.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditRecord, Participant, Response, Review
from app.services.audit_summary import assessments_of
from app.services.audit_tools import (
    CONVERSATION_THEMES,
    RECORD_ONLY_THEMES,
    AuditTool,
    load_tool,
    theme_label,
)
from app.services.free_text import common_phrases, mean_sentiment
from app.services.quotable import Quotable, consented_quotes

DISAGREEMENT = Fraction(1, 2)
SCALE_MIN, SCALE_MAX = 1, 5

# The person's role -> whose account it is. The person's own voice is never averaged with others'.
GROUP_OF_ROLE = {"person": "person", "relative": "family", "carer": "family", "advocate": "family"}
GROUP_LABELS = {"person": "The person", "family": "Relative, carer or advocate"}
GROUPS = ("person", "family")

# The flow's choice answers that say how well things went ("don't know" says nothing).
CHOICE_SCORES: dict[str, Fraction] = {
    "less_than_a_week": Fraction(1),
    "a_few_weeks": Fraction(1, 2),
    "more_than_a_month": Fraction(0),
}
QUOTES_PER_THEME = 3


def lived_score(answer_type: str, value: str | None) -> Fraction | None:
    """An answer on the 0-1 scale, or None when it can't be placed on it."""
    if value is None:
        return None
    if answer_type == "scale":
        try:
            number = int(value)
        except ValueError:
            return None
        if SCALE_MIN <= number <= SCALE_MAX:
            return Fraction(number - SCALE_MIN, SCALE_MAX - SCALE_MIN)
        return None
    if answer_type == "yes_no":
        return {"yes": Fraction(1), "no": Fraction(0)}.get(value)
    if answer_type == "choice":
        return CHOICE_SCORES.get(value)
    return None


def disagree(audit: Fraction | None, lived: Fraction | None) -> bool:
    return audit is not None and lived is not None and abs(audit - lived) >= DISAGREEMENT


def _mean(values: list[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


def as_float(value: Fraction | None) -> float | None:
    """To two places, half up as in the report (float rounding would make 0.125 into 0.12)."""
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def describe_answer(answer_type: str, value: str | None) -> str:
    if value is None:
        return "skipped"
    if answer_type == "scale":
        return f"{value} of {SCALE_MAX}"
    if answer_type == "choice":
        return value.replace("_", " ")
    return value


@dataclass(frozen=True)
class Said:
    """One answer as the PSW reads it."""

    node: str
    answer: str  # "4 of 5", "yes", "a few weeks", or their words
    words: str | None  # the free text, when it was words
    sentiment: float | None


@dataclass
class Account:
    """What one group said about one theme for one audit ref."""

    group: str
    scores: list[Fraction] = field(default_factory=list)
    people: set[int] = field(default_factory=set)
    said: list[Said] = field(default_factory=list)

    @property
    def score(self) -> Fraction | None:
        return _mean(self.scores)

    @property
    def label(self) -> str:
        return GROUP_LABELS[self.group]


@dataclass
class Cell:
    """One audit ref and one theme: the record's ratings beside each group's account."""

    audit_ref: str
    audit_record_id: int
    theme: str
    ratings: list[tuple[str, str]] = field(default_factory=list)  # (question key, rating label)
    audit_scores: list[Fraction] = field(default_factory=list)
    accounts: dict[str, Account] = field(default_factory=dict)

    @property
    def audit_score(self) -> Fraction | None:
        return _mean(self.audit_scores)

    def disagrees(self, group: str) -> bool:
        account = self.accounts.get(group)
        return account is not None and disagree(self.audit_score, account.score)

    @property
    def disagreements(self) -> list[str]:
        return [group for group in GROUPS if self.disagrees(group)]


@dataclass
class ThemeRow:
    """One theme across the review: record vs experience, who spoke, where they differ, what they said."""

    theme: str
    audit_scores: list[Fraction] = field(default_factory=list)
    lived_scores: list[Fraction] = field(default_factory=list)
    people: set[int] = field(default_factory=set)
    disagreements: int = 0
    sentiments: list[float | None] = field(default_factory=list)
    phrases: list[tuple[str, int]] = field(default_factory=list)
    quotes: list[Quotable] = field(default_factory=list)

    @property
    def label(self) -> str:
        return theme_label(self.theme)

    @property
    def record_only(self) -> bool:
        return self.theme in RECORD_ONLY_THEMES

    @property
    def audit_mean(self) -> float | None:
        return as_float(_mean(self.audit_scores))

    @property
    def lived_mean(self) -> float | None:
        return as_float(_mean(self.lived_scores))

    @property
    def voices(self) -> int:
        return len(self.people)

    @property
    def sentiment(self) -> float | None:
        return mean_sentiment(self.sentiments)


@dataclass
class Triangulation:
    review_id: int
    tool: AuditTool
    cells: list[Cell]
    themes: list[ThemeRow]

    def cells_of(self, audit_ref: str) -> list[Cell]:
        return [c for c in self.cells if c.audit_ref == audit_ref]

    @property
    def audit_refs(self) -> list[str]:
        return sorted({c.audit_ref for c in self.cells}, key=ref_order)

    @property
    def disagreement_count(self) -> int:
        return sum(len(c.disagreements) for c in self.cells)


def ref_order(ref: str) -> tuple[str, int, str]:
    # A2 before A10, as a person would sort them.
    letters = "".join(ch for ch in ref if not ch.isdigit())
    digits = "".join(ch for ch in ref if ch.isdigit())
    return letters, int(digits) if digits else 0, ref


def _theme_order(tool: AuditTool, seen: set[str]) -> list[str]:
    ordered: list[str] = []
    for theme in [q.theme for q in tool.questions] + list(CONVERSATION_THEMES) + sorted(seen):
        if theme not in ordered and (theme in seen or theme in {q.theme for q in tool.questions}):
            ordered.append(theme)
    return ordered


def triangulate(session: Session, review_id: int) -> Triangulation:
    review = session.get_one(Review, review_id)
    tool = load_tool(review.audit_tool)
    theme_of = {q.key: q.theme for q in tool.questions}
    cells: dict[tuple[int, str], Cell] = {}

    def cell(record_id: int, ref: str, theme: str) -> Cell:
        return cells.setdefault((record_id, theme), Cell(ref, record_id, theme))

    for assessment in assessments_of(session, review_id):
        ref = assessment.audit_record.audit_ref
        for rating in assessment.ratings:
            if rating.rating is None or rating.question not in theme_of:
                continue
            found = cell(assessment.audit_record_id, ref, theme_of[rating.question])
            scale = tool.rating(rating.rating)
            found.ratings.append((rating.question, scale.label))
            found.audit_scores.append(scale.score)

    # One query for every answer with who gave it and their audit ref (no lazy load per participant).
    rows = session.execute(
        select(Response, Participant, AuditRecord.audit_ref)
        .join(Participant, Participant.id == Response.participant_id)
        .join(AuditRecord, AuditRecord.id == Participant.audit_record_id)
        .where(
            Response.review_id == review_id,
            Response.theme.is_not(None),
            Response.skipped.is_(False),
            Participant.withdrawn_at.is_(None),
        )
        .order_by(Response.id)
    ).all()
    texts: dict[str, list[tuple[int, str]]] = defaultdict(list)
    themes: dict[str, ThemeRow] = {}
    for response, person, audit_ref in rows:
        theme = response.theme or ""
        group = GROUP_OF_ROLE.get(person.role, "family")
        found = cell(person.audit_record_id, audit_ref, theme)
        account = found.accounts.setdefault(group, Account(group))
        account.people.add(person.id)
        is_words = response.answer_type == "free_text"
        account.said.append(
            Said(
                response.node,
                describe_answer(response.answer_type, response.value),
                response.value if is_words else None,
                response.sentiment,
            )
        )
        score = lived_score(response.answer_type, response.value)
        row = themes.setdefault(theme, ThemeRow(theme))
        row.people.add(person.id)
        if score is not None:
            account.scores.append(score)
            row.lived_scores.append(score)
        if is_words and response.value:
            texts[theme].append((person.id, response.value))
            row.sentiments.append(response.sentiment)

    for found in cells.values():
        row = themes.setdefault(found.theme, ThemeRow(found.theme))
        row.audit_scores.extend(found.audit_scores)
        row.disagreements += len(found.disagreements)
    for theme, row in themes.items():
        row.phrases = common_phrases(texts.get(theme, []))
    _pick_quotes(themes, consented_quotes(session, review_id), cells)

    ordered = _theme_order(tool, set(themes))
    theme_rows = [themes.get(theme) or ThemeRow(theme) for theme in ordered]
    ordered_cells = sorted(
        cells.values(),
        key=lambda c: (ref_order(c.audit_ref), ordered.index(c.theme) if c.theme in ordered else 99),
    )
    return Triangulation(review_id, tool, ordered_cells, theme_rows)


def _pick_quotes(
    themes: dict[str, ThemeRow], quotes: list[Quotable], cells: dict[tuple[int, str], Cell]
) -> None:
    """The most telling consented quotes per theme: where record and person differ, then the strongest."""

    def telling(quote: Quotable) -> tuple[int, float, int]:
        found = cells.get((quote.audit_record_id, quote.theme or ""))
        differs = found is not None and found.disagrees(GROUP_OF_ROLE.get(quote.role, "family"))
        return (1 if differs else 0, abs(quote.sentiment or 0.0), len(quote.text))

    by_theme: dict[str, list[Quotable]] = defaultdict(list)
    for quote in quotes:
        by_theme[quote.theme or "other"].append(quote)
    for theme, found in by_theme.items():
        row = themes.setdefault(theme, ThemeRow(theme))
        row.quotes = sorted(found, key=telling, reverse=True)[:QUOTES_PER_THEME]
