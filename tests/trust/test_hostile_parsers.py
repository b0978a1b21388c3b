"""Every parser takes any text: a value or None, never an exception."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from app.channels.sms import render_reply
from app.config import ROOT
from app.engine import Audience, Prompt, State, load_flow, match_command, parse_answer, resume, start
from app.engine.normalise import normalise, tokens
from app.engine.segments import to_gsm7
from app.services.safeguarding import load_rules, match
from app.services.sanitise import storable
from app.services.texting import classify
from tests.trust.hostile import SETTINGS, any_text

FLOW = load_flow(ROOT / "flows" / "practice_review_experience.yaml")
ASKS = [node for node in FLOW.nodes.values() if node.kind == "ask"]
AUDIENCES = [
    Audience(variant=v, channel=c, language=lang, fields={"first_name": "Sam", "council": "C"})
    for v in ("standard", "easy_read")
    for c in ("sms", "voice", "web", "telegram", "peer")
    for lang in ("en", "cy")
]
RULES = load_rules(ROOT / "content" / "safeguarding.yaml")
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


@SETTINGS
@given(text=any_text, node=st.sampled_from(ASKS), audience=st.sampled_from(AUDIENCES))
def test_answers_parse_or_are_none(text: str, node, audience: Audience) -> None:  # type: ignore[no-untyped-def]
    value = parse_answer(node, text, audience)
    assert value is None or isinstance(value, str)
    if value is not None and node.answer_type in ("yes_no", "scale", "choice"):
        assert value in {"yes", "no", "1", "2", "3", "4", "5"} | {o.key for o in node.options}


@SETTINGS
@given(text=any_text)
def test_commands_keywords_and_safeguarding_take_any_text(text: str) -> None:
    assert match_command(text) in (None, "stop", "help", "repeat", "back", "skip", "call_me", "withdraw")
    assert classify(text) in (None, "opt_out", "opt_in", "help")
    assert isinstance(normalise(text), str) and all(" " not in t for t in tokens(text))
    assert match(text, RULES) is None or isinstance(match(text, RULES), str)
    assert "\x00" not in storable(text)
    storable(text).encode("utf-8")  # always encodable: PostgreSQL and SQLite take it
    assert isinstance(to_gsm7(storable(text)), str)
    render_reply([Prompt(node="", text=storable(text), kind="notice")])


@SETTINGS
@given(texts=st.lists(any_text, min_size=1, max_size=6), audience=st.sampled_from(AUDIENCES))
def test_the_engine_takes_any_reply_at_any_question(texts: list[str], audience: Audience) -> None:
    step = start(FLOW, audience, NOW)
    state: State = step.state
    for text in texts:
        step = resume(FLOW, state, storable(text), NOW)
        state = step.state
        assert state.status in ("active", "completed", "opted_out", "withdrawn", "expired")
        if state.status == "active":
            assert any(p.kind in ("ask", "reask") for p in step.prompts) or not step.events
