"""End to end: a review with people on SMS, a call, Telegram, the web and post; two actions;
drafted, approved and sent by the CLI. The provider fakes see exactly one message per person who
asked to hear back, in their channel, wording and language, and nothing for anyone else."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import responses
from fake_bot_api import FakeBotApi
from feedback_support import TELEGRAM_CHAT, build_world, outbound
from flask import Flask
from sms_support import ACCOUNT_SID, FROM, MESSAGES_API, twilio_message

from app.cli import main
from app.engine.easy_read import long_sentences
from app.engine.segments import count_segments
from app.models import FeedbackMessage
from app.services.runtime import Runtime

CALLS_API = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"
CALL_SID = "CA" + "7" * 32


def _form(call: responses.Call) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(call.request.body).items()}


def _cli(app: Flask, *args: str) -> dict:
    result = app.test_cli_runner().invoke(main, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@responses.activate
def test_each_person_who_asked_hears_once_in_their_own_channel_and_no_one_else_does(
    feedback_app: Flask, frt: Runtime, bot_api: FakeBotApi
) -> None:
    responses.post(MESSAGES_API, json=twilio_message("SM" + "1" * 32, to="+447700900101"), status=201)
    call = {
        "sid": CALL_SID,
        "account_sid": ACCOUNT_SID,
        "to": "+447700900102",
        "from": FROM,
        "status": "queued",
    }
    responses.post(CALLS_API, json=call, status=201)
    world = build_world(frt)
    review = str(world.review_id)

    drafted = {
        line["participant_id"]: line
        for line in _cli(feedback_app, "feedback", "draft", "--review", review)["participants"]
    }
    eligible = {world.people[n] for n in ("Priya", "Margaret", "Tom", "Sam", "Gareth")}
    assert {pid for pid, line in drafted.items() if line["status"] == "drafted"} == eligible
    assert all(drafted[pid]["errors"] == 0 for pid in eligible)
    assert drafted[world.people["Wyn"]]["reason"] == "withdrawn from the review"
    assert drafted[world.people["Olu"]]["reason"] == "opted out (STOP)"
    assert drafted[world.people["Dora"]]["reason"] == "not to be contacted (deceased)"
    assert drafted[world.people["Nia"]]["reason"] == "said no to hearing what changed"

    # Nothing leaves before approval.
    sent_before = _cli(feedback_app, "feedback", "send", "--review", review)
    assert not responses.calls and not bot_api.sent() and not outbound(frt)
    assert {line["status"] for line in sent_before["participants"] if line["participant_id"] in eligible} == {
        "draft"
    }

    approved = feedback_app.test_cli_runner().invoke(main, ["feedback", "approve", "--review", review])
    assert "5 approved" in approved.output
    sent = _cli(feedback_app, "feedback", "send", "--review", review)
    assert sent["sending"] == "in-process"
    lines = {line["participant_id"]: line for line in sent["participants"]}
    assert {
        lines[world.people[n]]["channel"]: lines[world.people[n]]["status"]
        for n in ("Priya", "Margaret", "Tom", "Sam", "Gareth")
    } == {
        "sms": "sent",
        "voice": "sent",
        "telegram": "sent",
        "web": "sent",
        "post": "to_post",
    }
    for name, reason in (
        ("Wyn", "withdrawn"),
        ("Olu", "opted out"),
        ("Dora", "deceased"),
        ("Nia", "said no"),
    ):
        assert (
            lines[world.people[name]]["status"] == "not_sent"
            and reason in lines[world.people[name]]["reason"]
        )

    # SMS: one text, to Priya, easy read, English, two segments at most, with the link to her page.
    texts = [c for c in responses.calls if c.request.url == MESSAGES_API]
    assert len(texts) == 1
    text = _form(texts[0])
    assert text["To"] == "+447700900101"
    assert text["Body"].startswith("Hello Priya. Northshire Council listened to what you told us.")
    assert "You said: People waited too long for a call back." in text["Body"]
    assert count_segments(text["Body"]).segments <= 2 and not long_sentences(text["Body"])
    with frt.db.reading() as session:
        rows = {r.participant_id: r for r in session.query(FeedbackMessage).all()}
    assert f"http://localhost/f/{rows[world.people['Priya']].token}" in text["Body"]

    # A call to Margaret, through the calls API with the voice webhook; her words are stored for it.
    calls = [c for c in responses.calls if c.request.url == CALLS_API]
    assert len(calls) == 1 and _form(calls[0])["To"] == "+447700900102"
    assert _form(calls[0])["Url"] == "http://localhost/webhooks/twilio/voice"
    margaret = rows[world.people["Margaret"]]
    assert margaret.body.startswith("Hello Margaret. This is Heard.")
    assert "We are doing: Every assessment will start with what matters to you." in margaret.body

    # Telegram: one message to Tom's chat, in Welsh, standard wording.
    [telegram] = bot_api.sent()
    assert telegram.chat_id == TELEGRAM_CHAT
    assert telegram.words.startswith("Helo Tom. Mae Northshire Council wedi gweithredu")
    assert "Roedd pobl yn aros yn rhy hir am alwad yn ôl." in telegram.words
    assert "Atebwch IE neu NA" in telegram.words

    # The web page (Sam: Welsh easy read, headline action) and the letter (Gareth: English easy read).
    sam = rows[world.people["Sam"]]
    assert (sam.channel, sam.language, sam.variant, sam.basis) == ("web", "cy", "easy_read", "headline")
    assert any("Byddwn ni'n gofyn beth sy'n bwysig i chi yn gyntaf" in b["text"] for b in sam.blocks)
    gareth = rows[world.people["Gareth"]]
    assert (gareth.channel, gareth.variant, gareth.status) == ("post", "easy_read", "to_post")

    # Exactly one outbound record per eligible person, in their channel; none for anyone else.
    by_person = {pid: [m.channel for m in outbound(frt, pid)] for pid in world.people.values()}
    assert by_person == {
        world.people["Priya"]: ["sms"],
        world.people["Margaret"]: ["voice"],
        world.people["Tom"]: ["telegram"],
        world.people["Sam"]: ["web"],
        world.people["Gareth"]: ["post"],
        world.people["Wyn"]: [],
        world.people["Olu"]: [],
        world.people["Dora"]: [],
        world.people["Nia"]: [],
    }

    # Sending again sends nothing again.
    again = feedback_app.test_cli_runner().invoke(main, ["feedback", "approve", "--review", review])
    assert "0 approved" in again.output
    _cli(feedback_app, "feedback", "send", "--review", review)
    redraft = _cli(feedback_app, "feedback", "draft", "--review", review)
    assert {line["status"] for line in redraft["participants"] if line["participant_id"] in eligible} == {
        "sent",
        "to_post",
    }
    _cli(feedback_app, "feedback", "send", "--review", review)
    assert len(responses.calls) == 2 and len(bot_api.sent()) == 1
    assert sum(len(v) for v in ({pid: outbound(frt, pid) for pid in eligible}).values()) == 5
