"""`heard invite`: invitations, quiet hours, one reminder then lapse, and never to an opted-out number."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient
from sms_support import (
    ACCOUNT_SID,
    FROM,
    MESSAGES_API,
    NOON,
    make_participant,
    masked,
    outbound,
    post_sms,
    reply_text,
    stored,
    twilio_message,
)

from app.cli import main
from app.models import Conversation, Invitation, Message
from app.services.invitations import invite_review
from app.services.outbound import send
from app.services.quiet_hours import quiet_until
from app.services.runtime import Runtime

LONDON = ZoneInfo("Europe/London")
CONFIG = {"QUIET_HOURS": "20:00-09:00", "TIMEZONE": "Europe/London"}


@pytest.mark.parametrize(
    ("local", "quiet_ends"),
    [
        (datetime(2026, 11, 26, 19, 59), None),
        (datetime(2026, 11, 26, 20, 0), datetime(2026, 11, 27, 9, 0)),
        (datetime(2026, 11, 26, 23, 30), datetime(2026, 11, 27, 9, 0)),
        (datetime(2026, 11, 27, 3, 0), datetime(2026, 11, 27, 9, 0)),
        (datetime(2026, 11, 27, 9, 0), None),
        (datetime(2026, 7, 1, 20, 30), datetime(2026, 7, 2, 9, 0)),  # British Summer Time
        (datetime(2026, 7, 1, 8, 59), datetime(2026, 7, 1, 9, 0)),
        (datetime(2026, 3, 29, 1, 30), datetime(2026, 3, 29, 9, 0)),  # the night the clocks go forward
    ],
)
def test_quiet_hours_are_london_time(local: datetime, quiet_ends: datetime | None) -> None:
    now = local.replace(tzinfo=LONDON).astimezone(UTC)
    expected = quiet_ends.replace(tzinfo=LONDON).astimezone(UTC) if quiet_ends else None
    assert quiet_until(now, CONFIG) == expected


def test_quiet_hours_are_configurable() -> None:
    at_1930 = datetime(2026, 11, 26, 19, 30, tzinfo=UTC)
    assert quiet_until(at_1930, CONFIG) is None
    assert quiet_until(at_1930, CONFIG | {"QUIET_HOURS": "19:00-08:00"}) is not None
    assert quiet_until(at_1930, CONFIG | {"QUIET_HOURS": "00:00-00:00"}) is None  # off


def _invitations(rt: Runtime) -> list[Invitation]:
    return stored(rt, Invitation)


def test_an_invitation_says_who_why_optional_and_how_to_stop_and_a_reply_starts_the_conversation(
    srt: Runtime, sms_client: FlaskClient
) -> None:
    participant = make_participant(srt, variant="standard")
    [line] = invite_review(srt, participant.review_id)
    assert line.action == "invite" and masked(line.to)
    [text] = outbound(srt)
    assert (text.purpose, text.transport, text.status) == ("invitation", "outbox", "outbox")
    for words in ("Priya", "Northshire Council", "optional", "STOP"):
        assert words in (text.body or "")
    assert _invitations(srt)[0].status == "invited"
    assert stored(srt, Conversation) == []  # not until they reply

    _, twiml = post_sms(sms_client, "+447700900123", "Yes ok", "SM1")
    assert reply_text(twiml), "their reply starts the conversation"
    [conversation] = stored(srt, Conversation)
    assert conversation.channel == "sms" and conversation.participant_id == participant.id
    [invitation] = _invitations(srt)
    assert invitation.status == "replied" and invitation.replied_at == NOON


def test_only_sms_participants_with_consent_to_be_contacted_are_invited(srt: Runtime) -> None:
    asked = make_participant(srt)
    review_id = asked.review_id
    no_consent = make_participant(
        srt, review_id=review_id, audit_ref="B4", phone="07700 900124", contact_consent=False
    )
    by_web = make_participant(srt, review_id=review_id, audit_ref="B5", channel="web", phone=None)
    lines = {line.participant_id: line for line in invite_review(srt, review_id)}
    assert lines[asked.id].action == "invite"
    assert lines[no_consent.id].action == "skip" and "consent" in lines[no_consent.id].detail
    assert by_web.id not in lines
    assert [m.participant_id for m in outbound(srt)] == [asked.id]


def test_no_invitation_goes_inside_quiet_hours(srt: Runtime) -> None:
    participant = make_participant(srt)
    late_evening = datetime(2026, 11, 26, 22, 30, tzinfo=UTC)
    srt.clock = lambda: late_evening
    with responses.RequestsMock() as mock:
        [line] = invite_review(srt, participant.review_id)
        assert len(mock.calls) == 0
    assert line.action == "deferred"
    assert outbound(srt) == []
    [invitation] = _invitations(srt)
    assert invitation.status == "deferred"
    assert invitation.deferred_until == datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    # send() itself holds the line too, whoever calls it.
    assert send(srt, participant.id, "Hello", purpose="feedback").status == "deferred"
    assert outbound(srt) == []

    srt.clock = lambda: datetime(2026, 11, 27, 9, 5, tzinfo=UTC)
    [line] = invite_review(srt, participant.review_id)
    assert line.action == "invite"
    assert [m.purpose for m in outbound(srt)] == ["invitation"]


def test_one_reminder_after_the_configured_days_then_the_invitation_lapses(srt: Runtime) -> None:
    srt.config.update(INVITE_REMINDER_DAYS=3, INVITE_LAPSE_DAYS=4)
    participant = make_participant(srt)
    review = participant.review_id
    assert invite_review(srt, review)[0].action == "invite"
    srt.clock = lambda: NOON + timedelta(days=2)
    assert invite_review(srt, review)[0].action == "skip"
    srt.clock = lambda: NOON + timedelta(days=3)
    assert invite_review(srt, review)[0].action == "remind"
    assert invite_review(srt, review)[0].action == "skip"  # only one reminder
    srt.clock = lambda: NOON + timedelta(days=7)
    assert invite_review(srt, review)[0].action == "lapse"
    srt.clock = lambda: NOON + timedelta(days=30)
    assert invite_review(srt, review)[0].action == "skip"
    assert [m.purpose for m in outbound(srt)] == ["invitation", "reminder"]
    [invitation] = _invitations(srt)
    assert invitation.status == "lapsed" and invitation.lapsed_at == NOON + timedelta(days=7)


def test_no_reminder_once_they_have_replied(srt: Runtime, sms_client: FlaskClient) -> None:
    participant = make_participant(srt)
    invite_review(srt, participant.review_id)
    post_sms(sms_client, "+447700900123", "ok", "SM1")
    srt.clock = lambda: NOON + timedelta(days=30)
    assert invite_review(srt, participant.review_id)[0].action == "skip"
    assert [m.purpose for m in outbound(srt)] == ["invitation"]


def test_a_dry_run_masks_numbers_and_sends_and_stores_nothing(sms_app: Flask, srt: Runtime) -> None:
    participant = make_participant(srt)
    runner = sms_app.test_cli_runner()
    result = runner.invoke(main, ["invite", "--review", str(participant.review_id), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert (
        "+44 7*** ***123" in result.output and "07700" not in result.output and "900123" not in result.output
    )
    assert "Priya" in result.output and "invite" in result.output

    result = runner.invoke(main, ["invite", "--review", str(participant.review_id), "--dry-run", "--json"])
    data = json.loads(result.output)
    [line] = data["participants"]
    assert data["dry_run"] is True and line["action"] == "invite" and line["to"] == "+44 7*** ***123"
    assert outbound(srt) == [] and _invitations(srt) == []


def test_the_invite_command_sends_and_reports_in_json(sms_app: Flask, srt: Runtime) -> None:
    participant = make_participant(srt)
    result = sms_app.test_cli_runner().invoke(
        main, ["invite", "--review", str(participant.review_id), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["participants"][0]["action"] == "invite"
    assert len(outbound(srt)) == 1


@responses.activate
def test_a_twilio_error_for_one_person_does_not_stop_the_batch(sms_app: Flask, srt: Runtime) -> None:
    sms_app.config.update(TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_FROM=FROM)
    first = make_participant(srt)
    second = make_participant(srt, review_id=first.review_id, audit_ref="B4", phone="07700 900124")
    bad_number = {"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400}
    responses.post(MESSAGES_API, json=bad_number, status=400)
    responses.post(MESSAGES_API, json=twilio_message("SM" + "9" * 32, to="+447700900124"), status=201)
    lines = {line.participant_id: line for line in invite_review(srt, first.review_id)}
    assert lines[first.id].action == "failed" and lines[first.id].detail == "21211"
    assert lines[second.id].action == "invite"
    sent = {m.participant_id: m for m in outbound(srt)}
    assert (sent[first.id].status, sent[first.id].error_code) == ("failed", "21211")
    assert sent[second.id].provider_id == "SM" + "9" * 32


@responses.activate
def test_nothing_reaches_an_opted_out_number_by_any_path(
    sms_app: Flask, srt: Runtime, sms_client: FlaskClient
) -> None:
    """Invitation, reminder, a conversation prompt, feedback: all through send(), all refused."""
    sms_app.config.update(TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_FROM=FROM)
    responses.post(MESSAGES_API, json=twilio_message(), status=201)
    invited = make_participant(srt)
    assert invite_review(srt, invited.review_id)[0].action == "invite"
    assert len(responses.calls) == 1
    # The same number is also a participant in a second review, not yet invited.
    again = make_participant(srt, audit_ref="C1")

    status, twiml = post_sms(sms_client, "+447700900123", "please stop texting me", "SM1")
    assert status == 200 and reply_text(twiml)  # the one confirmation, in reply to their STOP

    srt.clock = lambda: NOON + timedelta(days=30)  # a reminder would be due now
    before = len(outbound(srt))
    lines = invite_review(srt, invited.review_id) + invite_review(srt, again.review_id)
    assert {line.action for line in lines} == {"skip"}
    outcomes = [
        send(srt, invited.id, "The next question", purpose="prompt"),
        send(srt, invited.id, "You said, we did", purpose="feedback"),
        send(srt, again.id, "You said, we did", purpose="feedback"),
    ]
    assert [o.sent for o in outcomes] == [False, False, False]
    assert len(responses.calls) == 1, "only the invitation before the STOP reached Twilio"
    assert len(outbound(srt)) == before
    # Texts they send now are kept, and not answered.
    _, twiml = post_sms(sms_client, "+447700900123", "hello?", "SM2")
    assert reply_text(twiml) == ""
    assert [m.status for m in stored(srt, Message, body="hello?")] == ["late"]


def test_withdrawn_or_do_not_contact_participants_get_nothing(srt: Runtime) -> None:
    from app.models import Participant

    participant = make_participant(srt)
    with srt.db.writing() as session:
        session.get_one(Participant, participant.id).do_not_contact = "bereaved"
    assert invite_review(srt, participant.review_id)[0].action == "skip"
    assert send(srt, participant.id, "Hello", purpose="feedback").status == "not_contactable"
    assert outbound(srt) == []
