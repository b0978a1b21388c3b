"""Phone calls by Twilio: a webhook's form becomes a CallInput; a plan becomes TwiML.

Translation only: what to say next (a reprompt, a confirmation, an offer to
text) is decided in app/services/call_steps.py. Here live the keypad
mapping, the words only a phone call needs, and the <Gather> every question
is asked in.

Welsh is answered by keypad only: we could not confirm that Twilio's speech
recognition supports cy-GB, and a recogniser guessing at Welsh would store
words the person never said (docs/voice.md). VOICE_SPEECH_LANGUAGES turns
speech on per language once it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from twilio.twiml.voice_response import Gather, Recording, VoiceResponse

from app.engine import Audience, Prompt
from app.engine.wording import Wording, pick

TAGS = {"en": "en-GB", "cy": "cy-GB"}  # BCP-47, as <Gather> and <Say> want them
CLOSED = ("yes_no", "scale", "choice")  # answers a key can give

# Keys that mean the same at every question, said in the reprompt.
KEY_COMMANDS = {"*": "repeat", "0": "call me"}
# At a question in the person's own words a key can't be the answer: 1 moves on.
FREE_TEXT_KEYS = {"1": "skip"}


@dataclass(frozen=True)
class CallInput:
    """One request from Twilio about a call: who, which step, and what they said or pressed."""

    call_sid: str
    step: int
    caller: str  # the person's number, whichever way the call went
    outbound: bool
    speech: str | None = None
    confidence: float | None = None
    digits: str | None = None
    answered_by: str | None = None

    @property
    def silent(self) -> bool:
        return not (self.speech or self.digits)

    @property
    def machine(self) -> bool:
        return (self.answered_by or "").startswith(("machine", "fax"))


def call_from_form(form: Mapping[str, str], step: int) -> CallInput | None:
    sid = (form.get("CallSid") or "").strip()
    outbound = (form.get("Direction") or "").startswith("outbound")
    caller = (form.get("To") if outbound else form.get("From")) or ""
    if not sid or not caller.strip():
        return None
    try:
        confidence = float(form["Confidence"]) if form.get("Confidence") else None
    except ValueError:
        confidence = None
    return CallInput(
        call_sid=sid[:64],
        step=step,
        caller=caller.strip(),
        outbound=outbound,
        speech=(form.get("SpeechResult") or "").strip()[:2000] or None,
        confidence=confidence,
        digits=(form.get("Digits") or "").strip()[:10] or None,
        answered_by=(form.get("AnsweredBy") or "").strip() or None,
    )


def keypad_text(digits: str, answer_type: str | None) -> str:
    """What a key press means as a reply: a command, or the digit (the engine reads 1 as yes)."""
    if digits in KEY_COMMANDS:
        return KEY_COMMANDS[digits]
    if answer_type not in CLOSED:
        return FREE_TEXT_KEYS.get(digits, "repeat")
    return digits


@dataclass(frozen=True)
class CallStatus:
    call_sid: str
    status: str
    answered_by: str | None
    error_code: str | None


def status_from_form(form: Mapping[str, str]) -> CallStatus | None:
    sid = (form.get("CallSid") or "").strip()
    status = (form.get("CallStatus") or "").strip().lower()
    if not sid or not status:
        return None
    return CallStatus(
        sid, status, form.get("AnsweredBy") or None, (form.get("ErrorCode") or "").strip() or None
    )


# -- the words only a phone call needs ------------------------------------------------

VOICE_WORDS: dict[str, Wording] = {
    "slower": {
        "standard": "Take your time. Here is the question again.",
        "easy_read": "Take your time. Here is the question again.",
        "cy": {"standard": "Cymerwch eich amser. Dyma'r cwestiwn eto."},
    },
    "keys": {
        "standard": "You can press star to hear it again, or 0 for a person to call you.",
        "easy_read": "Press star to hear it again. Press 0 for a person to call you.",
        "cy": {
            "standard": "Gallwch bwyso seren i'w glywed eto, neu 0 i berson eich ffonio.",
            "easy_read": "Pwyswch seren i'w glywed eto. Pwyswch 0 i berson eich ffonio.",
        },
    },
    "free_text_keys": {
        "standard": "Or press 1 to move on.",
        "cy": {"standard": "Neu pwyswch 1 i symud ymlaen."},
    },
    # Welsh by keypad: their own words need a person, so we offer one.
    "free_text_keypad": {
        "standard": "Press 1 to move on, or press 0 and a person will call you to hear your answer.",
        "easy_read": "Press 1 to move on. Or press 0 and a person will call you.",
        "cy": {
            "standard": (
                "Pwyswch 1 i symud ymlaen, neu pwyswch 0 a bydd person yn eich ffonio i glywed eich ateb."
            ),
            "easy_read": "Pwyswch 1 i symud ymlaen. Neu pwyswch 0 a bydd person yn eich ffonio.",
        },
    },
    "offer": {
        "standard": (
            "We have not heard an answer. Press 1 and we will text you a link, so you can answer in writing. "
            "Press 2 and a person from the review team will call you back."
        ),
        "easy_read": (
            "We did not hear an answer. Press 1 and we will send you a text. "
            "Press 2 and a person will call you back."
        ),
        "cy": {
            "standard": (
                "Dydyn ni ddim wedi clywed ateb. Pwyswch 1 a byddwn ni'n anfon dolen atoch chi mewn neges "
                "destun, i chi ateb yn ysgrifenedig. "
                "Pwyswch 2 a bydd person o dîm yr adolygiad yn eich ffonio yn ôl."
            ),
            "easy_read": (
                "Chlywson ni ddim ateb. Pwyswch 1 a byddwn ni'n anfon neges destun. "
                "Pwyswch 2 a bydd person yn eich ffonio yn ôl."
            ),
        },
    },
    "texted": {
        "standard": "Thank you. We have sent you a text with a link. Goodbye.",
        "easy_read": "Thank you. We have sent you a text. Goodbye.",
        "cy": {
            "standard": "Diolch. Rydyn ni wedi anfon neges destun gyda dolen atoch chi. Hwyl fawr.",
            "easy_read": "Diolch. Rydyn ni wedi anfon neges destun. Hwyl fawr.",
        },
    },
    "not_texted": {
        "standard": (
            "Sorry, we can't send a text just now. A person from the review team will call you. Goodbye."
        ),
        "easy_read": "Sorry, we cannot send a text now. A person will call you. Goodbye.",
        "cy": {
            "standard": (
                "Mae'n ddrwg gen i, allwn ni ddim anfon neges nawr. Bydd person o'r tîm yn eich ffonio. "
                "Hwyl fawr."
            ),
            "easy_read": "Sori, allwn ni ddim anfon neges nawr. Bydd person yn eich ffonio. Hwyl fawr.",
        },
    },
    "calling_back": {
        "standard": "Thank you. Someone from the review team will call you back. Goodbye.",
        "easy_read": "Thank you. A person from the team will call you. Goodbye.",
        "cy": {
            "standard": "Diolch. Bydd rhywun o dîm yr adolygiad yn eich ffonio yn ôl. Hwyl fawr.",
            "easy_read": "Diolch. Bydd person o'r tîm yn eich ffonio. Hwyl fawr.",
        },
    },
    "no_answer_goodbye": {
        "standard": "Thank you for your time. You can call us back whenever suits you. Goodbye.",
        "easy_read": "Thank you. You can call us back any time. Goodbye.",
        "cy": {
            "standard": "Diolch am eich amser. Gallwch ein ffonio yn ôl pryd bynnag sy'n gyfleus. Hwyl fawr.",
            "easy_read": "Diolch. Gallwch ein ffonio yn ôl unrhyw bryd. Hwyl fawr.",
        },
    },
    # The text sent when they press 1 at the offer (an SMS, so plain GSM-7 characters).
    "link_text": {
        "standard": "Here is your link to answer the questions in writing, when it suits you: {link}",
        "easy_read": "Here is your link to answer in writing: {link}",
        "cy": {
            "standard": "Dyma eich dolen i ateb y cwestiynau yn ysgrifenedig, pan fydd yn gyfleus: {link}"
        },
    },
    "heard": {"standard": "I heard: {words}.", "cy": {"standard": "Clywais i: {words}."}},
    "is_that_right": {
        "standard": "Is that right? Say yes or no, or press 1 for yes, 2 for no.",
        "easy_read": "Is that right? Press 1 for yes, 2 for no.",
        "cy": {"standard": "Ydy hynny'n iawn? Pwyswch 1 am ie, 2 am na."},
    },
    "try_again": {
        "standard": "Sorry about that. Let's try again.",
        "easy_read": "Sorry. Let us try again.",
        "cy": {"standard": "Mae'n ddrwg gen i. Gadewch i ni drio eto."},
    },
    "ended": {
        "standard": "This call has finished. Thank you. Goodbye.",
        "cy": {"standard": "Mae'r alwad wedi gorffen. Diolch. Hwyl fawr."},
    },
    # Reveals nothing: no name, no council, no review.
    "unknown_caller": {
        "standard": (
            "Sorry, we don't recognise the number you are calling from. "
            "Please contact the review team if you think this is wrong. Goodbye."
        ),
        "cy": {
            "standard": (
                "Mae'n ddrwg gennym, dydyn ni ddim yn adnabod y rhif rydych chi'n ffonio ohono. "
                "Cysylltwch â thîm yr adolygiad os ydych chi'n meddwl bod hyn yn anghywir. Hwyl fawr."
            )
        },
    },
    # A voicemail anyone in the house may hear: no questions, no names, nothing about care.
    "voicemail": {
        "standard": (
            "Hello. This is Heard, calling with a few short questions for you. There is nothing to worry "
            "about. Please call us back on {number}, at a time that suits you. Thank you. Goodbye."
        ),
        "cy": {
            "standard": (
                "Helo. Heard sydd yma, yn ffonio gydag ychydig o gwestiynau byr i chi. Does dim byd i boeni "
                "amdano. Ffoniwch ni yn ôl ar {number}, pan fydd yn gyfleus i chi. Diolch. Hwyl fawr."
            )
        },
    },
}


def words(key: str, language: str, variant: str = "standard", **values: str) -> str:
    text = pick(VOICE_WORDS[key], Audience(variant=variant, channel="voice", language=language))
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def spoken_number(number: str) -> str:
    """A phone number as it should be read out: digit by digit, in its usual groups."""
    digits = "".join(c for c in number if c.isdigit() or c == "+")
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    groups = [digits[:4], digits[4:7], digits[7:]] if len(digits) == 11 else [digits]
    return ", ".join(" ".join(group) for group in groups if group)


# -- TwiML ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """Something to say: a cached recording (url) or words for <Say>."""

    text: str
    url: str | None = None


@dataclass(frozen=True)
class Ask:
    """A question waiting for an answer: what to say inside the <Gather>, and how to listen."""

    parts: tuple[Part, ...]
    action: str
    answer_type: str | None
    speech: bool
    options: tuple[str, ...] = ()  # option labels, as hints for the recogniser
    timeout: int = 6
    pause: int = 0  # seconds of quiet first: the slower reprompt


@dataclass(frozen=True)
class CallPlan:
    """One response: what to say, then a question to listen for, or the end of the call."""

    language: str
    before: tuple[Part, ...] = ()
    ask: Ask | None = None
    # Record the answer to this question (consent covers it): the recording's name and status callback.
    start_recording: tuple[str, str] | None = None
    stop_recording: str | None = None  # the name of the recording started one step before
    notes: dict[str, Any] = field(default_factory=dict)


_COMMAND_HINTS = "repeat, help, skip, back, stop, call me"
_TYPE_HINTS = {
    "yes_no": "yes, no, yeah, nope",
    "scale": "one, two, three, four, five, not at all, not very well, OK, well, very well",
    "number": "one, two, three, four, five, six, seven, eight, nine, ten",
}


def hints(ask: Ask) -> str:
    found = [_TYPE_HINTS.get(ask.answer_type or "", ""), ", ".join(ask.options), _COMMAND_HINTS]
    words = [w.strip() for h in found for w in h.split(",") if w.strip()]
    seen: set[str] = set()
    unique = [w for w in words if not (w.lower() in seen or seen.add(w.lower()))]
    return ", ".join(unique)[:900]


def _say(target: VoiceResponse | Gather, parts: Iterable[Part], language: str) -> None:
    for part in parts:
        if part.url:
            target.play(part.url)
        else:
            target.say(part.text, language=TAGS.get(language, "en-GB"))


def twiml(plan: CallPlan) -> str:
    response = VoiceResponse()
    if plan.stop_recording:
        response.stop().nest(Recording(name=plan.stop_recording))
    _say(response, plan.before, plan.language)
    if plan.ask is None:
        response.hangup()
        return str(response)
    if plan.start_recording:
        name, callback = plan.start_recording
        response.start().recording(
            name=name,
            recording_status_callback=callback,
            recording_status_callback_event="completed",
            track="inbound",  # their voice only
        )
    ask = plan.ask
    gather = response.gather(
        input="speech dtmf" if ask.speech else "dtmf",
        language=TAGS.get(plan.language, "en-GB"),
        timeout=ask.timeout,
        speech_timeout="auto",
        action=ask.action,
        method="POST",
        action_on_empty_result=True,
        num_digits=1,
        profanity_filter=False,  # their words as said, never starred out
        hints=hints(ask) if ask.speech else None,
    )
    if ask.pause:
        gather.pause(length=ask.pause)
    _say(gather, ask.parts, plan.language)
    return str(response)


def prompt_hints(prompt: Prompt) -> tuple[str, ...]:
    return tuple(option.label for option in prompt.options if option.label)


# -- reading TwiML back (the sandbox's script of a call) --------------------------------------


@dataclass(frozen=True)
class ScriptLine:
    """One thing the caller hears or does, in order: say | play | listen | pause | record | hang up."""

    kind: str
    text: str = ""
    url: str | None = None
    keys_only: bool = False
    action: str | None = None


def read_script(twiml_text: str) -> list[ScriptLine]:
    from xml.etree import ElementTree

    lines: list[ScriptLine] = []

    def walk(element: ElementTree.Element) -> None:
        for child in element:
            if child.tag == "Say":
                lines.append(ScriptLine("say", child.text or ""))
            elif child.tag == "Play":
                lines.append(ScriptLine("play", url=child.text))
            elif child.tag == "Pause":
                lines.append(ScriptLine("pause", child.get("length", "1")))
            elif child.tag == "Gather":
                walk(child)
                keys_only = "speech" not in (child.get("input") or "")
                lines.append(
                    ScriptLine("listen", child.get("timeout", ""), None, keys_only, child.get("action"))
                )
            elif child.tag in ("Start", "Stop") and child.find("Recording") is not None:
                lines.append(ScriptLine("record", "starts" if child.tag == "Start" else "stops"))
            elif child.tag == "Hangup":
                lines.append(ScriptLine("hangup"))

    # Our own TwiML (stored from twiml() above), never XML from outside.
    walk(ElementTree.fromstring(twiml_text))  # nosec B314
    return lines
