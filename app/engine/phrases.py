"""The engine's own words: re-asks, hints, help, notices and default labels.

Each phrase is a wording block in the flow file format (variants, channel
overrides, a ``cy:`` block), so it is chosen by the same fall-back order as a
flow's wording; unlike a flow's, a phrase's ``peer`` wording is what the peer
reviewer says to the person. Easy-read phrases keep to 15 words a sentence,
in both languages on every channel (tested).
"""

from __future__ import annotations

from app.engine.types import Audience
from app.engine.wording import Wording, pick

PHRASES: dict[str, Wording] = {
    "reask": {
        "standard": "Sorry, I didn't quite understand.",
        "easy_read": "Sorry, I did not understand.",
        "cy": {
            "standard": "Mae'n ddrwg gen i, wnes i ddim deall yn iawn.",
            "easy_read": "Sori, wnes i ddim deall.",
        },
    },
    "hint_yes_no": {
        "standard": "Please reply YES or NO.",
        "easy_read": "Reply YES or NO.",
        "voice": {
            "standard": "Please say yes or no, or press 1 for yes and 2 for no.",
            "easy_read": "Say yes or no. Or press 1 for yes, 2 for no.",
        },
        "web": {"standard": "Please choose Yes or No.", "easy_read": "Choose Yes or No."},
        "telegram": {"standard": "Please tap Yes or No.", "easy_read": "Tap Yes or No."},
        "cy": {
            "standard": "Atebwch IE neu NA, os gwelwch yn dda.",
            "easy_read": "Atebwch IE neu NA.",
            "voice": {
                "standard": "Dywedwch ie neu na, neu pwyswch 1 am ie a 2 am na.",
                "easy_read": "Dywedwch ie neu na. Neu pwyswch 1 am ie, 2 am na.",
            },
            "web": {"standard": "Dewiswch Ie neu Na, os gwelwch yn dda.", "easy_read": "Dewiswch Ie neu Na."},
            "telegram": {
                "standard": "Pwyswch Ie neu Na, os gwelwch yn dda.",
                "easy_read": "Pwyswch Ie neu Na.",
            },
        },
    },
    "hint_scale": {
        "standard": "Please reply with a number from 1 to 5.",
        "easy_read": "Reply with a number from 1 to 5.",
        "voice": {
            "standard": "Please say or press a number from 1 to 5.",
            "easy_read": "Say or press a number from 1 to 5.",
        },
        "web": {
            "standard": "Please choose a number from 1 to 5.",
            "easy_read": "Choose a number from 1 to 5.",
        },
        "telegram": {
            "standard": "Please tap a number from 1 to 5.",
            "easy_read": "Tap a number from 1 to 5.",
        },
        "cy": {
            "standard": "Atebwch gyda rhif o 1 i 5, os gwelwch yn dda.",
            "easy_read": "Atebwch gyda rhif o 1 i 5.",
            "voice": {
                "standard": "Dywedwch neu pwyswch rif o 1 i 5, os gwelwch yn dda.",
                "easy_read": "Dywedwch neu pwyswch rif o 1 i 5.",
            },
            "web": {
                "standard": "Dewiswch rif o 1 i 5, os gwelwch yn dda.",
                "easy_read": "Dewiswch rif o 1 i 5.",
            },
            "telegram": {
                "standard": "Pwyswch rif o 1 i 5, os gwelwch yn dda.",
                "easy_read": "Pwyswch rif o 1 i 5.",
            },
        },
    },
    # By text the options were numbered in the question just above, so the hint gives the range.
    "hint_choice": {
        "standard": "Please reply with the number of your answer.",
        "easy_read": "Reply with the number of your answer.",
        "sms": {
            "standard": "Please reply with a number from 1 to {count}.",
            "easy_read": "Reply with a number from 1 to {count}.",
        },
        "voice": {
            "standard": "Please say your answer, or press its number.",
            "easy_read": "Say your answer. Or press its number.",
        },
        "web": {"standard": "Please choose one of the answers.", "easy_read": "Choose one answer."},
        "telegram": {"standard": "Please tap one of the answers.", "easy_read": "Tap one answer."},
        "cy": {
            "standard": "Atebwch gyda rhif eich ateb, os gwelwch yn dda.",
            "easy_read": "Atebwch gyda rhif eich ateb.",
            "sms": {
                "standard": "Atebwch gyda rhif o 1 i {count}, os gwelwch yn dda.",
                "easy_read": "Atebwch gyda rhif o 1 i {count}.",
            },
            "voice": {
                "standard": "Dywedwch eich ateb, neu pwyswch ei rif.",
                "easy_read": "Dywedwch eich ateb. Neu pwyswch ei rif.",
            },
            "web": {
                "standard": "Dewiswch un o'r atebion, os gwelwch yn dda.",
                "easy_read": "Dewiswch un ateb.",
            },
            "telegram": {
                "standard": "Pwyswch un o'r atebion, os gwelwch yn dda.",
                "easy_read": "Pwyswch un ateb.",
            },
        },
    },
    # One line per option, added to a choice question where there are no buttons. The label
    # comes first, so it starts its own sentence (a capital is right) and nothing before it
    # mutates it: "am {label}" would need a Welsh soft mutation ("am Lai nag wythnos").
    # In a text, "1 - Less than a week": the dash keeps the number apart from the words, so it
    # is never read as "one less than a week" (no "=" in easy read; still starts "1 ").
    "option_line": {
        "standard": "{number} - {label}",
        "voice": "{label}: press {number}.",
        "cy": {"standard": "{number} - {label}", "voice": "{label}: pwyswch {number}."},
    },
    "hint_number": {
        "standard": "Please reply with a number.",
        "easy_read": "Reply with a number.",
        "voice": {"standard": "Please say or press a number.", "easy_read": "Say or press a number."},
        "cy": {
            "standard": "Atebwch gyda rhif, os gwelwch yn dda.",
            "easy_read": "Atebwch gyda rhif.",
            "voice": {
                "standard": "Dywedwch neu pwyswch rif, os gwelwch yn dda.",
                "easy_read": "Dywedwch neu pwyswch rif.",
            },
        },
    },
    "hint_number_range": {
        "standard": "Please reply with a number from {min} to {max}.",
        "easy_read": "Reply with a number from {min} to {max}.",
        "voice": {
            "standard": "Please say or press a number from {min} to {max}.",
            "easy_read": "Say or press a number from {min} to {max}.",
        },
        "cy": {
            "standard": "Atebwch gyda rhif o {min} i {max}, os gwelwch yn dda.",
            "easy_read": "Atebwch gyda rhif o {min} i {max}.",
            "voice": {
                "standard": "Dywedwch neu pwyswch rif o {min} i {max}, os gwelwch yn dda.",
                "easy_read": "Dywedwch neu pwyswch rif o {min} i {max}.",
            },
        },
    },
    "hint_free_text": {
        "standard": "Please reply in your own words, or reply SKIP to move on.",
        "easy_read": "Reply in your own words. Or reply SKIP.",
        "voice": {
            "standard": "Please say your answer in your own words, or say SKIP to move on.",
            "easy_read": "Say your answer in your own words. Or say SKIP.",
        },
        "web": {
            "standard": (
                'Please write your answer in your own words, or press "Skip this question" to move on.'
            ),
            "easy_read": 'Write your answer in your own words. Or press "Skip this question".',
        },
        "telegram": {
            "standard": "Please reply in your own words, or tap /skip to move on.",
            "easy_read": "Reply in your own words. Or tap /skip.",
        },
        "cy": {
            "standard": "Atebwch yn eich geiriau eich hun, neu atebwch SGIPIO i symud ymlaen.",
            "easy_read": "Atebwch yn eich geiriau eich hun. Neu atebwch SGIPIO.",
            "voice": {
                "standard": (
                    "Dywedwch eich ateb yn eich geiriau eich hun, neu dywedwch SGIPIO i symud ymlaen."
                ),
                "easy_read": "Dywedwch eich ateb yn eich geiriau eich hun. Neu dywedwch SGIPIO.",
            },
            "web": {
                "standard": (
                    'Ysgrifennwch eich ateb yn eich geiriau eich hun, neu pwyswch "Hepgor y cwestiwn hwn" '
                    "i symud ymlaen."
                ),
                "easy_read": (
                    'Ysgrifennwch eich ateb yn eich geiriau eich hun. Neu pwyswch "Hepgor y cwestiwn hwn".'
                ),
            },
            "telegram": {
                "standard": "Atebwch yn eich geiriau eich hun, neu pwyswch /skip i symud ymlaen.",
                "easy_read": "Atebwch yn eich geiriau eich hun. Neu pwyswch /skip.",
            },
        },
    },
    # What a person can do besides answering, in the way their channel does it: SMS replies a
    # word, voice says it, the web page has buttons (named as in app/web/ui_text.py, under
    # "Other things you can do"), Telegram has tappable /commands (app/channels/telegram.py;
    # there is none for CALL ME, so it is sent as words), and on a peer-led call the peer
    # reviewer says this to the person, who just tells them.
    "help": {
        "standard": (
            "You can answer each question in your own words. Reply REPEAT to see the question again, "
            "BACK for the one before, SKIP to leave it out, CALL ME if you would like a person to "
            "ring you, or STOP to end."
        ),
        "easy_read": (
            "Answer in your own words. Reply SKIP to miss a question. Reply BACK to go back. "
            "Reply CALL ME and a person will phone you. Reply STOP to stop."
        ),
        "voice": {
            "standard": (
                "You can answer each question in your own words. Say REPEAT to hear the question again, "
                "BACK for the one before, SKIP to leave it out, CALL ME if you would like a person to "
                "ring you, or STOP to end."
            ),
            "easy_read": (
                "Answer in your own words. Say SKIP to miss a question. Say BACK to go back. "
                "Say CALL ME and a person will phone you. Say STOP to stop."
            ),
        },
        "web": {
            "standard": (
                'You can answer each question in your own words. Under "Other things you can do", press '
                '"Go back" for the question before, "Skip this question" to leave it out, "Ask someone '
                'to call me" if you would like a person to ring you, or "Stop taking part" to end.'
            ),
            "easy_read": (
                'Answer in your own words. Press "Skip this question" to miss a question. Press "Go back" '
                'to go back. Press "Ask someone to call me" and a person will phone you. Press "Stop '
                'taking part" to stop.'
            ),
        },
        "telegram": {
            "standard": (
                "You can answer each question in your own words. Tap /repeat to see the question again, "
                "/back for the one before, /skip to leave it out, or /stop to end. Send CALL ME if you "
                "would like a person to ring you."
            ),
            "easy_read": (
                "Answer in your own words. Tap /skip to miss a question. Tap /back to go back. "
                "Send CALL ME and a person will phone you. Tap /stop to stop."
            ),
        },
        "peer": {
            "standard": (
                "You can answer each question in your own words. Just tell me if you would like to hear "
                "a question again, go back, skip a question, have someone ring you later, or stop."
            ),
            "easy_read": (
                "Answer in your own words. Tell me if you want to miss a question. Tell me if you want "
                "to go back. Tell me if you want to stop."
            ),
        },
        "cy": {
            "standard": (
                "Gallwch ateb pob cwestiwn yn eich geiriau eich hun. Atebwch AILADRODD i weld y cwestiwn "
                "eto, NOL i fynd yn ôl, SGIPIO i'w adael allan, FFONIWCH FI os hoffech i berson eich "
                "ffonio, neu STOPIO i orffen."
            ),
            "easy_read": (
                "Atebwch yn eich geiriau eich hun. Atebwch SGIPIO i adael cwestiwn. Atebwch NOL i fynd "
                "yn ôl. Atebwch FFONIWCH FI a bydd person yn eich ffonio. Atebwch STOPIO i stopio."
            ),
            "voice": {
                "standard": (
                    "Gallwch ateb pob cwestiwn yn eich geiriau eich hun. Dywedwch AILADRODD i glywed y "
                    "cwestiwn eto, NOL i fynd yn ôl, SGIPIO i'w adael allan, FFONIWCH FI os hoffech i "
                    "berson eich ffonio, neu STOPIO i orffen."
                ),
                "easy_read": (
                    "Atebwch yn eich geiriau eich hun. Dywedwch SGIPIO i adael cwestiwn. Dywedwch NOL i "
                    "fynd yn ôl. Dywedwch FFONIWCH FI a bydd person yn eich ffonio. Dywedwch STOPIO i stopio."
                ),
            },
            "web": {
                "standard": (
                    'Gallwch ateb pob cwestiwn yn eich geiriau eich hun. O dan "Pethau eraill y gallwch eu '
                    'gwneud", pwyswch "Mynd yn ôl" i fynd yn ôl, "Hepgor y cwestiwn hwn" i\'w adael allan, '
                    '"Gofyn i rywun fy ffonio" os hoffech i berson eich ffonio, neu "Stopio cymryd rhan" '
                    "i orffen."
                ),
                "easy_read": (
                    'Atebwch yn eich geiriau eich hun. Pwyswch "Hepgor y cwestiwn hwn" i adael cwestiwn. '
                    'Pwyswch "Mynd yn ôl" i fynd yn ôl. Pwyswch "Gofyn i rywun fy ffonio" a bydd person '
                    'yn eich ffonio. Pwyswch "Stopio cymryd rhan" i stopio.'
                ),
            },
            "telegram": {
                "standard": (
                    "Gallwch ateb pob cwestiwn yn eich geiriau eich hun. Pwyswch /repeat i weld y cwestiwn "
                    "eto, /back i fynd yn ôl, /skip i'w adael allan, neu /stop i orffen. Anfonwch FFONIWCH "
                    "FI os hoffech i berson eich ffonio."
                ),
                "easy_read": (
                    "Atebwch yn eich geiriau eich hun. Pwyswch /skip i adael cwestiwn. Pwyswch /back i fynd "
                    "yn ôl. Anfonwch FFONIWCH FI a bydd person yn eich ffonio. Pwyswch /stop i stopio."
                ),
            },
            "peer": {
                "standard": (
                    "Gallwch ateb pob cwestiwn yn eich geiriau eich hun. Dywedwch wrtha i os hoffech chi "
                    "glywed cwestiwn eto, mynd yn ôl, hepgor cwestiwn, cael rhywun i'ch ffonio chi wedyn, "
                    "neu stopio."
                ),
                "easy_read": (
                    "Atebwch yn eich geiriau eich hun. Dywedwch wrtha i os ydych chi eisiau gadael cwestiwn. "
                    "Dywedwch wrtha i os ydych chi eisiau mynd yn ôl. Dywedwch wrtha i os ydych chi eisiau "
                    "stopio."
                ),
            },
        },
    },
    "callback": {
        "standard": "Thank you. Someone from the review team will phone you. Let's carry on for now.",
        "easy_read": "Thank you. A person from the team will phone you.",
        "cy": {
            "standard": (
                "Diolch. Bydd rhywun o dîm yr adolygiad yn eich ffonio. Gadewch i ni barhau am y tro."
            ),
            "easy_read": "Diolch. Bydd person o'r tîm yn eich ffonio.",
        },
    },
    "skipped": {
        "standard": "That's fine, we'll leave that question.",
        "easy_read": "That is OK. We will miss that question.",
        "cy": {
            "standard": "Mae hynny'n iawn, fe wnawn ni adael y cwestiwn yna.",
            "easy_read": "Mae hynny'n iawn. Awn ymlaen.",
        },
    },
    # After a second answer that wasn't understood: no blame, just move on.
    "move_on": {
        "standard": "Thank you. Let's move on.",
        "easy_read": "Thank you. Let us move on.",
        "cy": {"standard": "Diolch. Gadewch i ni symud ymlaen.", "easy_read": "Diolch. Awn ymlaen."},
    },
    "first_question": {
        "standard": "This is the first question.",
        "cy": {"standard": "Dyma'r cwestiwn cyntaf."},
    },
    "goodbye": {
        "standard": "Thank you for your time. We won't contact you again about this review.",
        "easy_read": "Thank you. We will not contact you again about this review.",
        "cy": {
            "standard": "Diolch am eich amser. Fyddwn ni ddim yn cysylltu â chi eto am yr adolygiad hwn.",
            "easy_read": "Diolch. Fyddwn ni ddim yn cysylltu â chi eto am yr adolygiad hwn.",
        },
    },
    # WITHDRAW ("I don't want to take part any more"): everything they said is erased.
    "withdrawn": {
        "standard": (
            "Thank you. We have deleted your answers and your contact details, and we will not contact"
            " you again about this review."
        ),
        "easy_read": "Thank you. We have deleted your answers. We will not contact you again.",
        "cy": {
            "standard": (
                "Diolch. Rydyn ni wedi dileu eich atebion a'ch manylion cyswllt, a fyddwn ni ddim yn"
                " cysylltu â chi eto am yr adolygiad hwn."
            ),
            "easy_read": "Diolch. Rydyn ni wedi dileu eich atebion. Fyddwn ni ddim yn cysylltu eto.",
        },
    },
    # After STOP, to someone who has answered: stopping keeps their answers unless they say so.
    "withdraw_offer": {
        "standard": "Your answers so far are kept. Reply WITHDRAW to delete them too.",
        "easy_read": "We keep your answers. Reply WITHDRAW to delete them.",
        "cy": {
            "standard": "Mae eich atebion hyd yma yn cael eu cadw. Atebwch TYNNU NOL i'w dileu hefyd.",
            "easy_read": "Rydyn ni'n cadw eich atebion. Atebwch TYNNU NOL i'w dileu.",
        },
    },
    "expired": {
        "standard": (
            "This conversation has closed because we hadn't heard from you for a while. Thank you for"
            " the answers you gave."
        ),
        "easy_read": "This chat has closed. Thank you for your answers.",
        "cy": {
            "standard": (
                "Mae'r sgwrs hon wedi cau gan nad oedden ni wedi clywed gennych ers tro. Diolch am yr"
                " atebion a roesoch."
            ),
            "easy_read": "Mae'r sgwrs wedi cau. Diolch am eich atebion.",
        },
    },
    "already_finished": {
        "standard": (
            "This conversation has finished. Thank you. If you need to talk to someone, please "
            "contact the review team."
        ),
        "easy_read": "This chat has finished. Thank you. To talk to someone, contact the review team.",
        "cy": {
            "standard": (
                "Mae'r sgwrs hon wedi gorffen. Diolch. Os oes angen i chi siarad â rhywun, cysylltwch"
                " â thîm yr adolygiad."
            ),
            "easy_read": (
                "Mae'r sgwrs wedi gorffen. Diolch. I siarad â rhywun, cysylltwch â thîm yr adolygiad."
            ),
        },
    },
    # To a number or account we don't know: polite, and says nothing about anyone.
    "unknown_sender": {
        "standard": (
            "Sorry, we could not match this message to a conversation. Please contact the review team"
            " if you think this is wrong."
        ),
        "easy_read": "Sorry, we do not know this number. Please contact the review team.",
        "cy": {
            "standard": (
                "Mae'n ddrwg gennym, ni allwn gysylltu'r neges hon â sgwrs. Cysylltwch â thîm yr "
                "adolygiad os ydych chi'n meddwl bod hyn yn anghywir."
            ),
            "easy_read": "Sori, dydyn ni ddim yn adnabod y rhif hwn. Cysylltwch â thîm yr adolygiad.",
        },
    },
    "yes": {"standard": "Yes", "cy": {"standard": "Ie"}},
    "no": {"standard": "No", "cy": {"standard": "Na"}},
    "scale_1": {"standard": "Not at all", "cy": {"standard": "Ddim o gwbl"}},
    "scale_2": {"standard": "Not very well", "cy": {"standard": "Ddim yn dda iawn"}},
    "scale_3": {"standard": "OK", "cy": {"standard": "Iawn"}},
    "scale_4": {"standard": "Well", "cy": {"standard": "Yn dda"}},
    "scale_5": {"standard": "Very well", "cy": {"standard": "Yn dda iawn"}},
}


def phrase(
    key: str, language: str = "en", variant: str = "standard", channel: str = "web", **values: object
) -> str:
    """A built-in phrase for this language, variant and channel, with ``{values}`` filled in."""
    return phrase_for(key, Audience(variant=variant, channel=channel, language=language), **values)


# The phrase picked for (key, variant, channel, language): the phrases are fixed, so each
# is chosen once. A handful of entries per key in practice; bounded all the same.
_PICKED: dict[tuple[str, str, str, str], str] = {}


def phrase_for(key: str, audience: Audience, **values: object) -> str:
    where = (key, audience.variant, audience.channel, audience.language)
    text = _PICKED.get(where)
    if text is None:
        # A phrase's `peer` wording is said to the person by the peer reviewer (not guidance).
        text = pick(PHRASES[key], audience, peer_says=True)
        if len(_PICKED) < 10_000:
            _PICKED[where] = text
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text
