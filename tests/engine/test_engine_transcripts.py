"""Golden transcripts: tests/transcripts/*.txt are conversations a PSW can read.

Each file's header names its flow file (relative to the repository root), the
person's variant, channel and language and their details; its ``YOU:`` lines
are the replies. The test replays those replies and expects the file back,
exactly. After a deliberate change to a flow or to the engine's wording, run

    HEARD_UPDATE_GOLDEN=1 .venv/bin/pytest tests/engine/test_engine_transcripts.py

to rewrite the files, then read the diff before committing it: the diff is the
change in what people will be told.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.engine import Audience, Flow, default_replies, load_flow, parse_transcript, replay
from app.engine.transcript import audience_from_header, render_transcript

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "transcripts"
UPDATE = os.environ.get("HEARD_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.txt")), ids=lambda p: p.stem)
def test_golden_transcript(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    header, replies = parse_transcript(text)
    flow = load_flow(ROOT / header["file"])
    rendered = replay(flow, audience_from_header(header), replies, file=header["file"])
    if UPDATE:
        path.write_text(rendered, encoding="utf-8")
        return
    assert rendered == text, f"{path.name} differs; if the change is meant, rerun with HEARD_UPDATE_GOLDEN=1"


def test_the_golden_set_is_there() -> None:
    names = {p.stem for p in GOLDEN.glob("*.txt")}
    assert len(names) >= 7, names


def test_messy_replies_survive_the_round_trip(branching: Flow) -> None:
    replies = ["  yes  ", '"quoted"', "4", "line one\nline two", "5", ""]
    audience = Audience(
        variant="easy_read", channel="sms", fields={"first_name": "Sam", "council": "X Council"}
    )
    text = replay(branching, audience, replies, file="tests/engine/flows/branching.yaml")
    header, parsed = parse_transcript(text)
    assert parsed == replies
    assert (
        header["flow"] == "branching v2" and header["variant"] == "easy_read" and header["channel"] == "sms"
    )
    assert audience_from_header(header) == audience


def test_replies_after_the_end_are_not_sent(branching: Flow, sam: Audience) -> None:
    text = replay(branching, sam, ["no", "hello?"])
    assert "YOU: hello?" not in text and text.rstrip().endswith("END: completed")


def test_a_conversation_still_waiting_says_where(branching: Flow, sam: Audience) -> None:
    assert replay(branching, sam, ["yes"]).rstrip().endswith("WAITING: at listened")


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize("variant", ["standard", "easy_read"])
def test_default_replies_reach_the_end(branching: Flow, language: str, variant: str) -> None:
    audience = Audience(variant=variant, language=language, channel="sms")
    replies = default_replies(branching, audience)
    assert len(replies) == 5
    text = replay(branching, audience, replies)
    assert "(skipped)" not in text and text.rstrip().endswith("END: completed")


def test_render_indents_further_lines() -> None:
    assert render_transcript([("HEARD", "one\ntwo"), ("END", "completed")]) == (
        "HEARD: one\n       two\nEND: completed\n"
    )
