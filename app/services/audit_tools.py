"""Audit tools as data: the questions PSWs rate each record on, their themes and rating scale.

A tool lives in ``content/audit_tools/<id>.yaml`` and is checked once, when
loaded: a tool with a mistake is refused with the file and every reason, the
way a flow is (see app/engine/flow.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from app.config import ROOT

TOOLS_DIR = ROOT / "content" / "audit_tools"

# Themes a person is asked about in the conversation: the flow's own `theme:` names.
CONVERSATION_THEMES = (
    "voice_of_person",
    "strengths",
    "outcomes",
    "family_and_carers",
    "identity",
    "access",
    "timeliness",
    "improvement",
)
# Themes only the record can speak to: nobody is asked about them in a conversation.
RECORD_ONLY_THEMES = ("recording", "risk", "safeguarding", "legal_literacy")
THEMES = CONVERSATION_THEMES + RECORD_ONLY_THEMES

THEME_LABELS = {
    "voice_of_person": "The person's voice",
    "strengths": "Strengths",
    "outcomes": "Outcomes",
    "family_and_carers": "Family and carers",
    "identity": "Identity and culture",
    "access": "Reaching the worker",
    "timeliness": "Timeliness",
    "improvement": "What could be better",
    "recording": "Recording",
    "risk": "Risk",
    "safeguarding": "Safeguarding",
    "legal_literacy": "Legal literacy",
    "other": "Anything else",
}

NOT_APPLICABLE = ("n/a", "na", "not applicable")


class ToolError(ValueError):
    """An audit tool file that can't be used, with every reason."""


@dataclass(frozen=True)
class Rating:
    key: str
    label: str
    short: tuple[str, ...]
    score: Fraction  # 0 (worst) to 1 (best): Heard's one scale for record and experience


@dataclass(frozen=True)
class Question:
    key: str
    theme: str
    text: str


@dataclass(frozen=True)
class AuditTool:
    id: str
    name: str
    column_prefix: str
    overall: bool
    summary: str  # counts (each rating counted) | positive (Y=1, P=0.5, over the records)
    ratings: tuple[Rating, ...]
    questions: tuple[Question, ...]

    def parse(self, text: str) -> Rating | None:
        """The rating ``text`` names (any case, full or short form); None when it names none."""
        wanted = " ".join(text.strip().lower().split())
        for rating in self.ratings:
            if wanted in (rating.key.replace("_", " "), rating.label.lower(), *rating.short):
                return rating
        return None

    def rating(self, key: str) -> Rating:
        return next(r for r in self.ratings if r.key == key)

    def question(self, key: str) -> Question:
        return next(q for q in self.questions if q.key == key)

    @property
    def question_keys(self) -> tuple[str, ...]:
        return tuple(q.key for q in self.questions)

    def accepted(self) -> str:
        """The words a CSV may use, for error messages."""
        forms = [f"{r.label} ({'/'.join(s.upper() for s in r.short)})" if r.short else r.label
                 for r in self.ratings]  # fmt: skip
        return ", ".join(forms) + ", or N/A"


def _score(value: Any) -> Fraction:
    # Fractions keep 2/3 exact, so a difference of exactly 0.5 is found, not lost to rounding.
    return Fraction(str(value))


def parse_tool(data: Any, source: str) -> AuditTool:
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ToolError(f"{source}: expected a mapping with id, name, ratings and questions")
    for field in ("id", "name", "column_prefix", "ratings", "questions"):
        if field not in data:
            problems.append(f"missing `{field}`")
    if problems:
        raise ToolError(f"{source}: " + "; ".join(problems))
    summary = data.get("summary", "counts")
    if summary not in ("counts", "positive"):
        problems.append(f"summary must be counts or positive, not {summary!r}")

    ratings: list[Rating] = []
    seen_forms: set[str] = set()
    for index, raw in enumerate(data["ratings"] or [], start=1):
        where = f"rating {index}"
        if not isinstance(raw, dict) or not {"key", "label", "score"} <= raw.keys():
            problems.append(f"{where}: needs key, label and score")
            continue
        short = raw.get("short", [])
        if not all(isinstance(s, str) for s in short):
            problems.append(f"{where}: short forms must be quoted text (YAML reads yes/no as true/false)")
            continue
        try:
            score = _score(raw["score"])
        except (ValueError, ZeroDivisionError):
            problems.append(f"{where}: score {raw['score']!r} is not a number such as 1, 0.5 or 2/3")
            continue
        if not 0 <= score <= 1:
            problems.append(f"{where}: score must be between 0 and 1")
        rating = Rating(str(raw["key"]), str(raw["label"]), tuple(s.lower() for s in short), score)
        forms = {rating.key.replace("_", " "), rating.label.lower(), *rating.short}
        clash = forms & seen_forms
        if clash:
            problems.append(f"{where}: {', '.join(sorted(clash))} already names another rating")
        seen_forms |= forms
        ratings.append(rating)
    if len(ratings) < 2:
        problems.append("a tool needs at least two ratings")

    questions: list[Question] = []
    prefix = str(data["column_prefix"])
    for index, raw in enumerate(data["questions"] or [], start=1):
        expected = f"{prefix}{index}"
        if not isinstance(raw, dict) or not {"key", "theme", "text"} <= raw.keys():
            problems.append(f"question {index}: needs key, theme and text")
            continue
        if raw["key"] != expected:
            problems.append(
                f"question {index}: key is {raw['key']!r}, expected {expected!r} (numbered in order)"
            )
        if raw["theme"] not in THEMES:
            problems.append(
                f"question {expected}: unknown theme {raw['theme']!r}; use one of {', '.join(THEMES)}"
            )
        questions.append(Question(str(raw["key"]), str(raw["theme"]), str(raw["text"])))
    if not questions:
        problems.append("a tool needs at least one question")
    if problems:
        raise ToolError(f"{source}: " + "; ".join(problems))
    return AuditTool(
        id=str(data["id"]),
        name=str(data["name"]),
        column_prefix=prefix,
        overall=bool(data.get("overall", False)),
        summary=summary,
        ratings=tuple(ratings),
        questions=tuple(questions),
    )


def load_tool_file(path: Path) -> AuditTool:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ToolError(f"{path}: not valid YAML ({error})") from error
    tool = parse_tool(data, str(path))
    if tool.id != path.stem:
        raise ToolError(f"{path}: id {tool.id!r} must match the file name {path.stem!r}")
    return tool


@cache
def load_tool(tool_id: str, tools_dir: Path = TOOLS_DIR) -> AuditTool:
    path = tools_dir / f"{tool_id}.yaml"
    if not path.is_file():
        known = ", ".join(available_tools(tools_dir)) or "none"
        raise ToolError(f"There is no audit tool {tool_id!r} (known: {known}).")
    return load_tool_file(path)


def available_tools(tools_dir: Path = TOOLS_DIR) -> list[str]:
    return sorted(p.stem for p in tools_dir.glob("*.yaml"))


def theme_label(theme: str | None) -> str:
    return THEME_LABELS.get(theme or "", (theme or "").replace("_", " ").capitalize())
