"""The webhook, end to end: python-telegram-bot against the fake Bot API, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from fake_bot_api import Call, FakeBotApi, callback_update, text_update
from flask.testing import FlaskClient
from sqlalchemy import func, select
from tg_support import make_participant, post_update

from app.models import AuditRecord, Conversation, Message, Participant, Response
from app.services.runtime import Runtime

CHAT = 555000111


def _count(rt: Runtime, model: type, *where: Any) -> int:
    with rt.db.reading() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _buttons(call: Call) -> list[str]:
    markup = call.reply_markup or {}
    return [button["text"] for row in markup.get("keyboard", []) for button in row]


def test_a_whole_conversation_by_webhook_with_keyboards(
    client: FlaskClient, rt: Runtime, telegram: FakeBotApi
) -> None:
    participant, token = make_participant(rt)
    assert post_update(client, text_update(CHAT, f"/start {token}")) == 200

    keyboards: dict[str, list[str]] = {}
    pressed: dict[str, str] = {}
    for _ in range(40):
        question = telegram.sent(CHAT)[-1]
        markup = question.reply_markup
        assert markup is not None, f"the last message asks nothing: {question.words!r}"
        if markup.get("remove_keyboard"):
            reply = "My social worker really listened to me."
        else:
            assert markup["resize_keyboard"] is True and markup["one_time_keyboard"] is True
            buttons = _buttons(question)
            # Yes/No: press Yes; a scale: "4 - ..."; a choice: the second answer.
            if buttons[0].startswith("1 - "):
                reply = buttons[3]
            else:
                reply = buttons[0] if len(buttons) == 2 else buttons[1]
            keyboards[question.words or ""] = buttons
        before = len(telegram.sent(CHAT))
        assert post_update(client, text_update(CHAT, reply)) == 200
        assert len(telegram.sent(CHAT)) > before, "every answer gets a reply"
        pressed[reply] = question.words or ""
        if _count(rt, Conversation, Conversation.status == "completed"):
            break
    else:
        raise AssertionError("the conversation did not finish")

    assert all(call.chat_id == str(CHAT) for call in telegram.sent())
    assert ["Yes", "No"] in keyboards.values()
    scales = [b for b in keyboards.values() if b[0].startswith("1 - ")]
    assert len(scales) >= 3 and all(len(b) == 5 and b[4].startswith("5 - ") for b in scales)
    assert len(telegram.called("getMe")) == 1, "the bot is initialised once, not per update"
    # The last message takes the keyboard away.
    assert telegram.sent(CHAT)[-1].reply_markup == {"remove_keyboard": True}

    with rt.db.reading() as session:
        responses = session.scalars(select(Response).order_by(Response.id)).all()
        record = session.get_one(AuditRecord, responses[0].audit_record_id)
        assert record.audit_ref == "A7"
        assert {r.participant_id for r in responses} == {participant.id}
        values = {r.node: r.value for r in responses}
        assert values["consent"] == "yes"
        assert values["listened"] == "4"
        assert values["waiting"] == "a_few_weeks"
        assert "My social worker really listened to me." in values.values()
        assert not any(r.skipped for r in responses)
        # The chat id is kept encrypted, never in the clear.
        stored = session.get_one(Participant, participant.id)
        assert str(CHAT) not in (stored.telegram_encrypted or "")
        assert rt.crypto.decrypt(stored.telegram_encrypted) == str(CHAT)
        assert session.scalar(select(func.count()).select_from(Message).where(Message.status == "reply")) == 0


def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_stored(
    client: FlaskClient, rt: Runtime, telegram: FakeBotApi
) -> None:
    _, token = make_participant(rt)
    assert post_update(client, text_update(CHAT, f"/start {token}"), secret=None) == 403
    assert post_update(client, text_update(CHAT, f"/start {token}"), secret="not-the-secret") == 403
    assert post_update(client, text_update(CHAT, "yes"), secret="") == 403
    assert _count(rt, Message) == 0
    assert telegram.sent() == []
    with rt.db.reading() as session:
        assert session.scalars(select(Participant.telegram_lookup)).all() == [None]


def test_no_secret_configured_refuses_every_update(
    app: Any, client: FlaskClient, rt: Runtime, telegram: FakeBotApi
) -> None:
    app.config["TELEGRAM_WEBHOOK_SECRET"] = None
    assert post_update(client, text_update(CHAT, "hello"), secret="") == 403
    assert _count(rt, Message) == 0


def test_a_redelivered_update_stores_nothing_new_and_sends_no_second_reply(
    client: FlaskClient, rt: Runtime, telegram: FakeBotApi
) -> None:
    _, token = make_participant(rt)
    assert post_update(client, text_update(CHAT, f"/start {token}", update_id=7001)) == 200
    answer = text_update(CHAT, "Yes", update_id=7002)
    assert post_update(client, answer) == 200
    messages, responses, sent = _count(rt, Message), _count(rt, Response), len(telegram.sent())
    assert responses == 1

    assert post_update(client, answer) == 200
    assert post_update(client, text_update(CHAT, f"/start {token}", update_id=7001)) == 200
    assert (_count(rt, Message), _count(rt, Response), len(telegram.sent())) == (messages, responses, sent)
    with rt.db.reading() as session:
        ids = session.scalars(select(Message.provider_id).where(Message.direction == "in")).all()
    assert sorted(ids) == ["7001", "7002"]


def test_replies_the_bot_api_refused_are_sent_once_when_telegram_redelivers(
    client: FlaskClient, rt: Runtime, telegram: FakeBotApi
) -> None:
    _, token = make_participant(rt)
    start = text_update(CHAT, f"/start {token}", update_id=8001)
    telegram.fail_next("sendMessage")
    # Stored and answered, but not sent: 503 asks Telegram to deliver the update again.
    assert post_update(client, start) == 503
    assert _count(rt, Message, Message.direction == "in") == 1
    assert _count(rt, Message, Message.direction == "out", Message.status == "reply") >= 2
    assert telegram.sent() == []

    assert post_update(client, start) == 200
    texts = [call.words for call in telegram.sent(CHAT)]
    assert len(texts) == len(set(texts)) >= 2, "each reply once, in order"
    assert _count(rt, Message, Message.direction == "in") == 1
    assert post_update(client, start) == 200
    assert [call.words for call in telegram.sent(CHAT)] == texts


def test_a_blocked_bot_marks_the_reply_failed_without_retrying(
    client: FlaskClient, rt: Runtime, telegram: FakeBotApi
) -> None:
    _, token = make_participant(rt)
    telegram.fail_next(
        "sendMessage", times=5, status=403, description="Forbidden: bot was blocked by the user"
    )
    assert post_update(client, text_update(CHAT, f"/start {token}")) == 200
    with rt.db.reading() as session:
        out = session.scalars(select(Message).where(Message.direction == "out")).all()
    assert out and {m.status for m in out} == {"failed"}
    assert {m.error_code for m in out} == {"Forbidden"}


def test_a_callback_query_is_answered(client: FlaskClient, rt: Runtime, telegram: FakeBotApi) -> None:
    assert post_update(client, callback_update(CHAT, "yes", update_id=9001)) == 200
    answered = telegram.called("answerCallbackQuery")
    assert [call.params["callback_query_id"] for call in answered] == ["cb-9001"]
    assert _count(rt, Message) == 0


def test_a_group_chat_is_not_answered_or_stored(
    client: FlaskClient, rt: Runtime, telegram: FakeBotApi
) -> None:
    _, token = make_participant(rt)
    assert post_update(client, text_update(-100200, f"/start {token}", chat_type="group")) == 200
    assert _count(rt, Message) == 0
    assert telegram.sent() == []
    with rt.db.reading() as session:
        assert session.scalars(select(Participant.telegram_lookup)).all() == [None]


def test_without_a_bot_token_replies_wait_in_the_outbox(
    app: Any, client: FlaskClient, rt: Runtime, telegram: FakeBotApi
) -> None:
    app.config["TELEGRAM_BOT_TOKEN"] = None
    _, token = make_participant(rt)
    assert post_update(client, text_update(CHAT, f"/start {token}")) == 200
    assert telegram.calls == []
    with rt.db.reading() as session:
        out = session.scalars(select(Message).where(Message.direction == "out")).all()
    assert len(out) >= 2
    assert {(m.status, m.transport, m.channel) for m in out} == {("outbox", "outbox", "telegram")}


def test_an_unreachable_bot_api_still_stores_the_message_first(
    client: FlaskClient, rt: Runtime, telegram: FakeBotApi
) -> None:
    _, token = make_participant(rt)
    start = text_update(CHAT, f"/start {token}", update_id=8101)
    telegram.fail_next("getMe")
    assert post_update(client, start) == 503
    assert _count(rt, Message, Message.direction == "in") == 1
    assert telegram.sent() == []
    assert post_update(client, start) == 200
    assert len(telegram.sent(CHAT)) >= 2
