"""The words around the actions in a "you said, we did" message, in the flows' wording format.

Each block has English standard and easy-read wording and a ``cy:`` block,
picked by app/engine/wording.pick with the same fall-back order as a flow.
Easy-read sentences are 15 words or fewer (tests/feedback check every one).
Welsh: {council} only after "Mae" or at a sentence start, as in the flows.
"""

from __future__ import annotations

import functools

from app.engine.types import Audience
from app.engine.wording import Wording, fill, pick

WORDS: dict[str, Wording] = {
    "greeting": {"standard": "Hello {first_name}.", "cy": {"standard": "Helo {first_name}."}},
    "intro": {
        "standard": "{council} has acted on what you told its Practice Review.",
        "easy_read": "{council} listened to what you told us.",
        "cy": {
            "standard": "Mae {council} wedi gweithredu ar beth ddywedoch chi wrth ei Adolygiad Ymarfer.",
            "easy_read": "Mae {council} wedi gwrando ar beth ddywedoch chi.",
        },
    },
    "intro_headline": {
        "standard": "{council} has made changes because of what people told its Practice Review.",
        "easy_read": "{council} has made changes after the review.",
        "cy": {
            "standard": (
                "Mae {council} wedi gwneud newidiadau oherwydd beth ddywedodd pobl wrth ei Adolygiad Ymarfer."
            ),
            "easy_read": "Mae {council} wedi gwneud newidiadau ar ôl yr adolygiad.",
        },
    },
    "you_said": {"standard": "You said:", "cy": {"standard": "Beth ddywedoch chi:"}},
    "done": {"standard": "We did:", "cy": {"standard": "Beth wnaethon ni:"}},
    "in_progress": {"standard": "We are doing:", "cy": {"standard": "Rydyn ni'n gwneud hyn:"}},
    "planned": {"standard": "We will:", "cy": {"standard": "Byddwn ni'n gwneud hyn:"}},
    "more": {
        "standard": "Read more: {link}",
        "easy_read": "Read it here: {link}",
        "cy": {"standard": "Darllenwch fwy: {link}", "easy_read": "Darllenwch yma: {link}"},
    },
    "ask_reply": {
        "standard": "Was this helpful? Reply YES or NO, or tell us in your own words.",
        "easy_read": "Was this helpful? Reply YES or NO.",
        "cy": {
            "standard": (
                "Oedd hyn yn ddefnyddiol? Atebwch IE neu NA, neu dywedwch wrthon ni yn eich geiriau eich hun."
            ),
            "easy_read": "Oedd hyn yn help? Atebwch IE neu NA.",
        },
    },
    "closing": {
        "standard": "Thank you for taking part. Your words helped change things.",
        "easy_read": "Thank you for helping. Your words made a difference.",
        "cy": {
            "standard": "Diolch am gymryd rhan. Helpodd eich geiriau i newid pethau.",
            "easy_read": "Diolch am helpu. Gwnaeth eich geiriau wahaniaeth.",
        },
    },
    "contact": {
        "standard": "Questions? Call {help_phone}.",
        "cy": {"standard": "Cwestiynau? Ffoniwch {help_phone}."},
    },
    # A call: the name is its own sentence, so the rest can be spoken from the audio cache.
    "voice_intro": {
        "standard": "This is Heard. {council} has news for you about the Practice Review.",
        "easy_read": "This is Heard. {council} has news for you.",
        "cy": {
            "standard": (
                "Heard sydd yma. Mae {council} wedi anfon newyddion atoch chi am yr Adolygiad Ymarfer."
            ),
            "easy_read": "Heard sydd yma. Mae {council} wedi anfon newyddion atoch chi.",
        },
    },
    "voice_keys": {
        "standard": "Press 1 to hear it again. Press 2 if this was helpful. Press 3 if it was not.",
        "cy": {"standard": "Pwyswch 1 i'w glywed eto. Pwyswch 2 os oedd hyn yn help. Pwyswch 3 os nad oedd."},
    },
    "voice_goodbye": {"standard": "Thank you. Goodbye.", "cy": {"standard": "Diolch. Hwyl fawr."}},
    # A voicemail anyone in the house may hear: no names, nothing about care.
    "voice_voicemail": {
        "standard": "Hello. This is Heard, with news about a review you took part in. "
        "Please call us on {number}. Goodbye.",
        "cy": {
            "standard": "Helo. Heard sydd yma, gyda newyddion am adolygiad y buoch chi'n rhan ohono. "
            "Ffoniwch ni ar {number}. Hwyl fawr."
        },
    },
    "reply_thanks": {
        "standard": "Thank you. We have passed on what you said.",
        "cy": {"standard": "Diolch. Rydyn ni wedi rhannu beth ddywedoch chi."},
    },
}

