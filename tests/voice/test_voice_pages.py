"""Read-aloud on the web chat, and the sandbox phone taking a call through the signed webhook."""

from __future__ import annotations

import re

import responses
from flask import Flask
from flask.testing import FlaskClient
from sms_support import make_participant, stored
from voice_support import intercept_gtts

from app.models import CallStep, Response
from app.services import audio
from app.services.audio_texts import texts_to_build
from app.services.invitations import invite_review
from app.services.runtime import Runtime


def test_the_web_chat_reads_aloud_each_message_that_has_cached_audio(
    vrt: Runtime, voice_client: FlaskClient
) -> None:
    participant = make_participant(vrt, channel="web", variant="standard", phone=None)
    page = voice_client.get(f"/c/{participant.chat_token}").get_data(as_text=True)
    assert "<audio" not in page  # nothing cached yet: no player, the words stand alone
    with responses.RequestsMock() as mock:
        intercept_gtts(mock)
        audio.build(vrt.config, texts_to_build(vrt, ["practice_review_experience"], ["en"]))
    page = voice_client.get(f"/c/{participant.chat_token}").get_data(as_text=True)
    players = re.findall(
        r'<audio class="read-aloud" controls preload="none" src="(/audio/[0-9a-f]{64}\.mp3)"', page
    )
    # The welcome holds the first name, which is never sent to gTTS; the consent question is read aloud.
    assert len(players) == 1 and 'aria-label="Read aloud"' in page
    assert f'<a href="{players[0]}">Read aloud</a>' in page  # a plain link where audio can't play
    assert voice_client.get(players[0]).mimetype == "audio/mpeg"


def test_the_sandbox_phone_takes_a_call_through_the_signed_webhook(voice_app: Flask, vrt: Runtime) -> None:
    voice_app.config["HEARD_SANDBOX"] = True
    client = voice_app.test_client()
    participant = make_participant(vrt, channel="voice", variant="standard")
    assert f"/sandbox/call/{participant.id}" in client.get("/sandbox/").get_data(as_text=True)
    invite_review(vrt, participant.review_id)  # no Twilio: the call waits in the outbox
    ringing = client.get(f"/sandbox/call/{participant.id}").get_data(as_text=True)
    assert "Heard is calling you" in ringing

    started = client.post(f"/sandbox/call/{participant.id}/start", data={"outbound": "1"})
    assert started.status_code == 303 and "problem" not in started.location
    page = client.get(started.location).get_data(as_text=True)
    assert "Hello Priya" in page and "Are you happy to answer" in page and "Press a key" in page
    sid = re.search(r'name="sid" value="(CA[0-9a-f]{32})"', page).group(1)  # type: ignore[union-attr]
    action = re.search(r'name="action" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]

    pressed = client.post(
        f"/sandbox/call/{participant.id}/answer",
        data={"sid": sid, "action": action, "outbound": "1", "digits": "1"},
    )
    page = client.get(pressed.location).get_data(as_text=True)
    assert "May we use some of your words" in page
    action = re.search(r'name="action" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    said = client.post(
        f"/sandbox/call/{participant.id}/answer",
        data={"sid": sid, "action": action, "outbound": "1", "say": "1", "speech": "no thanks"},
    )
    assert "problem" not in said.location
    assert [(r.node, r.value) for r in stored(vrt, Response)] == [
        ("consent", "yes"),
        ("consent_quotes", "no"),
    ]
    assert [s.step for s in stored(vrt, CallStep)] == [0, 1, 2]
    # Only Heard's own webhook: never a URL from the form.
    wrong = client.post(
        f"/sandbox/call/{participant.id}/answer",
        data={"sid": sid, "action": "http://evil.example/x", "digits": "1"},
    )
    assert wrong.status_code == 400


def test_the_sandbox_call_pages_are_closed_outside_the_sandbox(
    vrt: Runtime, voice_client: FlaskClient
) -> None:
    participant = make_participant(vrt, channel="voice")
    assert voice_client.get(f"/sandbox/call/{participant.id}").status_code == 404
