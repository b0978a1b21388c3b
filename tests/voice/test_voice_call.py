"""A whole phone call through the signed voice webhooks: keys, speech, silence, confirmation."""

from __future__ import annotations

from flask.testing import FlaskClient
from sms_support import make_participant, stored
from sqlalchemy import func, select
from voice_support import (
    PHONE,
    assert_gather_is_complete,
    call_form,
    post_call,
)

from app.models import CallStep, Consent, Conversation, Message, Participant, Response
from app.services.runtime import Runtime

FREE_WORDS = "She really listened to me, and my daughter too"


def _asked(rt: Runtime, sid: str) -> CallStep:
    """The last step of the call: what it is waiting for."""
    with rt.db.reading() as session:
        return session.scalars(
            select(CallStep).where(CallStep.call_sid == sid).order_by(CallStep.step.desc())
        ).first()


def _count(rt: Runtime, model: type) -> int:
    with rt.db.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_whole_call_by_keys_and_speech_is_stored_against_the_audit_ref(
    vrt: Runtime, voice_client: FlaskClient
) -> None:
    participant = make_participant(vrt, channel="voice", variant="standard")
    sid = "CA" + "1" * 32
    replies = [post_call(voice_client, 0, call_form(sid))]
    assert replies[0].status == 200 and "Priya" in replies[0].spoken
    seen = {"silence": 0, "confirmation": 0, "keys": 0, "speech": 0}
    for _ in range(60):
        reply = replies[-1]
        if reply.hangs_up:
            break
        step = reply.next_step
        asked = _asked(vrt, sid)
        kind, answer_type = asked.kind, (asked.prompt or {}).get("answer_type")
        node = (asked.prompt or {}).get("node")
        if kind == "confirm":
            fields = {"Digits": "1"}
        elif node == "consent_quotes" and not seen["silence"]:
            fields, seen["silence"] = {}, 1  # nothing said: one slower reprompt
        elif node == "listened":
            fields, seen["confirmation"] = {"SpeechResult": "quite well", "Confidence": "0.31"}, 1
        elif answer_type == "free_text":
            fields = {"SpeechResult": FREE_WORDS, "Confidence": "0.87"}
            seen["speech"] += 1
        elif answer_type == "yes_no":
            fields = {"SpeechResult": "yes", "Confidence": "0.93"}
            seen["speech"] += 1
        else:
            fields = {"Digits": "4" if answer_type == "scale" else "2"}
            seen["keys"] += 1
        replies.append(post_call(voice_client, step, call_form(sid, **fields)))
        assert replies[-1].status == 200
    assert replies[-1].hangs_up and "Thank you" in replies[-1].spoken
    assert all(seen.values()), seen

    # Every question in every response of the call was a complete <Gather>.
    gathers = [g for r in replies for g in r.gathers]
    assert len(gathers) == len(replies) - 1
    for gather in gathers:
        assert_gather_is_complete(gather)

    slower = next(r for r in replies if "Take your time" in r.spoken)
    assert int(slower.gathers[0].get("timeout")) > int(replies[0].gathers[0].get("timeout"))
    confirming = next(r for r in replies if "I heard: quite well" in r.spoken)
    assert "press 1 for yes" in confirming.spoken.lower()

    with vrt.db.reading() as session:
        conversation = session.scalars(select(Conversation)).one()
    assert conversation.status == "completed" and conversation.channel == "voice"
    responses = stored(vrt, Response)
    by_node = {r.node: r for r in responses}
    assert {r.audit_record_id for r in responses} == {participant.audit_record_id}
    assert all(r.value for r in responses), [(r.node, r.raw_text) for r in responses if not r.value]
    assert by_node["consent"].value == "yes" and by_node["consent_quotes"].value == "yes"
    assert by_node["listened"].value == "4" and by_node["listened"].raw_text == "quite well"
    assert by_node["what_matters"].raw_text == FREE_WORDS
    assert by_node["waiting"].value == "a_few_weeks"  # key 2 on a choice is its second option
    # The words as recognised are kept with their confidence.
    with vrt.db.reading() as session:
        words = session.get_one(Message, by_node["what_matters"].message_id)
        confirmed = session.get_one(Message, by_node["listened"].message_id)
    assert words.payload["confidence"] == 0.87 and words.provider_id.startswith(f"{sid}:")
    assert confirmed.payload["confirmed"] is True
    given = {c.scope: c.given for c in stored(vrt, Consent) if c.channel == "voice"}
    assert given["taking_part"] is True and given["quotes"] is True  # said by key and by voice