# Labels of the /f/<token> page, as one block each so Welsh and easy read follow the same rules.
PAGE: dict[str, Wording] = {
    "title": {
        "standard": "What changed because of what you told us",
        "easy_read": "What changed",
        "cy": {"standard": "Beth newidiodd oherwydd beth ddywedoch chi", "easy_read": "Beth newidiodd"},
    },
    "helpful": {
        "standard": "Was this helpful?",
        "cy": {"standard": "Oedd hyn yn ddefnyddiol?", "easy_read": "Oedd hyn yn help?"},
    },
    "yes": {"standard": "Yes", "cy": {"standard": "Ie"}},
    "no": {"standard": "No", "cy": {"standard": "Na"}},
    "words": {
        "standard": "Anything you would like to tell us (optional)",
        "easy_read": "Tell us more if you want to",
        "cy": {
            "standard": "Unrhyw beth yr hoffech chi ei ddweud wrthon ni (dewisol)",
            "easy_read": "Dywedwch fwy os ydych chi eisiau",
        },
    },
    "send": {"standard": "Send", "cy": {"standard": "Anfon"}},
    "thanks": {
        "standard": "Thank you. We have passed on what you said.",
        "cy": {"standard": "Diolch. Rydyn ni wedi rhannu beth ddywedoch chi."},
    },
    "letter": {
        "standard": "Print this as a letter (PDF)",
        "easy_read": "Print this (PDF)",
        "cy": {"standard": "Argraffu hwn fel llythyr (PDF)", "easy_read": "Argraffu hwn (PDF)"},
    },
    "skip_link": {"standard": "Skip to main content", "cy": {"standard": "Neidio i'r prif gynnwys"}},
}

# The easy-read picture for each of the flow's themes (content/easy_read/).
THEME_PICTURES = {
    "voice_of_person": "listening.svg",
    "strengths": "strengths.svg",
    "outcomes": "outcomes.svg",
    "family_and_carers": "family.svg",
    "identity": "respect.svg",
    "access": "contact.svg",
    "timeliness": "waiting.svg",
    "improvement": "better.svg",
    "other": "anything_else.svg",
}
DEFAULT_PICTURE = "better.svg"


@functools.lru_cache(maxsize=512)
def _picked(key: str, language: str, variant: str, channel: str) -> str:
    """WORDS is fixed, so each block's choice for an audience is made once."""
    return pick(WORDS[key], Audience(variant=variant, channel=channel, language=language))


def words(key: str, language: str, variant: str, channel: str = "web", **values: str) -> str:
    """One block in this person's wording, with {council}, {first_name}, {link} ... filled in."""
    text = _picked(key, language, variant, channel)
    for name in ("link", "help_phone", "number"):
        if name in values:
            text = text.replace("{" + name + "}", values[name])
    return fill(text, {k: v for k, v in values.items() if k in ("first_name", "council")}, language)


def page_text(language: str, variant: str) -> dict[str, str]:
    audience = Audience(variant=variant, channel="web", language=language)
    return {"lang": language, **{key: pick(block, audience) for key, block in PAGE.items()}}


def picture_for(themes: list[str] | None) -> str:
    for theme in themes or []:
        if theme in THEME_PICTURES:
            return THEME_PICTURES[theme]
    return DEFAULT_PICTURE
