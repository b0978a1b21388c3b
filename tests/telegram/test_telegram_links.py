"""Deep links: one chat, once, before they expire; /start without one reveals nothing."""

from __future__ import annotations

import json
from datetime import timedelta

from fake_bot_api import FakeBotApi, text_update
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from tg_support import make_participant, post_update

from app.cli import main
from app.models import Message, Participant, TelegramLink
from app.services.runtime import Runtime
from app.services.telegram_links import issue_link, redeem

FIRST, SECOND = 111222333, 444555666


def _bound_chat(rt: Runtime, participant_id: int) -> str | None:
    with rt.db.reading() as session:
        return rt.crypto.decrypt(session.get_one(Participant, participant_id).telegram_encrypted)


def test_a_used_token_cannot_link_a_second_chat(
    client: FlaskClient, rt: Runtime, telegram: FakeBotApi
) -> None:
    participant, token = make_participant(rt)
    assert post_update(client, text_update(FIRST, f"/start {token}")) == 200
    assert _bound_chat(rt, participant.id) == str(FIRST)

    assert post_update(client, text_update(SECOND, f"/start {token}")) == 200
    assert _bound_chat(rt, participant.id) == str(FIRST)
    to_second = [call.words or "" for call in telegram.sent(SECOND)]
    assert len(to_second) == 1
    assert "Priya" not in to_second[0] and "Northshire" not in to_second[0]
    with rt.db.reading() as session:
        second = session.scalars(select(Message).where(Message.direction == "in").order_by(Message.id)).all()[
            -1
        ]
        assert second.participant_id is None and second.body == "/start"


def test_an_expired_token_links_nothing(client: FlaskClient, rt: Runtime, telegram: FakeBotApi) -> None:
    participant, token = make_participant(rt)
    issued = rt.clock()
    rt.clock = lambda: issued + timedelta(days=rt.config["TELEGRAM_LINK_DAYS"], minutes=1)
    assert post_update(client, text_update(FIRST, f"/start {token}")) == 200
    assert _bound_chat(rt, participant.id) is None
    assert len(telegram.sent(FIRST)) == 1


def test_start_with_junk_or_nothing_gets_a_polite_reply_that_reveals_nothing(
    client: FlaskClient, rt: Runtime, telegram: FakeBotApi
) -> None:
    participant, token = make_participant(rt)
    junk = [
        "/start",
        "/start nonsense",
        f"/start {token[:-1]}",
        f"/start {participant.id}",
        "/start ' OR 1=1 --",
    ]
    for number, text in enumerate(junk):
        assert post_update(client, text_update(FIRST, text, update_id=6000 + number)) == 200
    replies = [call.words or "" for call in telegram.sent(FIRST)]
    assert len(replies) == len(junk) and len(set(replies)) == 1
    for word in ("Priya", "Northshire", "Strengths", "A7"):
        assert word not in replies[0]
    assert "sorry" in replies[0].lower()
    assert _bound_chat(rt, participant.id) is None
    with rt.db.reading() as session:
        bodies = session.scalars(select(Message.body).where(Message.direction == "in")).all()
    assert set(bodies) == {"/start"}, "a /start's token is never stored"


def test_a_linked_chat_pressing_start_again_sees_its_question_not_a_new_conversation(
    client: FlaskClient, rt: Runtime, telegram: FakeBotApi
) -> None:
    _, token = make_participant(rt)
    assert post_update(client, text_update(FIRST, f"/start {token}")) == 200
    question = telegram.sent(FIRST)[-1]
    assert post_update(client, text_update(FIRST, "/start")) == 200
    again = telegram.sent(FIRST)[-1]
    assert again.words == question.words and again.reply_markup == question.reply_markup


def test_tokens_are_stored_hashed_and_a_new_link_retires_the_old(rt: Runtime) -> None:
    participant, first = make_participant(rt)
    with rt.db.writing() as session:
        second = issue_link(session, participant.id, rt.clock(), 28)
    with rt.db.reading() as session:
        hashes = session.scalars(select(TelegramLink.token_hash)).all()
    assert first not in hashes and second not in hashes and len(hashes) == 2
    assert str(participant.id) != first and len(first) >= 32
    with rt.db.writing() as session:
        assert redeem(session, rt.crypto, first, str(FIRST), rt.clock()) is None
        assert redeem(session, rt.crypto, second, str(FIRST), rt.clock()) == participant.id


def test_participant_add_for_telegram_prints_a_deep_link(app: Flask, rt: Runtime) -> None:
    app.config["TELEGRAM_BOT_USERNAME"] = "NorthshireHeardBot"
    runner = app.test_cli_runner()
    review = json.loads(
        runner.invoke(
            main, ["review", "create", "--council", "Northshire", "--theme", "Listening", "--json"]
        ).output
    )
    args = ["participant", "add", "--review", str(review["id"]), "--audit-ref", "B3", "--name", "Ola"]
    result = runner.invoke(main, [*args, "--channel", "telegram", "--json"])
    assert result.exit_code == 0, result.output
    added = json.loads(result.output)
    link = added["telegram_link"]
    assert link.startswith("https://t.me/NorthshireHeardBot?start=")
    with rt.db.writing() as session:
        token = link.split("start=", 1)[1]
        assert redeem(session, rt.crypto, token, str(FIRST), rt.clock()) == added["id"]

    web = json.loads(runner.invoke(main, [*args, "--audit-ref", "B4", "--json"]).output)
    assert "telegram_link" not in web