def test_a_retried_step_gets_the_same_twiml_and_stores_nothing_twice(
    vrt: Runtime, voice_client: FlaskClient
) -> None:
    make_participant(vrt, channel="voice")
    sid = "CA" + "2" * 32
    first = post_call(voice_client, 0, call_form(sid))
    answered = post_call(voice_client, 1, call_form(sid, Digits="1"))
    counts = (_count(vrt, Message), _count(vrt, Response), _count(vrt, CallStep))
    again = post_call(voice_client, 1, call_form(sid, Digits="1"))
    start_again = post_call(voice_client, 0, call_form(sid))
    assert again.twiml == answered.twiml and start_again.twiml == first.twiml
    assert (_count(vrt, Message), _count(vrt, Response), _count(vrt, CallStep)) == counts
    # Even a retry carrying different input is the same step: the first answer stands.
    changed = post_call(voice_client, 1, call_form(sid, Digits="2"))
    assert changed.twiml == answered.twiml
    assert stored(vrt, Response)[0].value == "yes"


def test_forged_or_missing_signatures_get_403_and_store_nothing(
    vrt: Runtime, voice_client: FlaskClient
) -> None:
    make_participant(vrt, channel="voice")
    form = call_form("CA" + "3" * 32)
    assert post_call(voice_client, 0, form, signature="forged").status == 403
    assert post_call(voice_client, 0, form, signature="").status == 403
    from sms_support import sign

    other_url = sign("http://localhost/webhooks/twilio/sms", form)
    assert post_call(voice_client, 0, form, signature=other_url).status == 403
    good = sign("http://localhost/webhooks/twilio/voice/gather?step=1", form)
    assert post_call(voice_client, 2, form, signature=good).status == 403  # signed for another step
    for path in ("/webhooks/twilio/voice/status", "/webhooks/twilio/voice/recording?step=1"):
        assert post_call(voice_client, 0, form, signature="forged", path=path).status == 403
    assert (_count(vrt, Message), _count(vrt, CallStep), _count(vrt, Conversation)) == (0, 0, 0)


def test_a_second_silence_offers_a_text_or_a_call_back_then_ends_politely(
    vrt: Runtime, voice_client: FlaskClient
) -> None:
    participant = make_participant(vrt, channel="voice", variant="standard")
    sid = "CA" + "4" * 32
    post_call(voice_client, 0, call_form(sid))
    reprompt = post_call(voice_client, 1, call_form(sid))
    offer = post_call(voice_client, 2, call_form(sid))
    assert "Take your time" in reprompt.spoken
    assert "Press 1" in offer.spoken and "Press 2" in offer.spoken and not offer.hangs_up
    assert_gather_is_complete(offer.gathers[0])
    called = post_call(voice_client, 3, call_form(sid, Digits="2"))
    assert called.hangs_up and not called.gathers and "call you back" in called.spoken
    with vrt.db.reading() as session:
        assert session.get_one(Participant, participant.id).callback_requested_at is not None


def test_pressing_1_at_the_offer_texts_the_web_link(vrt: Runtime, voice_client: FlaskClient) -> None:
    participant = make_participant(vrt, channel="voice", variant="standard")
    sid = "CA" + "5" * 32
    for step in range(3):
        post_call(voice_client, step, call_form(sid))
    texted = post_call(voice_client, 3, call_form(sid, Digits="1"))
    assert texted.hangs_up and "sent you a text" in texted.spoken
    [sms] = [m for m in stored(vrt, Message, direction="out") if m.channel == "sms"]
    assert sms.transport == "outbox" and participant.chat_token in (sms.body or "")


def test_silence_at_the_offer_ends_the_call_politely(vrt: Runtime, voice_client: FlaskClient) -> None:
    make_participant(vrt, channel="voice", variant="standard")
    sid = "CA" + "6" * 32
    for step in range(3):
        post_call(voice_client, step, call_form(sid))
    goodbye = post_call(voice_client, 3, call_form(sid))
    assert goodbye.hangs_up and "Goodbye" in goodbye.spoken
    assert stored(vrt, Response) == []


def test_saying_no_to_a_confirmation_asks_the_question_again(vrt: Runtime, voice_client: FlaskClient) -> None:
    make_participant(vrt, channel="voice", variant="standard")
    sid = "CA" + "7" * 32
    post_call(voice_client, 0, call_form(sid))
    confirm = post_call(voice_client, 1, call_form(sid, SpeechResult="yes please", Confidence="0.2"))
    assert "I heard: yes please" in confirm.spoken
    again = post_call(voice_client, 2, call_form(sid, Digits="2"))
    assert "try again" in again.spoken and "Are you happy to answer" in again.spoken
    assert stored(vrt, Response) == []  # misheard words are never passed on as an answer


