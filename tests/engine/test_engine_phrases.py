"""The engine's own words exist in both languages and keep easy read short."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from app.engine import Audience
from app.engine.easy_read import long_sentences
from app.engine.phrases import PHRASES, phrase, phrase_for
from app.engine.types import CHANNELS
from app.engine.wording import each_text, pick


@pytest.mark.parametrize("key", sorted(PHRASES))
def test_every_phrase_has_english_and_welsh(key: str) -> None:
    block = PHRASES[key]
    assert block.get("standard"), key
    assert block.get("cy", {}).get("standard"), key
    assert phrase(key, "cy") != phrase(key, "en") or key in ("option_line",), key


@pytest.mark.parametrize("key", sorted(PHRASES))
def test_easy_read_phrases_are_short(key: str) -> None:
    for language, where, variant, text in each_text(PHRASES[key]):
        if variant in ("easy_read", None):
            assert long_sentences(text) == [], (key, language, where)


@pytest.mark.parametrize("key", sorted(PHRASES))
@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize("channel", CHANNELS)
def test_every_easy_read_phrase_is_short_as_chosen(key: str, language: str, channel: str) -> None:
    """What an easy-read person actually gets, after the fall-back order, on every channel."""
    values = {"number": 1, "label": "A text", "min": 0, "max": 10}
    text = phrase(key, language, "easy_read", channel, **values)
    assert text
    assert long_sentences(text) == [], (key, language, channel)


def _ui_text_module() -> ModuleType:
    """app/web/ui_text.py on its own: the engine tests never import the web app (and Flask)."""
    path = Path(__file__).resolve().parents[2] / "app" / "web" / "ui_text.py"
    spec = importlib.util.spec_from_file_location("heard_ui_text", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ui_text = _ui_text_module().ui_text


# What each channel offers instead of answering (the web page's names: app/web/ui_text.py).
HELP = {
    ("en", "sms"): ["Reply SKIP", "Reply BACK", "Reply CALL ME", "Reply STOP"],
    ("en", "voice"): ["Say SKIP", "Say BACK", "Say CALL ME", "Say STOP"],
    ("en", "web"): ['Press "Skip this question"', 'Press "Go back"', 'Press "Ask someone to call me"'],
    ("en", "telegram"): ["Tap /skip", "Tap /back", "Send CALL ME", "Tap /stop"],
    ("en", "peer"): ["Tell me if you want to miss a question", "Tell me if you want to stop"],
    ("cy", "sms"): ["Atebwch SGIPIO", "Atebwch NOL", "Atebwch FFONIWCH FI", "Atebwch STOPIO"],
    ("cy", "voice"): ["Dywedwch SGIPIO", "Dywedwch NOL", "Dywedwch FFONIWCH FI", "Dywedwch STOPIO"],
    ("cy", "web"): [
        'Pwyswch "Hepgor y cwestiwn hwn"',
        'Pwyswch "Mynd yn ôl"',
        'Pwyswch "Stopio cymryd rhan"',
    ],
    ("cy", "telegram"): ["Pwyswch /skip", "Pwyswch /back", "Anfonwch FFONIWCH FI", "Pwyswch /stop"],
    ("cy", "peer"): ["Dywedwch wrtha i os ydych chi eisiau gadael cwestiwn"],
}


@pytest.mark.parametrize(("language", "channel"), sorted(HELP))
def test_help_says_what_to_do_on_each_channel(language: str, channel: str) -> None:
    for variant in ("standard", "easy_read"):
        text = phrase("help", language, variant, channel)
        if variant == "easy_read":
            for words in HELP[(language, channel)]:
                assert words in text, (channel, words)
        if channel in ("web", "telegram", "peer"):
            assert "Reply" not in text and "Atebwch S" not in text, (channel, variant)


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize("variant", ["standard", "easy_read"])
def test_web_help_names_the_buttons_on_the_page(language: str, variant: str) -> None:
    labels = ui_text(language, variant)
    text = phrase("help", language, variant, "web")
    for button in ("go_back", "skip", "call_me", "stop"):
        assert f'"{labels[button]}"' in text, button
    free_text = phrase("hint_free_text", language, variant, "web")
    assert f'"{labels["skip"]}"' in free_text


def test_flow_peer_wording_stays_guidance_but_a_phrase_peer_wording_is_said() -> None:
    peer = Audience(channel="peer", variant="easy_read")
    assert phrase_for("help", peer).startswith("Answer in your own words. Tell me")
    assert pick({"standard": "Said", "peer": "Guidance"}, peer) == "Said"


@pytest.mark.parametrize("channel", CHANNELS)
def test_hints_are_chosen_by_channel(channel: str) -> None:
    text = phrase("hint_yes_no", "en", "standard", channel)
    assert "yes" in text.lower()
    if channel == "sms":
        assert text == "Please reply YES or NO."


def test_phrase_values_are_filled() -> None:
    text = phrase_for("hint_number_range", Audience(variant="easy_read"), min=0, max=10)
    assert text == "Reply with a number from 0 to 10."


def test_stop_goodbye_says_no_more_contact_for_this_review() -> None:
    assert "not contact you again about this review" in phrase("goodbye", "en", "easy_read")
    assert "adolygiad hwn" in phrase("goodbye", "cy", "standard")
