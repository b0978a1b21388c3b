"""What the engine works out once (at load or first use) never leaks between people or replies."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from app.engine import Audience, load_flow, resume, start
from app.engine.answers import choice_table, parse_choice
from app.engine.normalise import PhraseTable, find_phrases, normalise, tokens

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
SHIPPED = Path(__file__).resolve().parents[2] / "flows" / "practice_review_experience.yaml"


def test_each_person_hears_their_own_name() -> None:
    flow = load_flow(SHIPPED)
    texts = {}
    for name in ("Sam", "Bethan", ""):
        audience = Audience(channel="sms", fields={"first_name": name} if name else {})
        texts[name] = " ".join(p.text for p in start(flow, audience, NOW).prompts)
    assert "Sam" in texts["Sam"] and "Bethan" not in texts["Sam"]
    assert "Bethan" in texts["Bethan"] and "Sam" not in texts["Bethan"]
    assert "Sam" not in texts[""] and "Bethan" not in texts[""]


def test_resume_leaves_the_callers_state_alone() -> None:
    flow = load_flow(SHIPPED)
    state = start(flow, Audience(channel="sms"), NOW).state
    before = state.to_dict()
    after = resume(flow, state, "yes", NOW).state
    assert state.to_dict() == before
    assert after.history is not state.history and after.answers is not state.answers


def test_a_phrase_table_finds_what_a_plain_table_finds() -> None:
    plain = {
        tokens(t): v for t, v in {"not very well": "2", "very well": "5", "well": "4", "not": "x"}.items()
    }
    table = PhraseTable(plain)
    for reply in ("not very well", "very well not well", "well well", "nothing", "not not very well well"):
        words = tokens(reply)
        assert find_phrases(words, table) == find_phrases(words, plain)


def test_a_choice_reads_the_same_with_or_without_its_table() -> None:
    flow = load_flow(SHIPPED)
    for node in flow.nodes.values():
        if node.answer_type != "choice":
            continue
        assert node.choice_table == choice_table(node.options)
        for reply in ("1", "text please", "by phone", "not by phone", "post", normalise("Ffôn")):
            assert parse_choice(reply, node.options) == parse_choice(
                reply, node.options, table=node.choice_table
            )
