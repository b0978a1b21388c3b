"""A phone call, one webhook request (step) at a time.

Each request is keyed by CallSid + step: its TwiML is stored, so a retried
request gets the same answer and nothing is stored twice (answers go through
run_turn with the provider id ``"{CallSid}:{step}"``). The step before tells
this one what was asked. Around the engine's questions a call adds what only
a call needs:

- silence: one slower reprompt; a second silence offers a text with the web
  link or a call back from a person, then the call ends politely;
- speech heard with low confidence on a closed question is read back and
  confirmed before run_turn sees it;
- a voicemail gets a short message with the number to call back, never the
  questions.

Nothing is synthesised here: audio is only looked up (app/services/audio.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.channels import voice as channel
from app.channels.base import Inbound
from app.channels.voice import Ask, CallInput, CallPlan, Part
from app.engine import Prompt, match_command
from app.engine.answers import parse_yes_no
from app.models import CallStep, Consent, Message, Participant
from app.services import audio
from app.services.runtime import Runtime
from app.services.turns import TurnResult, run_turn

WEBHOOK = "/webhooks/twilio/voice"


@dataclass(frozen=True)
class _Who:
    participant_id: int | None
    language: str = "en"
    variant: str = "standard"
    records: bool = False  # consented to their answers being recorded


@dataclass(frozen=True)
class _Next:
    """This step's plan and what the next step needs to know."""

    plan: CallPlan
    kind: str  # ask | confirm | offer | end
    prompt: dict[str, Any] | None = None
    silences: int = 0
    pending: str | None = None


def answer_call(rt: Runtime, call: CallInput) -> str:
    """The TwiML for this step of the call (the stored one, for a retry)."""
    done = _step(rt, call.call_sid, call.step)
    if done is not None:
        return done.twiml
    # Issue 8: a call placed to speak someone's "you said, we did" has its own short script.
    from app.services.feedback.voice import answer_feedback_call

    feedback = answer_feedback_call(rt, call)
    if feedback is not None:
        return feedback
    previous = _step(rt, call.call_sid, call.step - 1) if call.step > 0 else None
    who = _who(rt, call.caller)
    if call.step == 0:
        following = (
            _voicemail(rt, call, who)
            if call.machine
            else _from_turn(rt, call, who, _turn(rt, call, "repeat"))
        )
    elif previous is None or previous.kind == "end":
        following = _end(rt, who, "ended")
    elif call.silent:
        following = _after_silence(rt, call, who, previous)
    elif previous.kind == "offer":
        following = _after_offer(rt, call, who)
    elif previous.kind == "confirm":
        following = _after_confirm(rt, call, who, previous)
    else:
        following = _after_answer(rt, call, who, previous)
    plan = following.plan
    if previous is not None and previous.recording:
        plan = replace(plan, stop_recording=_recording_name(previous.step))
    return _save(rt, call, who, following, plan)


# -- what comes next ------------------------------------------------------------------


def _turn(rt: Runtime, call: CallInput, text: str, details: dict[str, Any] | None = None) -> TurnResult:
    inbound = Inbound(
        channel="voice",
        sender=call.caller,
        text=text,
        provider_id=f"{call.call_sid}:{call.step}",
        details={"call_sid": call.call_sid, **(details or {})},
    )
    return run_turn(rt, inbound)


def _from_turn(
    rt: Runtime, call: CallInput, who: _Who, turn: TurnResult, before: tuple[Part, ...] = ()
) -> _Next:
    """The engine's replies as a call: what it said, then its question in a <Gather>."""
    if turn.participant_id is None:
        return _end(rt, who, "unknown_caller")
    replies = turn.replies
    asked = next((i for i in range(len(replies) - 1, -1, -1) if replies[i].kind in ("ask", "reask")), None)
    said = [
        *before,
        *(
            p
            for prompt in replies[: asked if asked is not None else None]
            for p in _parts(rt, prompt.text, who)
        ),
    ]
    if asked is None:
        if not replies:
            said.extend(_parts(rt, channel.words("ended", who.language, who.variant), who))
        return _Next(CallPlan(who.language, before=tuple(said)), "end")
    return _ask(rt, call, who, replies[asked], before=tuple(said))


