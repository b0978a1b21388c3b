"""Sending stored Telegram messages: the Bot API with a token, the local outbox without.

Replies are stored by run_turn first (status ``reply``), then sent here,
oldest first. Each is claimed before sending and marked ``sent`` after, so a
redelivered update finds nothing left to send, and a Bot API outage leaves
the rest queued for Telegram's retry (or the poller's) to send.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError

from app.channels import telegram as channel
from app.engine import Prompt
from app.models import Message, Participant
from app.services.runtime import Runtime
from app.services.telegram_bot import BotRunner, bot_runner
from app.services.transport import Delivery, OutboxTransport, Transport

_FILE_ARGUMENT = {"send_photo": "photo", "send_voice": "voice"}


class DeliveryDelayed(Exception):
    """The Bot API could not be reached; what was not sent stays queued."""


@dataclass(frozen=True)
class _Claimed:
    message_id: int
    prompt: Prompt
    easy_read: bool
    language: str
    wants_audio: bool


def deliver_pending(
    rt: Runtime, chat_id: str, *, participant_id: int | None, reply_to_id: int | None = None
) -> int:
    """Send every unsent Telegram message for this participant (or this reply) to ``chat_id``."""
    try:
        runner = bot_runner(rt.config)
    except (TelegramError, TimeoutError) as error:  # getMe failed: nothing claimed yet
        raise DeliveryDelayed(str(error)) from error
    claimed = _claim(rt, participant_id, reply_to_id)
    asks = any(item.prompt.kind in ("ask", "reask") for item in claimed)
    for index, item in enumerate(claimed):
        if runner is None:
            _finish(rt, item.message_id, "outbox", transport="outbox")
            continue
        calls = channel.render(
            item.prompt,
            closing=not asks and index == len(claimed) - 1,
            picture=picture_file(rt, item.prompt.picture) if item.easy_read else None,
            voice=voice_file(rt, item.prompt.text, item.language) if item.wants_audio else None,
        )
        try:
            for call in calls:
                runner.call(_execute(runner.bot, chat_id, call))
        except (Forbidden, BadRequest, InvalidToken) as error:
            # They blocked the bot, or the chat is gone: trying again won't help.
            _finish(rt, item.message_id, "failed", transport="telegram", error=error)
        except (TelegramError, TimeoutError) as error:
            _release(rt, [later.message_id for later in claimed[index:]])
            raise DeliveryDelayed(str(error)) from error
        else:
            _finish(rt, item.message_id, "sent", transport="telegram")
    return len(claimed)


class TelegramTransport:
    """The outbound :class:`~app.services.transport.Transport` for a Telegram chat: words only.

    For messages sent on our own initiative (feedback, reminders) through
    app.services.outbound.send; replies to a person's message go by
    :func:`deliver_pending`, with their keyboards and pictures.
    """

    name = "telegram"

    def __init__(self, runner: BotRunner) -> None:
        self.runner = runner

    def deliver(self, to: str, body: str) -> Delivery:
        try:
            self.runner.call(self.runner.bot.send_message(chat_id=to, text=body[: channel.MAX_TEXT]))
        except (Forbidden, BadRequest, InvalidToken) as error:
            return Delivery("failed", error_code=type(error).__name__[:20], error_message=str(error)[:500])
        except (TelegramError, TimeoutError) as error:
            return Delivery("failed", error_code="network", error_message=str(error)[:500])
        # No provider id: Telegram's message ids are only unique within one chat.
        return Delivery("sent")


def telegram_transport_for(config: Mapping[str, Any]) -> Transport:
    runner = bot_runner(config)
    return TelegramTransport(runner) if runner is not None else OutboxTransport()


def _claim(rt: Runtime, participant_id: int | None, reply_to_id: int | None) -> list[_Claimed]:
    mine = []
    if participant_id is not None:
        mine.append(Message.participant_id == participant_id)
    if reply_to_id is not None:
        mine.append(Message.reply_to_id == reply_to_id)
    if not mine:
        return []
    with rt.db.writing() as session:
        rows = session.scalars(
            select(Message)
            .where(
                Message.direction == "out",
                Message.channel == "telegram",
                Message.status == "reply",
                or_(*mine),
            )
            .order_by(Message.id)
            .with_for_update()
        ).all()
        participant = session.get(Participant, participant_id) if participant_id is not None else None
        claimed = []
        for row in rows:
            row.status = "sending"
            claimed.append(
                _Claimed(
                    message_id=row.id,
                    prompt=Prompt.from_dict(row.payload or {"node": "", "text": row.body or ""}),
                    easy_read=participant is not None and participant.variant == "easy_read",
                    language=participant.language if participant else "en",
                    wants_audio=participant is not None and "audio" in participant.communication_needs,
                )
            )
        return claimed


def _finish(
    rt: Runtime, message_id: int, status: str, transport: str, error: TelegramError | None = None
) -> None:
    with rt.db.writing() as session:
        row = session.get_one(Message, message_id)
        row.status = status
        row.transport = transport
        row.status_at = rt.clock()
        if error is not None:
            row.error_code = type(error).__name__[:20]
            row.error_message = str(error)[:500]


def _release(rt: Runtime, message_ids: list[int]) -> None:
    with rt.db.writing() as session:
        for message_id in message_ids:
            session.get_one(Message, message_id).status = "reply"


async def _execute(bot: Bot, chat_id: str, call: channel.BotCall) -> None:
    kwargs = dict(call.kwargs)
    if call.file is not None:
        kwargs[_FILE_ARGUMENT[call.method]] = InputFile(call.file.read_bytes(), filename=call.file.name)
    await getattr(bot, call.method)(chat_id=chat_id, **kwargs)


def picture_file(rt: Runtime, name: str | None) -> Path | None:
    """The easy-read picture as a PNG (Telegram photos can't be SVG); None if none was made.

    scripts/easy-read-png renders content/easy_read/*.svg into content/easy_read/png/.
    Without it the words go on their own, as they do by SMS.
    """
    if not name:
        return None
    path = Path(rt.config["CONTENT_DIR"]) / "easy_read" / "png" / f"{Path(name).stem}.png"
    return path if path.is_file() else None


def voice_file(rt: Runtime, text: str, language: str) -> Path | None:
    """The prompt read aloud, if the audio cache (AUDIO_CACHE_DIR) holds it; nothing is made here."""
    from app.services.audio import audio_path  # the one audio cache (issue 4)

    return audio_path(rt.config, text, language)
