"""Telegram updates in, by webhook or long polling: both call :func:`handle_update`.

``update_id`` is the message's provider id, so a redelivered update is
recognised by equality (run_turn) and finds nothing left to send. Updates
are handled one at a time in order: the poller does so itself, and the
webhook is registered with ``max_connections=1``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from app.channels import telegram as channel
from app.services.participants import find_participant
from app.services.runtime import Runtime
from app.services.telegram_bot import BotRunner, bot_runner
from app.services.telegram_links import redeem
from app.services.telegram_outbound import DeliveryDelayed, deliver_pending
from app.services.turns import run_turn

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
WEBHOOK_PATH = "/webhooks/telegram"


def handle_update(rt: Runtime, data: Mapping[str, Any]) -> None:
    """Store and answer one Update; raises DeliveryDelayed when the replies couldn't go yet."""
    # Parsed without the bot: what they said is stored even if the Bot API is unreachable.
    update = channel.parse_update(data)
    runner = bot_runner(rt.config) if update.callback_query_id else None
    if update.callback_query_id and runner:
        # We send no inline buttons, but an unanswered callback leaves a spinner on their screen.
        runner.call(runner.bot.answer_callback_query(update.callback_query_id))
    if update.chat_id is None:
        return
    text = _start(rt, update) if update.start else update.text
    result = run_turn(rt, update.inbound(text))
    deliver_pending(rt, update.chat_id, participant_id=result.participant_id, reply_to_id=result.inbound_id)


def _start(rt: Runtime, update: channel.TelegramInput) -> str:
    """What /start means: link the chat if the token allows, then show where the conversation is.

    For a linked chat it becomes REPEAT, which starts the conversation or asks
    the waiting question again; an unknown chat gets the polite reply that
    reveals nothing. The token itself is never stored.
    """
    assert update.chat_id is not None
    if update.start_token:
        with rt.db.writing() as session:
            redeem(session, rt.crypto, update.start_token, update.chat_id, rt.clock())
    with rt.db.reading() as session:
        known = find_participant(session, rt.crypto, "telegram", update.chat_id) is not None
    return "REPEAT" if known else "/start"


def _require_bot(rt: Runtime) -> BotRunner:
    runner = bot_runner(rt.config)
    if runner is None:
        raise RuntimeError("TELEGRAM_BOT_TOKEN is not set: there is no bot to talk to.")
    return runner


def poll(
    rt: Runtime,
    *,
    timeout: int = 30,
    once: bool = False,
    retry_after: float = 5.0,
    stopping: Callable[[], bool] = lambda: False,
) -> int:
    """Long-poll getUpdates and handle each update in order; returns how many were handled.

    An update is confirmed (the next offset) only once handled, so after a
    crash or a Bot API outage it comes again and its unsent replies go then.
    """
    runner = _require_bot(rt)
    runner.call(runner.bot.delete_webhook())  # Telegram refuses getUpdates while a webhook is set
    offset: int | None = None
    handled = 0
    while not stopping():
        updates = runner.call(
            runner.bot.get_updates(offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES)
        )
        for update in updates:
            try:
                handle_update(rt, update.to_dict())
            except DeliveryDelayed as error:
                log.warning("Telegram replies delayed (%s); trying update %s again", error, update.update_id)
                time.sleep(retry_after)
                break
            offset = update.update_id + 1
            handled += 1
        if once:
            break
    return handled


def set_webhook(rt: Runtime, url: str | None = None) -> str:
    """Register this app's webhook, with the secret Telegram must send back."""
    secret = rt.config.get("TELEGRAM_WEBHOOK_SECRET")
    if not secret:
        raise RuntimeError("TELEGRAM_WEBHOOK_SECRET is not set: the webhook would accept anyone.")
    url = url or f"{rt.config['PUBLIC_BASE_URL']}{WEBHOOK_PATH}"
    runner = _require_bot(rt)
    runner.call(
        runner.bot.set_webhook(
            url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES, max_connections=1
        )
    )
    return url
