"""Replies to "you said, we did": by text, Telegram and the web page; stored and shown beside the action."""

from __future__ import annotations

import pytest
from fake_bot_api import FakeBotApi, text_update
from feedback_support import TELEGRAM_CHAT, build_world
from flask import Flask
from flask.testing import FlaskClient
from sms_support import post_sms, reply_text
from sqlalchemy import select

from app.models import Concern, FeedbackMessage, FeedbackReply, Participant
from app.services.feedback.drafting import draft_review
from app.services.feedback.sending import approve, deliver_due, queue_approved
from app.services.runtime import Runtime
from tests.staff_support import add_user, sign_in

SECRET = "feedback-webhook-secret"


@pytest.fixture
def sent(frt: Runtime):  # type: ignore[no-untyped-def]
    frt.config["TWILIO_ACCOUNT_SID"] = None  # the outbox; the auth token still signs webhooks
    world = build_world(frt)
    draft_review(frt, world.review_id)
    approve(frt, world.review_id, "test")
    queue_approved(frt, world.review_id)
    deliver_due(frt, world.review_id)
    return world


def _replies(rt: Runtime) -> list[FeedbackReply]:
    with rt.db.reading() as session:
        return list(session.scalars(select(FeedbackReply).order_by(FeedbackReply.id)))


def test_a_text_back_is_a_reply_to_the_feedback_once_and_shown_beside_the_action(
    feedback_app: Flask, fclient: FlaskClient, frt: Runtime, sent
) -> None:  # type: ignore[no-untyped-def]
    status, twiml = post_sms(fclient, "+447700900101", "Yes, it really helped, thank you", "SM" + "9" * 32)
    assert status == 200 and reply_text(twiml) == "Thank you. We have passed on what you said."
    [stored] = _replies(frt)
    assert (stored.channel, stored.helpful, stored.words) == ("sms", True, "Yes, it really helped, thank you")
    # Twilio's retry: the same reply, nothing new stored.
    assert post_sms(fclient, "+447700900101", "Yes, it really helped, thank you", "SM" + "9" * 32)[1] == twiml
    assert len(_replies(frt)) == 1
    post_sms(fclient, "+447700900101", "NO", "SM" + "8" * 32)
    assert [(r.helpful, r.words) for r in _replies(frt)] == [
        (True, "Yes, it really helped, thank you"),
        (False, None),
    ]

    add_user(frt, "officer@example.org", "council", (sent.review_id,))
    sign_in(fclient, "officer@example.org")
    page = fclient.get(f"/council/reviews/{sent.review_id}/actions").get_data(as_text=True)
    card = page.split("People waited too long for a call back", 1)[1].split("Some people did not feel", 1)[0]
    assert "Helpful (by sms): “Yes, it really helped, thank you”" in card and "Not helpful (by sms)" in card


def test_words_in_a_reply_are_screened_for_safeguarding(fclient: FlaskClient, frt: Runtime, sent) -> None:  # type: ignore[no-untyped-def]
    status, twiml = post_sms(fclient, "+447700900101", "nobody came and he hit me again", "SM" + "7" * 32)
    assert status == 200 and "0300 123 4567" in reply_text(twiml)
    with frt.db.reading() as session:
        [concern] = session.scalars(select(Concern)).all()
        assert (concern.participant_id, concern.node, concern.matched) == (
            sent.people["Priya"],
            "feedback_reply",
            "hit me",
        )


def test_a_telegram_reply_is_stored_and_thanked(
    feedback_app: Flask, fclient: FlaskClient, frt: Runtime, bot_api: FakeBotApi, sent
) -> None:  # type: ignore[no-untyped-def]
    feedback_app.config["TELEGRAM_WEBHOOK_SECRET"] = SECRET
    update = text_update(int(TELEGRAM_CHAT), "Na, dim wir")
    assert (
        fclient.post(
            "/webhooks/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        ).status_code
        == 200
    )
    [stored] = _replies(frt)
    assert (stored.channel, stored.helpful, stored.participant_id) == ("telegram", False, sent.people["Tom"])
    assert bot_api.sent(TELEGRAM_CHAT)[-1].words == "Diolch. Rydyn ni wedi rhannu beth ddywedoch chi."


def test_the_web_page_takes_a_reply(fclient: FlaskClient, frt: Runtime, sent) -> None:  # type: ignore[no-untyped-def]
    with frt.db.reading() as session:
        sam = session.scalars(
            select(FeedbackMessage).where(FeedbackMessage.participant_id == sent.people["Sam"])
        ).one()
    page = fclient.get(f"/f/{sam.token}")
    assert page.status_code == 200 and 'lang="cy"' in page.get_data(as_text=True)
    done = fclient.post(f"/f/{sam.token}/reply", data={"helpful": "yes", "words": "Diolch yn fawr"})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/f/{sam.token}?replied=1#thanks")
    assert "Diolch. Rydyn ni wedi rhannu" in fclient.get(f"/f/{sam.token}?replied=1").get_data(as_text=True)
    [stored] = _replies(frt)
    assert (stored.channel, stored.helpful, stored.words) == ("web", True, "Diolch yn fawr")
    with frt.db.writing() as session:
        session.get_one(Participant, sent.people["Sam"]).withdrawn_at = frt.clock()
    assert fclient.get(f"/f/{sam.token}").status_code == 404  # withdrawn: their page goes too


def test_a_page_that_was_never_sent_is_not_there(fclient: FlaskClient, frt: Runtime) -> None:
    frt.config["TWILIO_ACCOUNT_SID"] = None
    world = build_world(frt)
    draft_review(frt, world.review_id)
    with frt.db.reading() as session:
        sam = session.scalars(
            select(FeedbackMessage).where(FeedbackMessage.participant_id == world.people["Sam"])
        ).one()
    assert fclient.get(f"/f/{sam.token}").status_code == 404  # a draft
    assert fclient.post(f"/f/{sam.token}/reply", data={"helpful": "yes"}).status_code == 404
    assert fclient.get("/f/not-a-token").status_code == 404


def test_withdrawing_erases_their_feedback_and_replies_but_not_the_action(
    fclient: FlaskClient, frt: Runtime, sent
) -> None:  # type: ignore[no-untyped-def]
    from app.models import Action, ActionResponse
    from app.services.erasure import withdraw

    post_sms(fclient, "+447700900101", "Yes it helped", "SM" + "6" * 32)
    assert len(_replies(frt)) == 1
    withdraw(frt, sent.people["Priya"], "coordinator")
    with frt.db.reading() as session:
        mine = select(FeedbackMessage).where(FeedbackMessage.participant_id == sent.people["Priya"])
        assert session.scalars(mine).all() == [] and _replies(frt) == []
        assert session.scalars(select(ActionResponse)).all() == []  # the link to her answer went with it
        assert session.get(Action, sent.actions["call_back"]) is not None
