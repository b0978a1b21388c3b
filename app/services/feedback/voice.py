"""A "you said, we did" by phone: the call outbound.send placed, spoken when they answer.

When Twilio asks the voice webhook what to say on a call we placed, and that
call was a feedback message, app/services/call_steps.answer_call hands it
here: the message is spoken (cached audio where `heard audio build` made it,
<Say> for the rest and for any sentence with their name), then "press 1 to
hear it again, 2 if this was helpful, 3 if it was not". Each step is stored
like any call step (kind ``feedback``), so a retried webhook gets the same
TwiML. A voicemail hears only that there is news and a number to call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from app.channels import voice as channel
from app.channels.voice import Ask, CallInput, CallPlan, Part
from app.engine.answers import parse_yes_no
from app.models import CallStep, FeedbackMessage, Message, Participant
from app.services import audio
from app.services.audio import sentences
from app.services.call_steps import save_step
from app.services.feedback.replies import record_reply
from app.services.feedback.wording import words
from app.services.runtime import Runtime
from app.services.turns import current_conversation

MAX_PLAYS = 3
KIND = "feedback"


@dataclass(frozen=True)
class _Call:
    feedback_id: int
    participant_id: int
    body: str
    language: str
    variant: str
    plays: int


def answer_feedback_call(rt: Runtime, call: CallInput) -> str | None:
    """The TwiML for this step if the call is a feedback message; None for any other call."""
    found = _find(rt, call)
    if found is None:
        return None
    speak = _speaker(rt, found.language)
    if call.step == 0 and call.machine:
        from app.services.calling import callback_number

        number = channel.spoken_number(callback_number(rt.config))
        text = words("voice_voicemail", found.language, "standard", "voice", number=number)
        return _save(rt, call, found, CallPlan(found.language, before=speak(text)), "end")
    key = _key(call, found.language) if call.step > 0 else "1"
    if key == "1" and found.plays < MAX_PLAYS:
        if call.step == 0:
            _mark_delivered(rt, found.feedback_id)
        plays = found.plays + 1
        keys = words("voice_keys", found.language, found.variant, "voice")
        ask = Ask(
            parts=(*speak(found.body), *speak(keys)),
            action=f"{rt.config['PUBLIC_BASE_URL']}/webhooks/twilio/voice/gather?step={call.step + 1}",
            answer_type="choice",
            speech=found.language in str(rt.config.get("VOICE_SPEECH_LANGUAGES") or ""),
            options=("again", "yes", "no"),
            timeout=int(rt.config.get("VOICE_TIMEOUT") or 6),
        )
        return _save(rt, call, _with_plays(found, plays), CallPlan(found.language, ask=ask), KIND)
    goodbye = words("voice_goodbye", found.language, found.variant, "voice")
    if key in ("2", "3"):
        _store_reply(rt, found, helpful=key == "2", words_said=call.speech)
        goodbye = f"{words('reply_thanks', found.language, found.variant, 'voice')} {goodbye}"
    return _save(rt, call, found, CallPlan(found.language, before=speak(goodbye)), "end")


def _find(rt: Runtime, call: CallInput) -> _Call | None:
    with rt.db.reading() as session:
        plays = 0
        if call.step == 0:
            if not call.outbound:
                return None
            attempt = session.scalar(
                select(Message).where(
                    Message.channel == "voice",
                    Message.direction == "out",
                    Message.purpose == "feedback",
                    Message.provider_id == call.call_sid,
                )
            )
            feedback_id = (attempt.payload or {}).get("feedback_message_id") if attempt else None
        else:
            previous = session.scalar(
                select(CallStep).where(CallStep.call_sid == call.call_sid, CallStep.step == call.step - 1)
            )
            if previous is None or previous.kind != KIND or not previous.prompt:
                return None
            feedback_id, plays = (
                previous.prompt.get("feedback_message_id"),
                int(previous.prompt.get("plays", 1)),
            )
        feedback = session.get(FeedbackMessage, feedback_id) if feedback_id else None
        if feedback is None:
            return None
        return _Call(
            feedback.id,
            feedback.participant_id,
            feedback.body or "",
            feedback.language,
            feedback.variant,
            plays,
        )


def _with_plays(found: _Call, plays: int) -> _Call:
    return _Call(found.feedback_id, found.participant_id, found.body, found.language, found.variant, plays)


def _key(call: CallInput, language: str) -> str | None:
    if call.digits:
        return call.digits[:1]
    said = (call.speech or "").lower()
    if any(word in said for word in ("again", "repeat", "eto")):
        return "1"
    meaning = parse_yes_no(said, language) if said else None
    return {"yes": "2", "no": "3"}.get(meaning or "")


def _speaker(rt: Runtime, language: str):  # type: ignore[no-untyped-def]
    def speak(text: str) -> tuple[Part, ...]:
        return tuple(Part(said, url) for said, url in audio.spoken(rt.config, text, language))

    return speak


def _mark_delivered(rt: Runtime, feedback_id: int) -> None:
    with rt.db.writing() as session:
        row = session.get_one(FeedbackMessage, feedback_id)
        if row.status in ("sent", "unknown"):
            row.status, row.reason = "delivered", None


def _store_reply(rt: Runtime, found: _Call, helpful: bool, words_said: str | None) -> None:
    with rt.db.writing() as session:
        feedback = session.get_one(FeedbackMessage, found.feedback_id)
        conversation = current_conversation(session, found.participant_id)
        record_reply(session, rt, feedback, "voice", helpful, words_said, None, conversation)


def _save(rt: Runtime, call: CallInput, found: _Call, plan: CallPlan, kind: str) -> str:
    prompt = {"feedback_message_id": found.feedback_id, "plays": found.plays}
    return save_step(rt, call, plan, participant_id=found.participant_id, kind=kind, prompt=prompt)


def texts_to_build(rt: Runtime, languages: Iterable[str]) -> list[tuple[str, str]]:
    """Feedback calls' sentences for `heard audio build`: never one with the person's first name."""
    wanted = set(languages)
    found: dict[tuple[str, str], None] = {}
    with rt.db.reading() as session:
        rows = session.execute(
            select(
                FeedbackMessage.body,
                FeedbackMessage.language,
                FeedbackMessage.variant,
                Participant.first_name,
            )
            .join(Participant, Participant.id == FeedbackMessage.participant_id)
            .where(FeedbackMessage.channel == "voice", FeedbackMessage.status.in_(("approved", "queued")))
        ).all()
    for body, language, variant, first_name in rows:
        if language not in wanted:
            continue
        name = (first_name or "").strip().lower()
        for sentence in [*sentences(body or ""), *sentences(words("voice_keys", language, variant, "voice"))]:
            if not name or name not in sentence.lower():
                found[(language, sentence)] = None
    return list(found)
