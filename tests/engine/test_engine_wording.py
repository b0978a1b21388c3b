"""Choosing wording by the fall-back order in docs/flows.md, and filling it in."""

from __future__ import annotations

import pytest

from app.engine import Audience
from app.engine.wording import _welsh_article, fill, guidance, normalise_wording, pick

FULL = {
    "standard": "en standard",
    "easy_read": "en easy",
    "sms": {"easy_read": "en sms easy"},
    "voice": "en voice all",
    "peer": "en peer guidance",
    "cy": {
        "standard": "cy standard",
        "easy_read": "cy easy",
        "sms": {"easy_read": "cy sms easy"},
        "voice": "cy voice all",
        "peer": "cy peer guidance",
    },
}


@pytest.mark.parametrize(
    ("wording", "variant", "channel", "language", "expected"),
    [
        (FULL, "easy_read", "sms", "cy", "cy sms easy"),  # 1. channel override for the variant
        (FULL, "standard", "voice", "cy", "cy voice all"),  # 2. channel override for every variant
        (FULL, "easy_read", "web", "cy", "cy easy"),  # 3. the language's variant
        (FULL, "standard", "sms", "cy", "cy standard"),  # 4. the language's standard (sms map lacks it)
        (
            {"standard": "en", "sms": {"easy_read": "en sms easy"}, "cy": {"standard": "cy"}},
            "easy_read",
            "sms",
            "cy",
            "cy",
        ),  # Welsh standard beats English easy read
        (
            {"standard": "en", "sms": {"easy_read": "en sms easy"}},
            "easy_read",
            "sms",
            "cy",
            "en sms easy",
        ),  # 5
        ({"standard": "en", "voice": "en voice"}, "easy_read", "voice", "cy", "en voice"),
        ({"standard": "en", "easy_read": "en easy"}, "easy_read", "web", "cy", "en easy"),
        ({"standard": "en"}, "easy_read", "telegram", "cy", "en"),
        ("plain", "easy_read", "sms", "cy", "plain"),  # a plain string is English standard
        ({"cy": "cy plain", "standard": "en"}, "standard", "web", "cy", "cy plain"),
        (FULL, "standard", "web", "en", "en standard"),
        (FULL, "easy_read", "voice", "en", "en voice all"),
    ],
)
def test_fall_back_order(wording: object, variant: str, channel: str, language: str, expected: str) -> None:
    assert pick(wording, Audience(variant=variant, channel=channel, language=language)) == expected


def test_peer_channel_hears_the_variant_and_the_peer_gets_guidance() -> None:
    audience = Audience(variant="easy_read", channel="peer", language="cy")
    assert pick(FULL, audience) == "cy easy"
    assert guidance(FULL, audience) == "cy peer guidance"
    assert guidance({"standard": "x", "peer": "en peer"}, audience) == "en peer"
    assert guidance({"standard": "x"}, audience) is None


def test_empty_wording_gives_empty_text() -> None:
    assert pick(None, Audience()) == ""
    assert pick({"cy": {"standard": "   "}}, Audience(language="cy")) == ""


def test_normalise_keeps_the_authoring_shape() -> None:
    assert normalise_wording("Hi") == {"standard": "Hi"}
    assert normalise_wording({"standard": "Hi", "cy": "Helo"}) == {
        "standard": "Hi",
        "cy": {"standard": "Helo"},
    }
    assert normalise_wording({"standard": 1}) == {"standard": "1"}


@pytest.mark.parametrize(
    ("text", "fields", "expected"),
    [
        ("Hello {first_name}.", {"first_name": "Sam"}, "Hello Sam."),
        ("Hello {first_name}.", {}, "Hello."),
        ("Hello {first_name}, thanks.", {"first_name": ""}, "Hello, thanks."),
        ("{first_name}, thank you.", {}, "Thank you."),
        ("{council} looked at records.", {}, "The council looked at records."),
        ("We asked {council}.", {"council": "Cardiff Council"}, "We asked Cardiff Council."),
        ("About {review_theme}.", {"review_theme": "strengths"}, "About strengths."),
        ("Hi {nickname}!", {"first_name": "Sam"}, "Hi!"),
        ("No placeholders {here", {}, "No placeholders {here"),
    ],
)
def test_fill(text: str, fields: dict[str, str], expected: str) -> None:
    assert fill(text, fields) == expected


def test_fill_in_welsh_uses_welsh_stand_ins() -> None:
    assert fill("Mae {council} yn gofyn.", {}, "cy") == "Mae'r cyngor yn gofyn."
    assert fill("Mae {council} yn gofyn.", {}, "en") == "Mae the council yn gofyn."  # English is unchanged
    assert fill("We asked {council}.", {}, "en") == "We asked the council."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mae {council} yn gofyn.", "Mae'r cyngor yn gofyn."),  # not "Mae y cyngor"
        (
            "Hoffech chi glywed beth mae {council} yn ei newid?",
            "Hoffech chi glywed beth mae'r cyngor yn ei newid?",
        ),
        ("Cysylltwch â {council}.", "Cysylltwch â'r cyngor."),
        ("{council} sy'n gofyn.", "Y cyngor sy'n gofyn."),
        ("Helo {first_name}. {council} sy'n gofyn.", "Helo. Y cyngor sy'n gofyn."),
        ("Siaradwch wrth {council}.", "Siaradwch wrth y cyngor."),
    ],
)
def test_welsh_council_stand_in_takes_the_article_its_place_needs(text: str, expected: str) -> None:
    assert fill(text, {}, "cy") == expected
    # A council's own name is used as it is.
    assert "Cyngor Caerdydd" in fill(text, {"council": "Cyngor Caerdydd"}, "cy")


@pytest.mark.parametrize(
    ("stand_in", "before", "start", "expected"),
    [
        ("y adolygiad", "Siaradwch wrth", False, "yr adolygiad"),  # "yr" before a vowel, never "y a..."
        ("y adolygiad", "Mae", False, "\x01'r adolygiad"),  # "'r" after a vowel, joined on
        ("y adolygiad", "", True, "Yr adolygiad"),
        ("y hysbysiad", "am", False, "yr hysbysiad"),  # and before h
        ("y cyngor", "gan", False, "y cyngor"),
        ("y cyngor", "i", False, "\x01'r cyngor"),
        ("gwaith cymdeithasol", "Mae", False, "gwaith cymdeithasol"),  # no article: as it is
    ],
)
def test_welsh_article_rules(stand_in: str, before: str, start: bool, expected: str) -> None:
    assert _welsh_article(stand_in, before, start) == expected
