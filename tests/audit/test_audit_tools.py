"""The shipped audit tools load and speak the flow's theme names; a broken tool is refused with reasons."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from app.config import ROOT
from app.services.audit_tools import (
    CONVERSATION_THEMES,
    RECORD_ONLY_THEMES,
    ToolError,
    load_tool,
    load_tool_file,
)


def test_west_midlands_has_twelve_questions_four_ratings_and_an_overall() -> None:
    tool = load_tool("wm12")
    assert tool.question_keys == tuple(f"q{i}" for i in range(1, 13))
    assert tool.overall is True
    assert [(r.label, r.score) for r in tool.ratings] == [
        ("Outstanding", Fraction(1)),
        ("Good", Fraction(2, 3)),
        ("Requires Improvement", Fraction(1, 3)),
        ("Inadequate", Fraction(0)),
    ]
    # Any case, full or short.
    for text, key in [("O", "outstanding"), ("g", "good"), ("ri", "requires_improvement"),
                      ("REQUIRES  improvement", "requires_improvement"), ("i", "inadequate")]:  # fmt: skip
        rating = tool.parse(text)
        assert rating is not None and rating.key == key, text
    assert tool.parse("Excellent") is None
    assert tool.parse("Y") is None


def test_wlga_rates_criteria_y_p_n_with_no_overall() -> None:
    tool = load_tool("wlga")
    assert tool.overall is False
    assert tool.summary == "positive"
    assert tool.question_keys == tuple(f"c{i}" for i in range(1, 11))
    assert {r.label: r.score for r in tool.ratings} == {"Y": 1, "P": Fraction(1, 2), "N": 0}
    assert tool.parse("yes") is not None and tool.parse("yes").label == "Y"  # type: ignore[union-attr]
    assert tool.parse("n").label == "N"  # type: ignore[union-attr]


def test_tool_themes_use_the_flows_theme_names() -> None:
    flow = yaml.safe_load((ROOT / "flows" / "practice_review_experience.yaml").read_text())
    flow_themes = {node["theme"] for node in flow["nodes"].values() if "theme" in node} - {"other"}
    assert flow_themes == set(CONVERSATION_THEMES)
    for tool_id in ("wm12", "wlga"):
        themes = {q.theme for q in load_tool(tool_id).questions}
        assert themes <= set(CONVERSATION_THEMES) | set(RECORD_ONLY_THEMES)
        # Most of what a record is rated on, a person can be asked about.
        assert len(themes & set(CONVERSATION_THEMES)) >= 7, tool_id
    assert {q.theme for q in load_tool("wm12").questions} >= set(RECORD_ONLY_THEMES)


def test_a_broken_tool_is_refused_with_every_reason(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(
        """
id: broken
name: Broken
column_prefix: q
ratings:
  - {key: good, label: Good, short: [G], score: 2}
  - {key: bad, label: Bad, short: [G], score: 0}
  - {key: odd, label: Odd, short: [yes], score: 1}
questions:
  - {key: q1, theme: voice_of_person, text: Fine}
  - {key: q3, theme: kindness, text: Wrong}
"""
    )
    with pytest.raises(ToolError) as refused:
        load_tool_file(path)
    message = str(refused.value)
    assert str(path) in message
    assert "rating 1: score must be between 0 and 1" in message
    assert "rating 2: g already names another rating" in message
    assert "rating 3: short forms must be quoted text" in message
    assert "question 2: key is 'q3', expected 'q2'" in message
    assert "unknown theme 'kindness'" in message


def test_an_unknown_tool_says_which_exist() -> None:
    with pytest.raises(ToolError, match="known: wlga, wm12"):
        load_tool("nonesuch")
