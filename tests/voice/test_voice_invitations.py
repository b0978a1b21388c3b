"""`heard invite` calls people who prefer a phone call: Twilio's Calls API, quiet hours, retries."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs

import responses
from flask import Flask
from flask.testing import FlaskClient
from sms_support import ACCOUNT_SID, AUTH_TOKEN, FROM, NOON, make_participant, sign, stored

from app.models import Invitation, Message
from app.services.invitations import invite_review
from app.services.runtime import Runtime

CALLS_API = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"
STATUS_URL = "http://localhost/webhooks/twilio/voice/status"


def _twilio(app: Flask) -> None:
    app.config.update(TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=AUTH_TOKEN, TWILIO_FROM=FROM)


def _call_json(sid: str) -> dict[str, str]:
    return {"sid": sid, "account_sid": ACCOUNT_SID, "to": "+447700900123", "from": FROM, "status": "queued"}


def _calls(rt: Runtime) -> list[Message]:
    return [m for m in stored(rt, Message, direction="out") if m.channel == "voice"]


def _status(client: FlaskClient, sid: str, status: str, **extra: str) -> int:
    form = {"CallSid": sid, "CallStatus": status, "AccountSid": ACCOUNT_SID} | extra
    headers = {"X-Twilio-Signature": sign(STATUS_URL, form)}
    return client.post("/webhooks/twilio/voice/status", data=form, headers=headers).status_code


@responses.activate
def test_a_voice_participant_is_called_with_the_webhook_status_callback_and_machine_detection(
    voice_app: Flask, vrt: Runtime
) -> None:
    _twilio(voice_app)
    participant = make_participant(vrt, channel="voice")
    texter = make_participant(vrt, review_id=participant.review_id, audit_ref="B4", phone="07700 900124")
    responses.post(CALLS_API, json=_call_json("CA" + "1" * 32), status=201)
    responses.post(
        f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
        json={"sid": "SM" + "1" * 32, "status": "queued", "account_sid": ACCOUNT_SID},
        status=201,
    )
    lines = {line.participant_id: line for line in invite_review(vrt, participant.review_id)}
    assert lines[participant.id].action == "call" and lines[texter.id].action == "invite"
    [call] = [c for c in responses.calls if c.request.url == CALLS_API]
    sent = {k: v[0] for k, v in parse_qs(call.request.body).items()}
    assert sent["To"] == "+447700900123" and sent["From"] == FROM
    assert sent["Url"] == "http://localhost/webhooks/twilio/voice"
    assert sent["StatusCallback"] == STATUS_URL and sent["MachineDetection"] == "Enable"
    [attempt] = _calls(vrt)
    assert attempt.provider_id == "CA" + "1" * 32 and attempt.purpose == "invitation"
    assert stored(vrt, Invitation, participant_id=participant.id)[0].status == "invited"


def test_without_twilio_the_call_waits_in_the_outbox(vrt: Runtime) -> None:
    participant = make_participant(vrt, channel="voice")
    [line] = invite_review(vrt, participant.review_id)
    [attempt] = _calls(vrt)
    assert line.action == "call" and attempt.transport == "outbox" and attempt.status == "outbox"
    again = invite_review(vrt, participant.review_id)[0]
    assert again.action == "skip" and "waiting" in again.detail and len(_calls(vrt)) == 1


def test_no_call_inside_quiet_hours_or_to_an_opted_out_number(vrt: Runtime) -> None:
    participant = make_participant(vrt, channel="voice")
    vrt.clock = lambda: NOON.replace(hour=21)  # 21:00 in London: quiet
    [line] = invite_review(vrt, participant.review_id)
    assert line.action == "deferred" and _calls(vrt) == []
    vrt.clock = lambda: NOON
    no_consent = make_participant(
        vrt, channel="voice", audit_ref="B9", phone="07700 900125", contact_consent=False
    )
    assert invite_review(vrt, no_consent.review_id)[0].action == "skip"


@responses.activate
def test_busy_and_no_answer_are_stored_and_retried_up_to_the_limit(
    voice_app: Flask, vrt: Runtime, voice_client: FlaskClient
) -> None:
    _twilio(voice_app)
    voice_app.config.update(VOICE_MAX_ATTEMPTS=2, VOICE_RETRY_MINUTES=60)
    participant = make_participant(vrt, channel="voice")
    for n in (1, 2):
        responses.post(CALLS_API, json=_call_json(f"CA{n:032d}"), status=201)
    assert invite_review(vrt, participant.review_id)[0].action == "call"
    assert _status(voice_client, f"CA{1:032d}", "ringing") == 204
    assert _status(voice_client, f"CA{1:032d}", "busy") == 204
    assert _status(voice_client, f"CA{1:032d}", "ringing") == 204  # late and out of order: ignored
    assert _calls(vrt)[0].status == "busy"
    too_soon = invite_review(vrt, participant.review_id)[0]
    assert too_soon.action == "skip" and "next call after" in too_soon.detail
    vrt.clock = lambda: NOON + timedelta(minutes=61)
    assert invite_review(vrt, participant.review_id)[0].action == "call"
    assert _status(voice_client, f"CA{2:032d}", "no-answer") == 204
    vrt.clock = lambda: NOON + timedelta(minutes=200)
    lapsed = invite_review(vrt, participant.review_id)[0]
    assert lapsed.action == "lapse" and [c.status for c in _calls(vrt)] == ["busy", "no-answer"]
    assert invite_review(vrt, participant.review_id)[0].action == "skip"
    assert len([c for c in responses.calls if c.request.url == CALLS_API]) == 2


@responses.activate
def test_an_answered_call_starts_the_conversation_and_a_voicemail_is_kept_as_such(
    voice_app: Flask, vrt: Runtime, voice_client: FlaskClient
) -> None:
    _twilio(voice_app)
    participant = make_participant(vrt, channel="voice")
    responses.post(CALLS_API, json=_call_json("CA" + "7" * 32), status=201)
    invite_review(vrt, participant.review_id)
    from voice_support import call_form, post_call

    machine = post_call(
        voice_client, 0, call_form("CA" + "7" * 32, outbound=True, AnsweredBy="machine_start")
    )
    assert machine.hangs_up and _calls(vrt)[0].status == "voicemail"
    assert _status(voice_client, "CA" + "7" * 32, "completed") == 204
    assert _calls(vrt)[0].status == "voicemail"  # completed doesn't hide that it was a voicemail
    answered = post_call(voice_client, 0, call_form("CA" + "8" * 32, outbound=True, AnsweredBy="human"))
    assert answered.gathers and "Priya" in answered.spoken
    assert invite_review(vrt, participant.review_id)[0].detail == "already answered"
