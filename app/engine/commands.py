"""Commands a person can send at any question (docs/flows.md, "Commands").

Only a whole message is a command, so an answer that mentions "stop" or
"help" in a sentence is still an answer.
"""

from __future__ import annotations

from typing import Literal

from app.engine.normalise import normalise

Command = Literal["stop", "help", "repeat", "back", "skip", "call_me", "withdraw"]

# "|"-separated, as a person would type them; compared after normalise().
_COMMANDS: dict[str, str] = {
    "stop": """stop | stopio | stop it | stop now | stop messaging me | stop texting me | stop all | stopall |
        unsubscribe | cancel | end | quit | stopiwch | stopiwch y negeseuon""",
    "help": "help | help me | i need help | info | cymorth | helpu | help fi | helpwch fi",
    "repeat": """repeat | repeat that | repeat the question | again | say again | say that again | pardon |
        eto | ailadrodd | dweud eto | unwaith eto""",
    "back": """back | go back | previous | previous question | last question |
        nol | yn ol | mynd yn ol | mynd nol | cwestiwn blaenorol""",
    "skip": """skip | skip it | skip this | skip that | skip question | skip this question | next |
        next question | pass | sgipio | sgip | nesaf | cwestiwn nesaf""",
    "call_me": """call me | call me back | can someone call me | call | ring me | ring me back | phone me |
        phone me back | i want to talk to someone | i want to speak to someone | speak to a person |
        talk to a person | ffoniwch fi | ffonio fi | ffoniwch fi nol | ffoniwch fi yn ol | galwch fi""",
    # Withdrawing consent: erases their answers (app/services/erasure.py), so only plain asks for it.
    "withdraw": """withdraw | withdraw me | withdraw my answers | delete my answers | delete my answers too |
        remove my answers | i dont want to take part any more | i dont want to take part anymore |
        i do not want to take part any more | i do not want to take part anymore |
        i no longer want to take part | i dont want to be part of this any more |
        tynnu nol | tynnun ol | tynnu yn ol | tynnu allan | dilewch fy atebion | dileu fy atebion |
        dw i ddim eisiau cymryd rhan mwyach | dw i ddim eisiau cymryd rhan rhagor |
        dydw i ddim eisiau cymryd rhan mwyach | dydw i ddim eisiau cymryd rhan rhagor |
        dwi ddim eisiau cymryd rhan mwyach | dwi ddim eisiau cymryd rhan rhagor""",
}
_LOOKUP: dict[str, Command] = {
    normalise(text): command  # type: ignore[misc]
    for command, texts in _COMMANDS.items()
    for text in texts.split("|")
}
# Politeness around a command doesn't change it: "Stop please", "please call me".
_POLITE_START = ("please ", "pls ", "plz ", "can you ", "could you ", "can i ", "i want to ", "id like to ")
_POLITE_END = (
    " please",
    " pls",
    " plz",
    " thanks",
    " thank you",
    " now",
    " os gwelwch yn dda",
    " plis",
    " diolch",
)


def match_command(text: str) -> Command | None:
    """The command this whole message is, or None if it is an answer."""
    return match_normalised(normalise(text))


def match_normalised(words: str) -> Command | None:
    """:func:`match_command` for a message already put through normalise()."""
    for _ in range(3):  # peel up to three layers: "please stop now thanks"
        if words in _LOOKUP:
            return _LOOKUP[words]
        stripped = words
        if stripped.startswith(_POLITE_START):
            for start in _POLITE_START:
                if stripped.startswith(start):
                    stripped = stripped[len(start) :]
        if stripped.endswith(_POLITE_END):
            for end in _POLITE_END:
                if stripped.endswith(end):
                    stripped = stripped[: -len(end)]
        if stripped == words:
            break
        words = stripped
    return _LOOKUP.get(words)
