"""Every SMS text fits its segments: the shipped flows (by `heard flows check`) and our own wording."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from app.cli import main
from app.engine import load_flow_text
from app.engine.segments import SAMPLE_FIELDS, segment_warnings, sms_problems
from app.engine.types import Audience
from app.engine.wording import fill, pick
from app.services.invitations import INVITATION, REMINDER
from app.services.texting import wording


def test_every_sms_rendering_of_the_shipped_flows_fits_the_segment_rules(app: Flask) -> None:
    result = app.test_cli_runner().invoke(main, ["flows", "check"])
    assert "OK" in result.output and result.exit_code == 0, result.output
    sms_warnings = [line for line in result.output.splitlines() if ": SMS (" in line]
    assert sms_warnings == []


TOO_LONG = """
id: too_long
version: 1
title: Too long for a text
languages: [en]
start: welcome
nodes:
  welcome:
    say:
      standard: "{long}"
      easy_read: "Hello. This easy read text goes on and on. It goes past what one text can hold. \
One text holds one hundred and sixty plain letters. This text has more than that."
    next: asked
  asked:
    ask: free_text
    theme: voice_of_person
    text:
      standard: "How did it go? “Tell us” in your own words 🙂"
      easy_read: "How did it go?"
"""


def test_flows_check_warns_for_long_easy_read_long_standard_and_english_ucs2(
    app: Flask, tmp_path: Path
) -> None:
    path = tmp_path / "too_long.yaml"
    path.write_text(TOO_LONG.replace("{long}", "Words. " * 50), encoding="utf-8")
    result = app.test_cli_runner().invoke(main, ["flows", "check", str(path)])
    assert result.exit_code == 0, result.output  # warnings, not errors
    warnings = [line for line in result.output.splitlines() if ": SMS (" in line]
    assert any("too_long.yaml:welcome: SMS (en standard say)" in w and "3 segments" in w for w in warnings)
    assert any(":welcome: SMS (en easy read say)" in w and "fit in 1" in w for w in warnings)
    assert any(":asked: SMS (en standard ask)" in w and "UCS-2" in w and "🙂" in w for w in warnings)
    # The curly quotes alone would not have done it: they are normalised to GSM-7.
    assert not any(":asked: SMS (en easy read" in w for w in warnings)


def test_sms_problems_reads_every_language_and_variant() -> None:
    flow = load_flow_text(TOO_LONG.replace("{long}", "Fine."), "too_long.yaml")
    problems = sms_problems(flow)
    assert {p.node for p in problems} == {"welcome", "asked"}
    assert all(p.severity == "warning" for p in problems)


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize("variant", ["standard", "easy_read"])
def test_invitations_reminders_and_keyword_replies_fit(language: str, variant: str) -> None:
    audience = Audience(variant=variant, channel="sms", language=language)
    texts = [fill(pick(block, audience), SAMPLE_FIELDS, language) for block in (INVITATION, REMINDER)]
    texts += [wording(key, language, variant, "0300 123 4567") for key in ("info", "opt_back_in")]
    for text in texts:
        assert segment_warnings(text, variant, language) == [], text
