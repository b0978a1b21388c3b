"""Texts in through the signed webhook: a whole conversation, forgeries, retries, strangers."""

from __future__ import annotations

from flask.testing import FlaskClient
from sms_support import SMS_URL, make_participant, post_sms, reply_text, sign, sms_form, stored
from sqlalchemy import func, select

from app.engine.segments import count_segments
from app.models import Conversation, Message, Response
from app.services.runtime import Runtime

PHONE = "+447700900123"

# Messy but understandable replies, as people text them.
MESSY = {
    "yes_no": "Yeah ok 👍",
    "scale": "  very well!! ",
    "choice": "2",
    "free_text": "She listened to me properly – which helped a lot",
    "number": "3 i think",
}


def _question(rt: Runtime) -> dict:
    """The question the conversation is waiting on, as last texted."""
    with rt.db.reading() as session:
        rows = session.scalars(
            select(Message).where(Message.direction == "out").order_by(Message.id.desc())
        ).all()
    return next(r.payload for r in rows if r.payload and r.payload["kind"] in ("ask", "reask"))


def test_a_whole_easy_read_conversation_by_text_is_stored_against_the_audit_ref(
    srt: Runtime, sms_client: FlaskClient
) -> None:
    participant = make_participant(srt, variant="easy_read")
    status, twiml = post_sms(sms_client, "07700 900123", "hi", "SM0001")  # written the local way
    assert status == 200
    first = reply_text(twiml)
    assert first and "Priya" in first
    assert count_segments(first).encoding == "GSM-7"

    # One reply not understood on the way: a gentle re-ask, nothing stored for it.
    status, twiml = post_sms(sms_client, PHONE, "purple elephant", "SM0002")
    assert status == 200 and "sorry" in reply_text(twiml).lower()

    asked: list[str] = []
    for turn in range(60):
        question = _question(srt)
        asked.append(question["node"])
        status, twiml = post_sms(sms_client, PHONE, MESSY[question["answer_type"]], f"SM1{turn:03d}")
        assert status == 200
        assert "<Message>" in twiml, "every answer gets a text back"
        with srt.db.reading() as session:
            conversation = session.scalars(select(Conversation)).one()
        if conversation.status != "active":
            break
    assert conversation.status == "completed"
    assert len(asked) >= 8

    responses = stored(srt, Response)
    assert [r.node for r in responses] == asked
    assert {r.audit_record_id for r in responses} == {participant.audit_record_id}
    assert {r.review_id for r in responses} == {participant.review_id}
    assert all(r.value for r in responses), "every messy reply was understood"
    words = next(r for r in responses if r.answer_type == "free_text")
    assert words.raw_text == MESSY["free_text"]  # their own words, exactly
    with srt.db.reading() as session:
        kept = session.scalars(select(Message).where(Message.body == "purple elephant")).one()
        assert kept.participant_id == participant.id


def test_replies_are_numbered_lists_for_choices_and_never_send_pictures(
    srt: Runtime, sms_client: FlaskClient
) -> None:
    make_participant(srt, variant="easy_read")
    _, twiml = post_sms(sms_client, PHONE, "hello", "SM0001")
    texts, choices_seen = [twiml], 0
    for turn in range(40):
        question = _question(srt)
        if question["answer_type"] == "choice":
            choices_seen += 1
            lines = reply_text(texts[-1]).splitlines()
            numbered = [line for line in lines if line[:2] in ("1 ", "2 ")]
            assert len(numbered) == 2, f"options by number: {lines}"
        _, twiml = post_sms(sms_client, PHONE, MESSY[question["answer_type"]], f"SM2{turn:03d}")
        texts.append(twiml)
        with srt.db.reading() as session:
            if session.scalars(select(Conversation)).one().status != "active":
                break
    assert choices_seen >= 1
    assert not any(".svg" in t or "<Media>" in t for t in texts)


def _nothing_stored(rt: Runtime) -> None:
    with rt.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 0
        assert session.scalar(select(func.count()).select_from(Conversation)) == 0


