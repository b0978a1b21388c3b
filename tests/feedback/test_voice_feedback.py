"""A "you said, we did" by phone: the call is placed, and when it is answered the message is spoken,
with "press 1 to hear it again"; keys 2 and 3 answer "Was this helpful?"."""

from __future__ import annotations

from xml.etree import ElementTree

import responses
from feedback_support import build_world
from flask.testing import FlaskClient
from sms_support import ACCOUNT_SID, BASE_URL, FROM, sign
from sqlalchemy import select

from app.models import FeedbackMessage, FeedbackReply
from app.services.feedback.drafting import draft_review
from app.services.feedback.sending import approve, deliver_due, queue_approved
from app.services.runtime import Runtime

CALLS_API = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"
SID = "CA" + "5" * 32


def _post(client: FlaskClient, step: int, **fields: str) -> ElementTree.Element:
    path = "/webhooks/twilio/voice" + (f"/gather?step={step}" if step else "")
    form = {
        "CallSid": SID,
        "AccountSid": ACCOUNT_SID,
        "From": FROM,
        "To": "+447700900102",
        "Direction": "outbound-api",
        "CallStatus": "in-progress",
        **fields,
    }
    response = client.post(path, data=form, headers={"X-Twilio-Signature": sign(BASE_URL + path, form)})
    assert response.status_code == 200
    return ElementTree.fromstring(response.get_data(as_text=True))


def _said(root: ElementTree.Element) -> str:
    return " ".join((e.text or "") for e in root.iter("Say"))


def _margaret(rt: Runtime) -> FeedbackMessage:
    with rt.db.reading() as session:
        return session.scalars(select(FeedbackMessage).where(FeedbackMessage.channel == "voice")).one()


@responses.activate
def test_the_call_speaks_the_message_repeats_it_on_1_and_takes_an_answer_on_2(
    fclient: FlaskClient, frt: Runtime
) -> None:
    responses.post(CALLS_API, json={"sid": SID, "account_sid": ACCOUNT_SID, "status": "queued"}, status=201)
    responses.post(
        f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
        json={"sid": "SM" + "1" * 32, "status": "queued"},
        status=201,
    )
    world = build_world(frt)
    draft_review(frt, world.review_id)
    approve(frt, world.review_id, "test")
    queue_approved(frt, world.review_id)
    deliver_due(frt, world.review_id)
    assert _margaret(frt).status == "sent"

    answered = _post(fclient, 0)
    [gather] = answered.findall("Gather")
    assert gather.get("action") == "http://localhost/webhooks/twilio/voice/gather?step=1"
    assert "dtmf" in gather.get("input", "") and gather.get("language") == "en-GB" and gather.get("timeout")
    spoken = _said(gather)
    assert spoken.startswith("Hello Margaret. This is Heard.")
    assert "We are doing: Every assessment will start with what matters to you." in spoken
    assert spoken.endswith("Press 1 to hear it again. Press 2 if this was helpful. Press 3 if it was not.")
    assert _margaret(frt).status == "delivered"  # a person heard it

    again = _post(fclient, 1, Digits="1")
    assert _said(again.find("Gather")) == spoken  # the same words again
    done = _post(fclient, 2, Digits="2")
    assert done.find("Gather") is None and done.find("Hangup") is not None
    assert _said(done) == "Thank you. We have passed on what you said. Thank you. Goodbye."
    with frt.db.reading() as session:
        [reply] = session.scalars(select(FeedbackReply)).all()
        assert (reply.channel, reply.helpful, reply.participant_id) == (
            "voice",
            True,
            world.people["Margaret"],
        )
    # Twilio retrying a step gets the same TwiML and stores nothing new.
    assert _said(_post(fclient, 2, Digits="2")) == _said(done)
    with frt.db.reading() as session:
        assert len(session.scalars(select(FeedbackReply)).all()) == 1


@responses.activate
def test_a_voicemail_hears_only_that_there_is_news_and_a_number(fclient: FlaskClient, frt: Runtime) -> None:
    responses.post(CALLS_API, json={"sid": SID, "account_sid": ACCOUNT_SID, "status": "queued"}, status=201)
    responses.post(
        f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
        json={"sid": "SM" + "1" * 32, "status": "queued"},
        status=201,
    )
    world = build_world(frt)
    draft_review(frt, world.review_id)
    approve(frt, world.review_id, "test")
    queue_approved(frt, world.review_id)
    deliver_due(frt, world.review_id)
    machine = _post(fclient, 0, AnsweredBy="machine_end_beep")
    words = _said(machine)
    assert "news about a review" in words and "Margaret" not in words and "assessment" not in words
    assert machine.find("Gather") is None and _margaret(frt).status == "sent"
