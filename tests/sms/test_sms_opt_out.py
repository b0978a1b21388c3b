"""STOP, START and HELP by text: our own suppression list, whatever the provider does."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sms_support import make_participant, participant_row, post_sms, reply_text, stored

from app.models import Conversation, Message, Response, Suppression
from app.services.runtime import Runtime
from app.services.suppression import phone_lookup
from app.services.texting import classify

PHONE = "+447700900123"


@pytest.mark.parametrize(
    "text",
    [
        "STOP", "stop", "Stop.", "STOPALL", "Unsubscribe", "END", "quit", "Cancel", "OPTOUT", "opt out",
        "REVOKE", "please stop texting me", "Please stop sending me messages", "Stopio", "stopiwch",
        "stop texting me thanks", "Dim mwy o negeseuon",
    ],
)  # fmt: skip
def test_opt_out_words(text: str) -> None:
    assert classify(text) == "opt_out"


@pytest.mark.parametrize(
    "text",
    [
        "My carer had to stop texting the social worker",  # an answer that mentions stopping
        "they should not end my support",
        "yes",
        "help was slow to come",
        "start",  # a keyword, but only an opt-in word: classified separately
    ],
)
def test_answers_that_mention_stopping_are_not_opt_outs(text: str) -> None:
    assert classify(text) != "opt_out"


def test_start_and_help_words() -> None:
    assert classify("START") == classify("unstop") == "opt_in"
    assert classify("HELP") == classify("info") == classify("Cymorth") == "help"


def _suppressed(rt: Runtime, number: str = PHONE) -> bool:
    rows = stored(rt, Suppression, phone_lookup=phone_lookup(rt.crypto, number))
    return bool(rows) and rows[0].lifted_at is None


@pytest.mark.parametrize("word", ["STOP", "please stop texting me", "stopio", "REVOKE"])
def test_stop_in_a_conversation_opts_out_ends_it_and_is_not_an_answer(
    srt: Runtime, sms_client: FlaskClient, word: str
) -> None:
    participant = make_participant(srt)
    post_sms(sms_client, PHONE, "hi", "SM1")
    status, twiml = post_sms(sms_client, PHONE, word, "SM2")
    assert status == 200
    assert "not contact you again" in reply_text(twiml)  # one confirmation, and no question
    assert _suppressed(srt)
    assert participant_row(srt, participant.id).opted_out_at is not None
    [conversation] = stored(srt, Conversation)
    assert conversation.status == "opted_out"
    assert stored(srt, Response) == []
    # What they send afterwards is kept, and nothing is sent back.
    status, twiml = post_sms(sms_client, PHONE, "yes", "SM3")
    assert status == 200 and reply_text(twiml) == ""
    assert [m.status for m in stored(srt, Message, body="yes")] == ["late"]
    assert stored(srt, Response) == []


def test_stop_in_reply_to_an_invitation_never_starts_a_conversation(
    srt: Runtime, sms_client: FlaskClient
) -> None:
    make_participant(srt)
    status, twiml = post_sms(sms_client, PHONE, "STOP", "SM1")
    assert status == 200 and reply_text(twiml)
    assert stored(srt, Conversation) == []
    assert _suppressed(srt)


def test_a_stranger_can_opt_out_too(srt: Runtime, sms_client: FlaskClient) -> None:
    status, twiml = post_sms(sms_client, "+447700900777", "stop", "SM1")
    assert status == 200 and "START" in reply_text(twiml)
    assert _suppressed(srt, "+447700900777")


def test_start_opts_back_in_and_an_unsuppressed_start_is_just_a_reply(
    srt: Runtime, sms_client: FlaskClient
) -> None:
    participant = make_participant(srt)
    post_sms(sms_client, PHONE, "STOP", "SM1")
    status, twiml = post_sms(sms_client, PHONE, "START", "SM2")
    assert status == 200 and "0300 123 4567" in reply_text(twiml)
    assert not _suppressed(srt)
    assert participant_row(srt, participant.id).opted_out_at is None
    # Now a reply starts the conversation, as for anyone invited.
    _, twiml = post_sms(sms_client, PHONE, "hi", "SM3")
    assert "Priya" in reply_text(twiml)
    assert len(stored(srt, Conversation)) == 1


def test_start_from_someone_who_never_opted_out_starts_their_conversation(
    srt: Runtime, sms_client: FlaskClient
) -> None:
    make_participant(srt)
    _, twiml = post_sms(sms_client, PHONE, "Start", "SM1")
    assert "Priya" in reply_text(twiml)
    assert [c.status for c in stored(srt, Conversation)] == ["active"]


def test_help_gives_the_phone_number_and_the_question_again(srt: Runtime, sms_client: FlaskClient) -> None:
    make_participant(srt)
    _, opening = post_sms(sms_client, PHONE, "hi", "SM1")
    question = reply_text(opening).split("\n\n")[-1]
    status, twiml = post_sms(sms_client, PHONE, "HELP", "SM2")
    text = reply_text(twiml)
    assert status == 200 and "0300 123 4567" in text and "STOP" in text
    assert text.endswith(question)
    assert stored(srt, Response) == []
    # A stranger's HELP says who we are without saying anything about anyone.
    _, twiml = post_sms(sms_client, "+447700900555", "info", "SM3")
    assert "0300 123 4567" in reply_text(twiml) and "Priya" not in reply_text(twiml)


def test_help_after_a_reask_repeats_the_question_not_the_sorry(srt: Runtime, sms_client: FlaskClient) -> None:
    make_participant(srt)
    _, opening = post_sms(sms_client, PHONE, "hi", "SM1")
    question = reply_text(opening).split("\n\n")[-1]
    _, reask = post_sms(sms_client, PHONE, "purple", "SM2")
    assert question not in reply_text(reask)  # by text a re-ask is short
    _, twiml = post_sms(sms_client, PHONE, "HELP", "SM3")
    assert reply_text(twiml).endswith(question)


def test_a_retried_stop_gets_the_same_reply_and_stores_nothing_new(
    srt: Runtime, sms_client: FlaskClient
) -> None:
    make_participant(srt)
    first = post_sms(sms_client, PHONE, "STOP", "SM1")
    count = len(stored(srt, Message))
    assert post_sms(sms_client, PHONE, "STOP", "SM1") == first
    assert len(stored(srt, Message)) == count


def test_start_after_stop_carries_the_conversation_on_from_the_same_question(
    srt: Runtime, sms_client: FlaskClient
) -> None:
    make_participant(srt)
    post_sms(sms_client, PHONE, "hi", "SM1")
    _, asked = post_sms(sms_client, PHONE, "yes", "SM2")  # consent given; the next question
    question = reply_text(asked).split("\n\n")[-1]
    post_sms(sms_client, PHONE, "STOP", "SM3")
    _, twiml = post_sms(sms_client, PHONE, "START", "SM4")
    assert reply_text(twiml).endswith(question)
    [conversation] = stored(srt, Conversation)
    assert conversation.status == "active" and conversation.ended_at is None
    _, twiml = post_sms(sms_client, PHONE, "yes", "SM5")
    assert reply_text(twiml) and "finished" not in reply_text(twiml)
    assert len(stored(srt, Response)) == 2  # consent before STOP, this answer after START
