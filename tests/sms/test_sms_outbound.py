"""Texts out: Twilio's real client against its intercepted REST API, the outbox, status callbacks."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient
from sms_support import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    FROM,
    MESSAGES_API,
    make_participant,
    outbound,
    post_status,
    stored,
    twilio_message,
)

from app.models import Message, Suppression
from app.services.outbound import send
from app.services.runtime import Runtime
from app.services.suppression import phone_lookup


@pytest.fixture
def twilio(sms_app: Flask) -> Flask:
    sms_app.config.update(TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_FROM=FROM)
    return sms_app


def _sent_form(call: responses.Call) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(call.request.body).items()}


@responses.activate
def test_a_text_goes_through_twilio_with_a_status_callback(twilio: Flask, srt: Runtime) -> None:
    responses.post(MESSAGES_API, json=twilio_message("SM" + "1" * 32), status=201)
    participant = make_participant(srt)
    outcome = send(srt, participant.id, "Hello Priya – it’s Heard…", purpose="feedback")
    assert outcome.sent and outcome.status == "queued"

    [call] = responses.calls
    form = _sent_form(call)
    assert form["To"] == "+447700900123" and form["From"] == FROM
    assert form["Body"] == "Hello Priya - it's Heard..."  # normalised to GSM-7
    assert form["StatusCallback"] == "http://localhost/webhooks/twilio/status"
    [message] = outbound(srt)
    assert (message.transport, message.provider_id, message.status) == ("twilio", "SM" + "1" * 32, "queued")
    assert message.purpose == "feedback"


@responses.activate
def test_a_messaging_service_is_used_instead_of_a_from_number(twilio: Flask, srt: Runtime) -> None:
    twilio.config.update(TWILIO_FROM=None, TWILIO_MESSAGING_SERVICE_SID="MG" + "2" * 32)
    responses.post(MESSAGES_API, json=twilio_message(status="accepted"), status=201)
    outcome = send(srt, make_participant(srt).id, "Hello", purpose="feedback")
    assert outcome.status == "accepted"
    form = _sent_form(responses.calls[0])
    assert form["MessagingServiceSid"] == "MG" + "2" * 32 and "From" not in form


@responses.activate
def test_error_21610_is_stored_and_opts_the_number_out(twilio: Flask, srt: Runtime) -> None:
    error = {
        "code": 21610,
        "message": "Attempt to send to unsubscribed recipient",
        "more_info": "https://www.twilio.com/docs/errors/21610",
        "status": 400,
    }
    responses.post(MESSAGES_API, json=error, status=400)
    participant = make_participant(srt)
    outcome = send(srt, participant.id, "Hello", purpose="feedback")
    assert not outcome.sent and outcome.error_code == "21610"
    [message] = outbound(srt)
    assert (message.status, message.error_code) == ("failed", "21610")
    assert "unsubscribed" in (message.error_message or "")
    [row] = stored(srt, Suppression)
    assert row.phone_lookup == phone_lookup(srt.crypto, "+447700900123") and row.reason == "provider_21610"

    # Never again, by any path: the next send doesn't reach Twilio.
    again = send(srt, participant.id, "Hello again", purpose="feedback")
    assert not again.sent and again.status in ("suppressed", "not_contactable")
    assert len(responses.calls) == 1


@responses.activate
def test_a_server_error_is_stored_on_the_message_and_does_not_raise(twilio: Flask, srt: Runtime) -> None:
    responses.post(
        MESSAGES_API, json={"code": 20500, "message": "Internal Server Error", "status": 500}, status=500
    )
    outcome = send(srt, make_participant(srt).id, "Hello", purpose="feedback")
    assert outcome.status == "failed" and outcome.error_code == "20500"
    assert [m.status for m in outbound(srt)] == ["failed"]


def test_without_credentials_texts_wait_in_the_local_outbox(sms_app: Flask, srt: Runtime) -> None:
    with responses.RequestsMock() as mock:  # any HTTP call at all would fail the test
        outcome = send(srt, make_participant(srt).id, "Hello", purpose="feedback")
        assert len(mock.calls) == 0
    assert outcome.sent and outcome.status == "outbox"
    [message] = outbound(srt)
    assert (message.transport, message.body, message.provider_id) == ("outbox", "Hello", None)


@responses.activate
def test_status_callbacks_move_a_message_on_and_never_back(
    twilio: Flask, srt: Runtime, sms_client: FlaskClient
) -> None:
    sid = "SM" + "3" * 32
    responses.post(MESSAGES_API, json=twilio_message(sid), status=201)
    send(srt, make_participant(srt).id, "Hello", purpose="feedback")
    assert post_status(sms_client, {"MessageSid": sid, "MessageStatus": "sent", "To": "+447700900123"}) == 204
    assert post_status(sms_client, {"MessageSid": sid, "MessageStatus": "delivered"}) == 204
    assert post_status(sms_client, {"MessageSid": sid, "MessageStatus": "sent"}) == 204  # late, out of order
    [message] = outbound(srt)
    assert message.status == "delivered" and message.status_at is not None


@responses.activate
def test_an_undelivered_21610_callback_opts_the_number_out(
    twilio: Flask, srt: Runtime, sms_client: FlaskClient
) -> None:
    sid = "SM" + "4" * 32
    responses.post(MESSAGES_API, json=twilio_message(sid), status=201)
    participant = make_participant(srt)
    send(srt, participant.id, "Hello", purpose="feedback")
    form = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "21610", "To": "+447700900123"}
    assert post_status(sms_client, form) == 204
    [message] = outbound(srt)
    assert (message.status, message.error_code) == ("undelivered", "21610")
    assert [s.reason for s in stored(srt, Suppression)] == ["provider_21610"]
    assert not send(srt, participant.id, "Hello again", purpose="feedback").sent
    assert len(responses.calls) == 1


@responses.activate
def test_a_forged_status_callback_changes_nothing(
    twilio: Flask, srt: Runtime, sms_client: FlaskClient
) -> None:
    sid = "SM" + "5" * 32
    responses.post(MESSAGES_API, json=twilio_message(sid), status=201)
    send(srt, make_participant(srt).id, "Hello", purpose="feedback")
    form = {"MessageSid": sid, "MessageStatus": "failed", "ErrorCode": "21610"}
    assert post_status(sms_client, form, token="forged") == 403
    [message] = outbound(srt)
    assert (message.status, message.error_code) == ("queued", None)
    assert stored(srt, Suppression) == []


def test_the_status_webhook_needs_a_signature_even_without_twilio(sms_app: Flask, srt: Runtime) -> None:
    # No Twilio at all: the sandbox token signs; an unsigned or wrongly signed post is refused.
    sms_app.config.update(TWILIO_AUTH_TOKEN=None, HEARD_SANDBOX_TOKEN="sandbox-secret")
    client = sms_app.test_client()
    assert client.post("/webhooks/twilio/status", data={"MessageSid": "SM1"}).status_code == 403
    assert post_status(client, {"MessageSid": "SM1", "MessageStatus": "sent"}, token=AUTH_TOKEN) == 403
    assert post_status(client, {"MessageSid": "SM1", "MessageStatus": "sent"}, token="sandbox-secret") == 204
    assert stored(srt, Message) == []


def test_production_without_a_twilio_token_refuses_every_webhook(sms_app: Flask) -> None:
    sms_app.config.update(TWILIO_AUTH_TOKEN=None, HEARD_SANDBOX_TOKEN=None, HEARD_ENV="production")
    client = sms_app.test_client()
    assert post_status(client, {"MessageSid": "SM1", "MessageStatus": "sent"}) == 403
