"""The sandbox phone: a whole conversation in the browser, through the real signed webhook."""

from __future__ import annotations

import re
from html import unescape

from flask import Flask
from sms_support import make_participant, outbound, stored
from sqlalchemy import select

from app.models import Conversation, Message, Response
from app.services.invitations import invite_review
from app.services.runtime import Runtime


def _sandbox(app: Flask, on: bool = True) -> Flask:
    # No Twilio: the sandbox signs with its own token, and the webhook checks it.
    app.config.update(HEARD_SANDBOX=on, TWILIO_AUTH_TOKEN=None, HEARD_SANDBOX_TOKEN="sandbox-test-token")
    return app


def _texts(html: str) -> list[str]:
    items = re.findall(r'<li class="msg msg-(?:in|out)".*?<p class="msg-text">(.*?)</p>', html, re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", item)).split()) for item in items]


def test_the_sandbox_is_not_there_unless_switched_on(sms_app: Flask, srt: Runtime) -> None:
    participant = make_participant(srt)
    client = _sandbox(sms_app, on=False).test_client()
    assert client.get("/sandbox/").status_code == 404
    assert client.get(f"/sandbox/{participant.id}").status_code == 404
    assert client.post(f"/sandbox/{participant.id}/reply", data={"body": "hi"}).status_code == 404
    assert stored(srt, Message) == []


def test_a_whole_conversation_on_the_sandbox_phone(sms_app: Flask, srt: Runtime) -> None:
    participant = make_participant(srt, variant="easy_read")
    make_participant(srt, review_id=participant.review_id, audit_ref="B9", channel="web", phone=None,
                     first_name="Webby")  # fmt: skip
    client = _sandbox(sms_app).test_client()

    listing = client.get("/sandbox/").get_data(as_text=True)
    assert "Priya" in listing and "+44 7*** ***123" in listing and "Webby" not in listing

    # The invitation lands in the outbox, and shows on the phone.
    page = client.post("/sandbox/invite", data={"review_id": participant.review_id,
                                                 "participant_id": participant.id},
                       follow_redirects=True)  # fmt: skip
    assert page.status_code == 200
    [invitation] = outbound(srt)
    assert invitation.body in " ".join(_texts(page.get_data(as_text=True)))
    assert 'for="body"' in page.get_data(as_text=True)  # the reply box has its label

    sent: list[str] = []
    for _ in range(40):
        answer = MESSY[_waiting_answer_type(srt)] if sent else "yes please"
        page = client.post(f"/sandbox/{participant.id}/reply", data={"body": answer}, follow_redirects=True)
        assert page.status_code == 200
        sent.append(answer)
        with srt.db.reading() as session:
            if session.scalars(select(Conversation)).one().status != "active":
                break
    with srt.db.reading() as session:
        assert session.scalars(select(Conversation)).one().status == "completed"
    html = page.get_data(as_text=True)
    texts = _texts(html)
    assert [t.removeprefix("You texted:").strip() for t in texts if t.startswith("You texted:")] == sent
    inbound = stored(srt, Message, direction="in")
    # Each reply went through the real webhook: stored with a Twilio-style MessageSid.
    assert len(inbound) == len(sent) and all(m.provider_id.startswith("SM") for m in inbound)
    assert all(m.participant_id == participant.id for m in inbound)
    answers = stored(srt, Response)
    assert len(answers) == len(sent) - 1  # the first text started the conversation
    assert {r.audit_record_id for r in answers} == {participant.audit_record_id}
    # A turn's prompts arrive as one text, as the TwiML sends them: the welcome and the first question.
    opening = texts[texts.index("You texted: yes please") + 1]
    welcome, question = stored(srt, Message, direction="out")[1:3]
    assert welcome.reply_to_id == question.reply_to_id
    assert " ".join(welcome.body.split()) in opening
    assert " ".join(question.body.split()) in opening
    # What Heard replied last is on the phone screen.
    assert texts[-1].startswith("Heard texted:")
    assert " ".join(stored(srt, Message, direction="out")[-1].body.split()) in texts[-1]


MESSY = {"yes_no": "yeah", "scale": "very well", "choice": "1", "free_text": "Faster replies please",
         "number": "2"}  # fmt: skip


def _waiting_answer_type(rt: Runtime) -> str:
    with rt.db.reading() as session:
        rows = session.scalars(select(Message).where(Message.direction == "out").order_by(Message.id.desc()))
        return next(
            r.payload["answer_type"] for r in rows if r.payload and r.payload["kind"] in ("ask", "reask")
        )


def test_an_empty_reply_is_asked_for_kindly_and_stores_nothing(sms_app: Flask, srt: Runtime) -> None:
    participant = make_participant(srt)
    client = _sandbox(sms_app).test_client()
    page = client.post(f"/sandbox/{participant.id}/reply", data={"body": "  "}, follow_redirects=True)
    assert page.status_code == 200 and "Type a text before sending" in page.get_data(as_text=True)
    assert stored(srt, Message) == []


def test_the_sandbox_signature_is_really_checked(sms_app: Flask, srt: Runtime) -> None:
    """If the webhook's token differs from the one the sandbox signs with, its texts are refused."""
    participant = make_participant(srt)
    client = _sandbox(sms_app).test_client()
    invite_review(srt, participant.review_id)
    import app.web.sandbox as sandbox

    original = sandbox.signing_token
    sandbox.signing_token = lambda config: "some-other-token"  # the sandbox signs wrongly
    try:
        page = client.post(f"/sandbox/{participant.id}/reply", data={"body": "yes"}, follow_redirects=True)
    finally:
        sandbox.signing_token = original
    assert "webhook refused" in page.get_data(as_text=True)
    assert stored(srt, Message, direction="in") == []