def _ask(
    rt: Runtime, call: CallInput, who: _Who, prompt: Prompt, before: tuple[Part, ...] = (), silences: int = 0
) -> _Next:
    speech = _speech_on(rt.config, who.language)
    parts = list(_parts(rt, prompt.text, who))
    if prompt.answer_type not in channel.CLOSED:
        extra = "free_text_keys" if speech else "free_text_keypad"
        parts.extend(_parts(rt, channel.words(extra, who.language, who.variant), who))
    slow = silences > 0
    if slow:
        parts = [*_parts(rt, channel.words("slower", who.language, who.variant), who), *parts]
        parts.extend(_parts(rt, channel.words("keys", who.language, who.variant), who))
    record = speech and who.records and prompt.answer_type == "free_text"
    plan = CallPlan(
        who.language,
        before=before,
        ask=Ask(
            parts=tuple(parts),
            action=_action(rt.config, call.step + 1),
            answer_type=prompt.answer_type,
            speech=speech,
            options=channel.prompt_hints(prompt),
            timeout=_timeout(rt.config, slow),
            pause=2 if slow else 0,
        ),
        start_recording=(_recording_name(call.step), _recording_callback(rt.config, call.step + 1))
        if record
        else None,
    )
    return _Next(plan, "ask", prompt=prompt.to_dict(), silences=silences)


def _confirm(
    rt: Runtime, call: CallInput, who: _Who, words: str, prompt: dict[str, Any], silences: int = 0
) -> _Next:
    """Read back what we think we heard; yes passes it on, no asks the question again."""
    parts = [
        Part(channel.words("heard", who.language, who.variant, words=words.strip().rstrip(".!?"))),
        *_parts(rt, channel.words("is_that_right", who.language, who.variant), who),
    ]
    if silences:
        parts = [*_parts(rt, channel.words("slower", who.language, who.variant), who), *parts]
    ask = Ask(
        parts=tuple(parts),
        action=_action(rt.config, call.step + 1),
        answer_type="yes_no",
        speech=_speech_on(rt.config, who.language),
        timeout=_timeout(rt.config, silences > 0),
        pause=2 if silences else 0,
    )
    return _Next(CallPlan(who.language, ask=ask), "confirm", prompt=prompt, silences=silences, pending=words)


def _after_silence(rt: Runtime, call: CallInput, who: _Who, previous: CallStep) -> _Next:
    if previous.kind == "offer":
        return _end(rt, who, "no_answer_goodbye")
    if previous.silences == 0 and previous.prompt:
        if previous.kind == "confirm" and previous.pending:
            return _confirm(rt, call, who, previous.pending, previous.prompt, silences=1)
        return _ask(rt, call, who, Prompt.from_dict(previous.prompt), silences=1)
    ask = Ask(
        parts=tuple(_parts(rt, channel.words("offer", who.language, who.variant), who)),
        action=_action(rt.config, call.step + 1),
        answer_type="choice",
        speech=_speech_on(rt.config, who.language),
        options=("text", "call me"),
        timeout=_timeout(rt.config, True),
    )
    return _Next(
        CallPlan(who.language, ask=ask), "offer", prompt=previous.prompt, silences=previous.silences + 1
    )


def _after_offer(rt: Runtime, call: CallInput, who: _Who) -> _Next:
    said = (call.speech or "").lower()
    if call.digits == "1" or "text" in said:
        if who.participant_id is not None and _text_link(rt, who):
            return _end(rt, who, "texted")
        _turn(rt, call, "call me", {"offer": "text", "digits": call.digits})
        return _end(rt, who, "not_texted")
    if call.digits == "2" or "call" in said:
        # Through the engine, so the request for a call back is recorded as any other.
        _turn(rt, call, "call me", {"offer": "call", "digits": call.digits})
        return _end(rt, who, "calling_back")
    return _end(rt, who, "no_answer_goodbye")


def _after_confirm(rt: Runtime, call: CallInput, who: _Who, previous: CallStep) -> _Next:
    yes = call.digits == "1" or (not call.digits and parse_yes_no(call.speech or "") == "yes")
    if yes and previous.pending:
        turn = _turn(rt, call, previous.pending, {"confirmed": True, "speech": True})
        return _from_turn(rt, call, who, turn)
    retry = tuple(_parts(rt, channel.words("try_again", who.language, who.variant), who))
    return _ask(rt, call, who, Prompt.from_dict(previous.prompt or {}), before=retry)


def _after_answer(rt: Runtime, call: CallInput, who: _Who, previous: CallStep) -> _Next:
    prompt = previous.prompt or {}
    answer_type = prompt.get("answer_type")
    if call.digits:
        text = channel.keypad_text(call.digits, answer_type)
        return _from_turn(rt, call, who, _turn(rt, call, text, {"digits": call.digits}))
    words = call.speech or ""
    unsure = call.confidence is not None and call.confidence < float(rt.config["VOICE_MIN_CONFIDENCE"])
    if unsure and answer_type in channel.CLOSED and match_command(words) is None:
        return _confirm(rt, call, who, words, prompt)
    return _from_turn(rt, call, who, _turn(rt, call, words, {"confidence": call.confidence, "speech": True}))