def test_a_forged_signature_is_refused_and_nothing_is_stored(srt: Runtime, sms_client: FlaskClient) -> None:
    make_participant(srt)
    form = sms_form(PHONE, "yes", "SM1")
    assert post_sms(sms_client, PHONE, "yes", "SM1", signature=sign(SMS_URL, form, "not-the-token"))[0] == 403
    assert post_sms(sms_client, PHONE, "yes", "SM1", signature="")[0] == 403
    assert sms_client.post("/webhooks/twilio/sms", data=form).status_code == 403  # no header at all
    _nothing_stored(srt)


def test_a_signature_for_another_url_is_refused(srt: Runtime, sms_client: FlaskClient) -> None:
    make_participant(srt)
    form = sms_form(PHONE, "yes", "SM1")
    elsewhere = sign("http://localhost/webhooks/twilio/status", form)
    assert post_sms(sms_client, PHONE, "yes", "SM1", signature=elsewhere)[0] == 403
    other_host = sign("https://attacker.example/webhooks/twilio/sms", form)
    assert post_sms(sms_client, PHONE, "yes", "SM1", signature=other_host)[0] == 403
    _nothing_stored(srt)


def test_a_changed_body_is_refused(srt: Runtime, sms_client: FlaskClient) -> None:
    make_participant(srt)
    signed_for = sign(SMS_URL, sms_form(PHONE, "no", "SM1"))
    assert post_sms(sms_client, PHONE, "yes", "SM1", signature=signed_for)[0] == 403
    _nothing_stored(srt)


def test_the_signature_is_checked_against_the_public_url_behind_a_proxy(
    srt: Runtime, sms_client: FlaskClient
) -> None:
    make_participant(srt)
    srt.config["PUBLIC_BASE_URL"] = "https://heard.example.gov.uk"
    form = sms_form(PHONE, "hi", "SM1")
    # Twilio signs the address it posted to, not the one the app sees behind the proxy.
    assert post_sms(sms_client, PHONE, "hi", "SM1", signature=sign(SMS_URL, form))[0] == 403
    public = sign("https://heard.example.gov.uk/webhooks/twilio/sms", form)
    assert post_sms(sms_client, PHONE, "hi", "SM1", signature=public)[0] == 200


def test_a_replayed_message_sid_stores_nothing_new_and_gets_the_same_twiml(
    srt: Runtime, sms_client: FlaskClient
) -> None:
    make_participant(srt)
    post_sms(sms_client, PHONE, "hi", "SM1")
    first = post_sms(sms_client, PHONE, "yes", "SM2")
    with srt.db.reading() as session:
        messages = session.scalar(select(func.count()).select_from(Message))
        answers = session.scalar(select(func.count()).select_from(Response))
    again = post_sms(sms_client, PHONE, "yes", "SM2")
    assert again == first and reply_text(first[1])
    with srt.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == messages
        assert session.scalar(select(func.count()).select_from(Response)) == answers == 1


def test_a_stranger_gets_one_reply_that_reveals_nothing_and_the_text_is_kept(
    srt: Runtime, sms_client: FlaskClient
) -> None:
    make_participant(srt)
    status, twiml = post_sms(sms_client, "+447700900555", "Is this about my mum?", "SM9")
    text = reply_text(twiml)
    assert status == 200 and text
    for secret in ("Priya", "Northshire", "Strengths", "B3"):
        assert secret not in text
    kept = stored(srt, Message, direction="in")
    assert [(m.body, m.participant_id) for m in kept] == [("Is this about my mum?", None)]
    assert kept[0].sender_lookup


def test_a_signed_post_without_a_sender_is_a_bad_request_and_stores_nothing(
    srt: Runtime, sms_client: FlaskClient
) -> None:
    form = {"MessageSid": "SM1", "Body": "hi"}
    response = sms_client.post(
        "/webhooks/twilio/sms", data=form, headers={"X-Twilio-Signature": sign(SMS_URL, form)}
    )
    assert response.status_code == 400
    _nothing_stored(srt)