def test_a_welsh_call_is_answered_by_keypad(vrt: Runtime, voice_client: FlaskClient) -> None:
    make_participant(vrt, channel="voice", language="cy", variant="standard")
    sid = "CA" + "8" * 32
    replies = [post_call(voice_client, 0, call_form(sid))]
    for step, digits in enumerate(["1", "1", "4"], start=1):
        replies.append(post_call(voice_client, step, call_form(sid, Digits=digits)))
    free_text = replies[-1]
    assert "Pwyswch 1 i symud ymlaen" in free_text.spoken  # their own words: move on, or a person calls
    for reply in replies:
        for gather in reply.gathers:
            assert_gather_is_complete(gather, speech=False)
            assert gather.get("language") == "cy-GB"
    assert [r.value for r in stored(vrt, Response)] == ["yes", "yes", "4"]


def test_a_voicemail_gets_the_number_to_call_back_and_never_the_questions(
    vrt: Runtime, voice_client: FlaskClient
) -> None:
    make_participant(vrt, channel="voice")
    reply = post_call(voice_client, 0, call_form("CA" + "9" * 32, outbound=True, AnsweredBy="machine_start"))
    assert reply.hangs_up and not reply.gathers
    assert "call us back on" in reply.spoken and "0 3 0 0" in reply.spoken
    assert "Priya" not in reply.spoken and "social" not in reply.spoken.lower()
    assert _count(vrt, Conversation) == 0


def test_an_unknown_caller_hears_nothing_about_anyone(vrt: Runtime, voice_client: FlaskClient) -> None:
    make_participant(vrt, channel="voice")
    form = call_form("CA" + "a" * 32) | {"From": "+447700900555"}
    reply = post_call(voice_client, 0, form)
    assert reply.hangs_up and "don't recognise" in reply.spoken
    assert "Priya" not in reply.twiml and "Northshire" not in reply.twiml
    [kept] = stored(vrt, Message, direction="in")
    assert kept.participant_id is None and kept.sender_lookup


def test_free_text_is_recorded_by_reference_only_with_consent_to_recording(
    vrt: Runtime, voice_client: FlaskClient
) -> None:
    participant = make_participant(vrt, channel="voice", variant="standard")
    sid, keys = "CA" + "b" * 32, ["1", "1", "4"]
    replies = [post_call(voice_client, 0, call_form(sid))]
    for step, digits in enumerate(keys, start=1):
        replies.append(post_call(voice_client, step, call_form(sid, Digits=digits)))
    assert "<Recording" not in replies[-1].twiml  # no consent to recording: words only

    with vrt.db.writing() as session:
        session.add(
            Consent(participant_id=participant.id, scope="recording", given=True, channel="coordinator")
        )
    sid2 = "CA" + "c" * 32
    replies = [post_call(voice_client, 0, call_form(sid2))]  # carries on at the free-text question
    start = replies[0].root.find("Start/Recording")
    assert start is not None and "recording?step=1" in start.get("recordingStatusCallback", "")
    answered = post_call(voice_client, 1, call_form(sid2, SpeechResult=FREE_WORDS, Confidence="0.9"))
    stop = answered.root.find("Stop/Recording")
    assert stop is not None and stop.get("name") == start.get("name")
    url = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE1"
    form = {"CallSid": sid2, "RecordingUrl": url, "RecordingSid": "RE1", "RecordingStatus": "completed"}
    assert post_call(voice_client, 0, form, path="/webhooks/twilio/voice/recording?step=1").status == 204
    response = next(r for r in stored(vrt, Response) if r.node == "what_matters")
    assert response.raw_text == FREE_WORDS
    with vrt.db.reading() as session:
        assert session.get_one(Message, response.message_id).payload["recording_url"] == url


def test_a_call_from_a_number_that_opted_out_ends_without_questions(
    vrt: Runtime, voice_client: FlaskClient
) -> None:
    participant = make_participant(vrt, channel="voice")
    with vrt.db.writing() as session:
        session.get_one(Participant, participant.id).opted_out_at = vrt.clock()
    reply = post_call(voice_client, 0, call_form("CA" + "d" * 32, From=PHONE))
    assert reply.hangs_up and not reply.gathers and _count(vrt, Conversation) == 0