def _voicemail(rt: Runtime, call: CallInput, who: _Who) -> _Next:
    from app.services.calling import callback_number, note_voicemail

    note_voicemail(rt, call.call_sid)
    number = channel.spoken_number(callback_number(rt.config))
    text = channel.words("voicemail", who.language, who.variant, number=number)
    return _Next(CallPlan(who.language, before=tuple(_parts(rt, text, who))), "end")


def _end(rt: Runtime, who: _Who, key: str) -> _Next:
    text = channel.words(key, who.language, who.variant)
    return _Next(CallPlan(who.language, before=tuple(_parts(rt, text, who))), "end")


# -- helpers ------------------------------------------------------------------------


def _parts(rt: Runtime, text: str, who: _Who) -> list[Part]:
    return [Part(words, url) for words, url in audio.spoken(rt.config, text, who.language)]


def _speech_on(config: Mapping[str, Any], language: str) -> bool:
    return language in {lang.strip() for lang in str(config.get("VOICE_SPEECH_LANGUAGES") or "").split(",")}


def _timeout(config: Mapping[str, Any], slow: bool) -> int:
    seconds = int(config.get("VOICE_TIMEOUT") or 6)
    return seconds * 2 if slow else seconds


def _action(config: Mapping[str, Any], step: int) -> str:
    return f"{config['PUBLIC_BASE_URL']}{WEBHOOK}/gather?step={step}"


def _recording_name(step: int) -> str:
    return f"heard-answer-{step}"  # named, so the next step's <Stop> can end it


def _recording_callback(config: Mapping[str, Any], step: int) -> str:
    return f"{config['PUBLIC_BASE_URL']}{WEBHOOK}/recording?step={step}"


def _who(rt: Runtime, caller: str) -> _Who:
    from app.services.participants import find_participant

    with rt.db.reading() as session:
        participant = find_participant(session, rt.crypto, "voice", caller)
        if participant is None:
            return _Who(None)
        consent = session.scalars(
            select(Consent.given)
            .where(Consent.participant_id == participant.id, Consent.scope == "recording")
            .order_by(Consent.id.desc())
            .limit(1)
        ).first()
        return _Who(participant.id, participant.language, participant.variant, bool(consent))


def _text_link(rt: Runtime, who: _Who) -> bool:
    from app.services.outbound import send

    with rt.db.reading() as session:
        participant = session.get_one(Participant, who.participant_id)
        link = rt.chat_url(participant.chat_token)
    text = channel.words("link_text", who.language, who.variant, link=link)
    return send(rt, participant.id, text, purpose="prompt", channel="sms").sent


def _step(rt: Runtime, call_sid: str, step: int) -> CallStep | None:
    with rt.db.reading() as session:
        return session.scalar(select(CallStep).where(CallStep.call_sid == call_sid, CallStep.step == step))


def _save(rt: Runtime, call: CallInput, who: _Who, following: _Next, plan: CallPlan) -> str:
    return save_step(
        rt,
        call,
        plan,
        participant_id=who.participant_id,
        kind=following.kind,
        prompt=following.prompt,
        silences=following.silences,
        pending=following.pending,
        recording=plan.start_recording is not None,
    )


def save_step(rt: Runtime, call: CallInput, plan: CallPlan, **fields: Any) -> str:
    """Store a step's TwiML once, so a retried request gets the same answer; returns the TwiML."""
    twiml = channel.twiml(plan)
    try:
        with rt.db.writing() as session:
            session.add(
                CallStep(call_sid=call.call_sid, step=call.step, twiml=twiml, created_at=rt.clock(), **fields)
            )
    except IntegrityError:
        # The same step arrived twice at once: the first answer stands.
        stored = _step(rt, call.call_sid, call.step)
        if stored is None:
            raise
        return stored.twiml
    return twiml


def keep_recording(rt: Runtime, call_sid: str, step: int, url: str, recording_sid: str | None) -> bool:
    """A recording of an answer is ready: keep its address (only) with the words it goes with."""
    with rt.db.writing() as session:
        message = session.scalar(
            select(Message).where(
                Message.channel == "voice",
                Message.direction == "in",
                Message.provider_id == f"{call_sid}:{step}",
            )
        )
        if message is None:
            return False
        message.payload = {
            **(message.payload or {}),
            "recording_url": url[:500],
            "recording_sid": recording_sid,
        }
        return True
