"""Long polling: getUpdates on the fake, handled by the same function as the webhook."""

from __future__ import annotations

from fake_bot_api import FakeBotApi, text_update
from sqlalchemy import func, select
from tg_support import make_participant

from app.models import Message, Response
from app.services.runtime import Runtime
from app.services.telegram_bot import bot_runner
from app.services.telegram_outbound import TelegramTransport
from app.services.telegram_updates import poll, set_webhook

CHAT = 777888999


def test_polling_handles_updates_in_order_and_confirms_them(rt: Runtime, telegram: FakeBotApi) -> None:
    _, token = make_participant(rt)
    telegram.updates = [
        text_update(CHAT, f"/start {token}", update_id=50),
        text_update(CHAT, "Yes", update_id=51),
    ]

    polls = iter(range(2))
    assert poll(rt, timeout=0, stopping=lambda: next(polls, None) is None) == 2
    assert telegram.called("deleteWebhook"), "getUpdates is refused while a webhook is set"
    # The second getUpdates confirmed both (offset 52), so Telegram won't send them again.
    assert [c.params.get("offset") for c in telegram.called("getUpdates")] == [None, 52]
    with rt.db.reading() as session:
        assert session.scalars(select(Response.value)).all() == ["yes"]
        ids = session.scalars(
            select(Message.provider_id).where(Message.direction == "in").order_by(Message.id)
        )
        assert list(ids) == ["50", "51"]
    assert len(telegram.sent(CHAT)) >= 3
    assert poll(rt, timeout=0, once=True) == 0


def test_an_update_whose_replies_failed_is_polled_again_and_answered_once(
    rt: Runtime, telegram: FakeBotApi
) -> None:
    _, token = make_participant(rt)
    telegram.updates = [text_update(CHAT, f"/start {token}", update_id=60)]
    telegram.fail_next("sendMessage")
    assert poll(rt, timeout=0, once=True, retry_after=0) == 0
    assert telegram.sent(CHAT) == []

    assert poll(rt, timeout=0, once=True) == 1
    texts = [call.words for call in telegram.sent(CHAT)]
    assert len(texts) >= 2 and len(texts) == len(set(texts))
    with rt.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in")) == 1


def test_set_webhook_registers_the_secret_and_one_connection(rt: Runtime, telegram: FakeBotApi) -> None:
    url = set_webhook(rt)
    call = telegram.called("setWebhook")[-1]
    assert url == "http://localhost/webhooks/telegram" == call.params["url"]
    assert call.params["secret_token"] == rt.config["TELEGRAM_WEBHOOK_SECRET"]
    assert call.params["max_connections"] == 1


def test_the_outbound_transport_sends_words_and_reports_a_block(rt: Runtime, telegram: FakeBotApi) -> None:
    runner = bot_runner(rt.config)
    assert runner is not None
    transport = TelegramTransport(runner)
    assert transport.deliver(str(CHAT), "You said, we did.").status == "sent"
    assert telegram.sent(CHAT)[-1].words == "You said, we did."
    telegram.fail_next("sendMessage", status=403, description="Forbidden: bot was blocked by the user")
    failed = transport.deliver(str(CHAT), "Again")
    assert (failed.status, failed.error_code) == ("failed", "Forbidden")
