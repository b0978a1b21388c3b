"""Telegram: an Update becomes an Inbound (or a /start); prompts become Bot API calls.

Translation only: which chat belongs to whom, and what to send when, are
decided in app/services. Questions with answers to choose get a reply
keyboard, so a tap sends the answer's label as ordinary text and the engine
parses it like any typed reply (no inline buttons, so no callback data).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import Bot, KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update

from app.channels.base import Inbound
from app.engine import Prompt

MAX_TEXT = 4096  # the Bot API's limit on one message
MAX_CAPTION = 1024  # ... and on a photo's caption
# Telegram's own commands, sent as the engine's command words (as the web chat's buttons do).
COMMANDS = {"help": "HELP", "stop": "STOP", "repeat": "REPEAT", "back": "BACK", "skip": "SKIP"}
_COMMAND = re.compile(r"^/([A-Za-z_]+)(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)


@dataclass(frozen=True)
class TelegramInput:
    """What one Update means for us. ``text`` is None when there is nothing to answer."""

    update_id: str
    chat_id: str | None = None
    text: str | None = None
    start: bool = False  # /start, with ``start_token`` when it came from a deep link
    start_token: str | None = None
    callback_query_id: str | None = None  # answered, whatever it was

    def inbound(self, text: str | None = None) -> Inbound:
        assert self.chat_id is not None
        body = self.text if text is None else text
        return Inbound(channel="telegram", sender=self.chat_id, text=body or "", provider_id=self.update_id)


def parse_update(data: Mapping[str, Any], bot: Bot | None = None) -> TelegramInput:
    """One Update (a webhook body or a getUpdates item) as a TelegramInput."""
    update = Update.de_json(dict(data), bot)
    update_id = str(update.update_id)
    if update.callback_query is not None:
        return TelegramInput(update_id, callback_query_id=update.callback_query.id)
    message = update.message  # edits and channel posts are not answers
    if message is None or message.chat.type != "private":
        return TelegramInput(update_id)  # a group would show everyone the questions: stay out
    chat_id = str(message.chat.id)
    # A sticker's emoji is its meaning (a 👍 sticker is a yes); anything else with no words
    # (a photo, a voice note) is kept as an empty message and gently asked again.
    text = message.text or message.caption or (message.sticker.emoji if message.sticker else None) or ""
    command = _COMMAND.match(text.strip())
    if command:
        name, argument = command.group(1).lower(), (command.group(2) or "").strip()
        if name == "start":
            return TelegramInput(update_id, chat_id, start=True, start_token=argument or None)
        if name in COMMANDS:
            return TelegramInput(update_id, chat_id, text=COMMANDS[name])
    return TelegramInput(update_id, chat_id, text=text[:MAX_TEXT])


@dataclass(frozen=True)
class BotCall:
    """One Bot API call: the python-telegram-bot method and its arguments (chat_id added on sending)."""

    method: str  # send_message | send_photo | send_voice
    kwargs: dict[str, Any] = field(default_factory=dict)
    file: Path | None = None  # opened and passed as ``photo`` / ``voice`` when sent


def keyboard(prompt: Prompt) -> ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    """Big answer buttons for a question with answers to choose; none for free text."""
    if prompt.kind not in ("ask", "reask"):
        return None
    if not prompt.options:
        return ReplyKeyboardRemove()
    labels = [button_label(prompt, number) for number in range(len(prompt.options))]
    # Yes and No side by side; longer answers one to a row, so each is a wide target.
    rows = [labels] if prompt.answer_type == "yes_no" else [[label] for label in labels]
    return ReplyKeyboardMarkup(
        [[KeyboardButton(label) for label in row] for row in rows],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def button_label(prompt: Prompt, index: int) -> str:
    """What a button shows, and so what a tap sends back: a scale keeps its number beside the words."""
    option = prompt.options[index]
    if prompt.answer_type == "scale" and option.label != option.key:
        return f"{option.key} - {option.label}"
    return option.label


def render(
    prompt: Prompt,
    *,
    closing: bool = False,
    picture: Path | None = None,
    voice: Path | None = None,
) -> list[BotCall]:
    """One prompt as Bot API calls.

    ``picture`` (a PNG or JPG; Telegram photos can't be SVG) is sent with the
    words as its caption; ``voice`` (the prompt read aloud) follows them.
    ``closing`` marks the last prompt of a turn that asks nothing, which takes
    any old keyboard away.
    """
    markup = keyboard(prompt) or (ReplyKeyboardRemove() if closing else None)
    text = prompt.text[:MAX_TEXT]
    extra = {"reply_markup": markup} if markup is not None else {}
    calls: list[BotCall] = []
    if not text.strip() and picture is None:
        return [BotCall("send_voice", {}, voice)] if voice is not None else []
    if picture is not None and len(text) <= MAX_CAPTION:
        calls.append(BotCall("send_photo", {"caption": text, **extra}, picture))
    else:
        if picture is not None:
            calls.append(BotCall("send_photo", {}, picture))
        calls.append(BotCall("send_message", {"text": text, **extra}))
    if voice is not None:
        calls.append(BotCall("send_voice", {}, voice))
    return calls
