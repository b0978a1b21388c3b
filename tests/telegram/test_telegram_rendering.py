"""Rendering prompts for Telegram, and reading Updates; the picture and voice path end to end."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fake_bot_api import FakeBotApi, text_update
from flask import Flask
from flask.testing import FlaskClient
from telegram import ReplyKeyboardMarkup, ReplyKeyboardRemove
from tg_support import make_participant, post_update

from app.channels import telegram as channel
from app.config import ROOT
from app.engine import Audience, Option, Prompt, load_flow, parse_answer, resume, start
from app.services.audio import audio_key
from app.services.runtime import Runtime

FLOW = ROOT / "flows" / "practice_review_experience.yaml"
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize("variant", ["standard", "easy_read"])
def test_every_button_of_the_shipped_flow_reads_back_as_its_answer(language: str, variant: str) -> None:
    pictures = {p.name for p in (ROOT / "content" / "easy_read").glob("*.svg")}
    flow = load_flow(FLOW, pictures=pictures)
    audience = Audience(variant=variant, channel="telegram", language=language, fields={"first_name": "Sam"})
    step = start(flow, audience, NOW)
    checked = 0
    for _ in range(30):
        questions = [p for p in step.prompts if p.kind in ("ask", "reask")]
        if not questions:
            break
        question = questions[-1]
        markup = channel.keyboard(question)
        if question.options:
            assert isinstance(markup, ReplyKeyboardMarkup)
            labels = [button.text for row in markup.keyboard for button in row]
            for label, option in zip(labels, question.options, strict=True):
                assert parse_answer(flow.nodes[question.node], label, audience) == option.key, label
                checked += 1
            reply = labels[0]
        else:
            assert isinstance(markup, ReplyKeyboardRemove)
            reply = "It was fine."
        step = resume(flow, step.state, reply, NOW)
    assert step.state.status == "completed"
    assert checked >= 25


def test_a_say_has_no_keyboard_unless_it_closes_the_turn() -> None:
    say = Prompt(node="welcome", text="Hello.")
    assert channel.render(say) == [channel.BotCall("send_message", {"text": "Hello."})]
    [closing] = channel.render(say, closing=True)
    assert isinstance(closing.kwargs["reply_markup"], ReplyKeyboardRemove)


def test_yes_no_sits_on_one_row_and_a_choice_one_answer_a_row() -> None:
    yes_no = Prompt("q", "OK?", "ask", "yes_no", (Option("yes", "Yes"), Option("no", "No")))
    choice = Prompt("c", "How?", "ask", "choice", (Option("a", "A text"), Option("b", "A letter")))
    rows = channel.keyboard(yes_no).keyboard  # type: ignore[union-attr]
    assert [[b.text for b in row] for row in rows] == [["Yes", "No"]]
    rows = channel.keyboard(choice).keyboard  # type: ignore[union-attr]
    assert [[b.text for b in row] for row in rows] == [["A text"], ["A letter"]]


def test_a_long_text_with_a_picture_goes_as_photo_then_words(tmp_path: Path) -> None:
    picture = tmp_path / "hello.png"
    short = channel.render(Prompt("w", "Hello."), picture=picture)
    assert [(c.method, c.file) for c in short] == [("send_photo", picture)]
    assert short[0].kwargs["caption"] == "Hello."
    long = channel.render(Prompt("w", "word " * 300), picture=picture)
    assert [c.method for c in long] == ["send_photo", "send_message"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/start abc_DEF-123", (True, "abc_DEF-123", None)),
        ("/start", (True, None, None)),
        ("/help", (False, None, "HELP")),
        ("/stop@HeardTestBot", (False, None, "STOP")),
        ("yes please", (False, None, "yes please")),
    ],
)
def test_reading_a_message_update(text: str, expected: tuple[bool, str | None, str | None]) -> None:
    update = channel.parse_update(text_update(42, text, update_id=9))
    assert (update.start, update.start_token, update.text) == expected
    assert (update.update_id, update.chat_id) == ("9", "42")


def test_a_sticker_means_its_emoji_and_an_edit_means_nothing() -> None:
    sticker = text_update(42, "", update_id=10)
    del sticker["message"]["text"]
    sticker["message"]["sticker"] = {
        "file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1, "height": 1,
        "is_animated": False, "is_video": False, "emoji": "👍",
    }  # fmt: skip
    assert channel.parse_update(sticker).text == "👍"
    edited = text_update(42, "no", update_id=11)
    edited["edited_message"] = edited.pop("message")
    assert channel.parse_update(edited).chat_id is None


def test_easy_read_gets_its_picture_and_listeners_get_a_voice_message(
    app: Flask, client: FlaskClient, rt: Runtime, telegram: FakeBotApi, tmp_path: Path
) -> None:
    (tmp_path / "easy_read" / "png").mkdir(parents=True)
    for name in ("hello", "consent"):
        (tmp_path / "easy_read" / "png" / f"{name}.png").write_bytes(b"\x89PNG\r\n\x1a\n fake")
    audio = tmp_path / "audio"
    audio.mkdir()
    app.config.update(CONTENT_DIR=str(tmp_path), AUDIO_CACHE_DIR=str(audio))
    _, token = make_participant(rt, variant="easy_read", communication_needs=("audio",))
    chat = 31337
    assert post_update(client, text_update(chat, f"/start {token}")) == 200
    sent = telegram.sent(chat)
    assert [c.method for c in sent][:2] == ["sendPhoto", "sendPhoto"]
    assert sent[0].files == {"photo": "hello.png"} and "Priya" in (sent[0].words or "")
    assert sent[1].reply_markup and sent[1].reply_markup["keyboard"] == [[{"text": "Yes"}, {"text": "No"}]]
    assert not [c for c in sent if c.method == "sendVoice"], "nothing is in the audio cache yet"

    consent_text = sent[1].words or ""
    key = audio_key(consent_text, "en", "gtts")  # the one audio cache (app/services/audio.py)
    (audio / f"{key}.mp3").write_bytes(b"ID3 fake mp3")
    assert post_update(client, text_update(chat, "REPEAT")) == 200
    voices = [c for c in telegram.sent(chat) if c.method == "sendVoice"]
    assert [v.files for v in voices] == [{"voice": f"{key}.mp3"}]
