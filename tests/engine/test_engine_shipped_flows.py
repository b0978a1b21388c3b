"""Every shipped flow in flows/ loads, and every easy-read sentence is short (docs/flows.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.engine import Audience, check_flow, default_replies, load_flow, replay
from app.engine.flow import pictures_in

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "flows").glob("*.yaml"))
PICTURES = ROOT / "content" / "easy_read"


@pytest.mark.skipif(not SHIPPED, reason="no flows shipped yet")
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_flow_has_no_errors_or_long_easy_read_sentences(path: Path) -> None:
    # Pictures are checked once content/easy_read/ holds any.
    pictures = pictures_in(PICTURES) or None
    problems = check_flow(path, pictures=pictures)
    assert [str(p) for p in problems if p.severity == "error"] == []
    assert [str(p) for p in problems if "easy-read sentence" in p.reason] == []


@pytest.mark.skipif(not SHIPPED, reason="no flows shipped yet")
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize("variant", ["standard", "easy_read"])
@pytest.mark.parametrize("channel", ["sms", "voice", "telegram", "web", "peer"])
def test_shipped_flow_runs_to_the_end(path: Path, language: str, variant: str, channel: str) -> None:
    flow = load_flow(path)
    audience = Audience(variant=variant, channel=channel, language=language, fields={"first_name": "Sam"})
    text = replay(flow, audience, default_replies(flow, audience))
    assert text.rstrip().endswith("END: completed")
    assert "{" not in text.replace("[", "").replace("]", ""), "a placeholder was left unfilled"
