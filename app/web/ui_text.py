"""Every label on the web chat page, in English and Welsh, standard and easy read.

Easy-read labels keep each sentence to 15 words or fewer, in plain words.
The command buttons always *send* the English command words (BACK, SKIP,
HELP, STOP, CALL ME): the engine understands them in either language, so only
what is shown changes here.
"""

from __future__ import annotations

from types import MappingProxyType

# Values the command buttons send as the answer, whatever the page's language.
COMMANDS: dict[str, str] = {
    "go_back": "BACK",
    "skip": "SKIP",
    "help": "HELP",
    "call_me": "CALL ME",
    "stop": "STOP",
}

_EN_STANDARD: dict[str, str] = {
    "page_title": "Your conversation with Heard",
    "skip_link": "Skip to the latest message",
    "log_heading": "Your conversation",
    "you_said": "You said:",
    "heard_said": "Heard said:",
    "your_answer": "Your answer",
    "answer_hint": "Write your answer in your own words.",
    "number_hint": "Type a number.",
    "send": "Send",
    "sending": "Sending…",
    "larger_text": "Larger text",
    "normal_text": "Normal text",
    "yes": "Yes",
    "no": "No",
    "go_back": "Go back",
    "skip": "Skip this question",
    "help": "Help",
    "call_me": "Ask someone to call me",
    "stop": "Stop taking part",
    "stop_explain": (
        "If you stop, we will not ask you any more questions or send you any more messages. "
        "The answers you have given so far are kept unless you ask us to delete them."
    ),
    "stop_confirm": "Yes, stop taking part",
    "more_options": "Other things you can do",
    "ended_heading": "This conversation has ended",
    "ended_completed": (
        "Thank you, you have finished. What you told us will help the council improve its social work."
    ),
    "ended_opted_out": "You have stopped taking part. We will not send you any more messages.",
    "ended_expired": (
        "This conversation has closed because it was not finished in time. "
        "Thank you for the answers you gave."
    ),
    "ended_other": "This conversation has ended. Thank you for taking part.",
    "withdraw": "Delete my answers",
    "withdraw_explain": (
        "This deletes every answer you have given, everything you wrote to us and your contact details. "
        "We will not contact you again. It cannot be undone."
    ),
    "withdraw_confirm": "Yes, delete my answers",
    "ended_withdrawn": "Your answers and contact details have been deleted. Thank you for your time.",
    "read_aloud": "Read aloud",
}

_EN_EASY: dict[str, str] = {
    "page_title": "Talk to Heard",
    "skip_link": "Go to the last message",
    "log_heading": "Your chat",
    "you_said": "You said:",
    "heard_said": "Heard said:",
    "your_answer": "Your answer",
    "answer_hint": "Write your answer here. Use your own words.",
    "number_hint": "Write a number.",
    "send": "Send",
    "sending": "Sending…",
    "larger_text": "Bigger words",
    "normal_text": "Normal words",
    "yes": "Yes",
    "no": "No",
    "go_back": "Go back",
    "skip": "Skip this question",
    "help": "Help",
    "call_me": "Ask someone to call me",
    "stop": "Stop taking part",
    "stop_explain": "If you stop, we will not ask you any more questions.",
    "stop_confirm": "Yes, stop",
    "more_options": "Other things you can do",
    "ended_heading": "The chat has ended",
    "ended_completed": "Thank you. You have finished.",
    "ended_opted_out": "You have stopped. We will not send you any more messages.",
    "ended_expired": "This chat has closed. Thank you for your answers.",
    "ended_other": "This chat has ended. Thank you.",
    "withdraw": "Delete my answers",
    "withdraw_explain": "This deletes all your answers. We will not contact you again. You cannot undo it.",
    "withdraw_confirm": "Yes, delete my answers",
    "ended_withdrawn": "We have deleted your answers. Thank you.",
    "read_aloud": "Listen",
}

_CY_STANDARD: dict[str, str] = {
    "page_title": "Eich sgwrs gyda Heard",
    "skip_link": "Neidio i'r neges ddiweddaraf",
    "log_heading": "Eich sgwrs",
    "you_said": "Dywedoch chi:",
    "heard_said": "Dywedodd Heard:",
    "your_answer": "Eich ateb",
    "answer_hint": "Ysgrifennwch eich ateb yn eich geiriau eich hun.",
    "number_hint": "Teipiwch rif.",
    "send": "Anfon",
    "sending": "Yn anfon…",
    "larger_text": "Testun mwy",
    "normal_text": "Testun arferol",
    "yes": "Ie",
    "no": "Na",
    "go_back": "Mynd yn ôl",
    "skip": "Hepgor y cwestiwn hwn",
    "help": "Cymorth",
    "call_me": "Gofyn i rywun fy ffonio",
    "stop": "Stopio cymryd rhan",
    "stop_explain": (
        "Os byddwch yn stopio, ni fyddwn yn gofyn rhagor o gwestiynau nac yn anfon rhagor o negeseuon atoch. "
        "Bydd yr atebion rydych wedi'u rhoi yn cael eu cadw oni bai eich bod yn gofyn i ni eu dileu."
    ),
    "stop_confirm": "Ie, stopio cymryd rhan",
    "more_options": "Pethau eraill y gallwch eu gwneud",
    "ended_heading": "Mae'r sgwrs hon wedi dod i ben",
    "ended_completed": (
        "Diolch, rydych chi wedi gorffen. Bydd yr hyn a ddywedoch wrthym yn helpu'r cyngor "
        "i wella ei waith cymdeithasol."
    ),
    "ended_opted_out": "Rydych chi wedi stopio cymryd rhan. Ni fyddwn yn anfon rhagor o negeseuon atoch.",
    "ended_expired": (
        "Mae'r sgwrs hon wedi cau am nad oedd wedi'i gorffen mewn pryd. Diolch am yr atebion a roesoch."
    ),
    "ended_other": "Mae'r sgwrs hon wedi dod i ben. Diolch am gymryd rhan.",
    "withdraw": "Dileu fy atebion",
    "withdraw_explain": (
        "Mae hyn yn dileu pob ateb rydych wedi'i roi, popeth a ysgrifennoch atom a'ch manylion cyswllt. "
        "Ni fyddwn yn cysylltu â chi eto. Does dim modd dadwneud hyn."
    ),
    "withdraw_confirm": "Ie, dileu fy atebion",
    "ended_withdrawn": "Mae eich atebion a'ch manylion cyswllt wedi'u dileu. Diolch am eich amser.",
    "read_aloud": "Darllen yn uchel",
}

_CY_EASY: dict[str, str] = {
    "page_title": "Siarad gyda Heard",
    "skip_link": "Mynd i'r neges olaf",
    "log_heading": "Eich sgwrs",
    "you_said": "Dywedoch chi:",
    "heard_said": "Dywedodd Heard:",
    "your_answer": "Eich ateb",
    "answer_hint": "Ysgrifennwch eich ateb yma. Defnyddiwch eich geiriau eich hun.",
    "number_hint": "Ysgrifennwch rif.",
    "send": "Anfon",
    "sending": "Yn anfon…",
    "larger_text": "Geiriau mwy",
    "normal_text": "Geiriau arferol",
    "yes": "Ie",
    "no": "Na",
    "go_back": "Mynd yn ôl",
    "skip": "Hepgor y cwestiwn hwn",
    "help": "Help",
    "call_me": "Gofyn i rywun fy ffonio",
    "stop": "Stopio cymryd rhan",
    "stop_explain": "Os byddwch chi'n stopio, fyddwn ni ddim yn gofyn rhagor o gwestiynau.",
    "stop_confirm": "Ie, stopio",
    "more_options": "Pethau eraill y gallwch eu gwneud",
    "ended_heading": "Mae'r sgwrs wedi dod i ben",
    "ended_completed": "Diolch. Rydych chi wedi gorffen.",
    "ended_opted_out": "Rydych chi wedi stopio. Fyddwn ni ddim yn anfon rhagor o negeseuon.",
    "ended_expired": "Mae'r sgwrs hon wedi cau. Diolch am eich atebion.",
    "ended_other": "Mae'r sgwrs wedi dod i ben. Diolch.",
    "withdraw": "Dileu fy atebion",
    "withdraw_explain": (
        "Mae hyn yn dileu eich holl atebion. Fyddwn ni ddim yn cysylltu eto. Does dim modd ei ddadwneud."
    ),
    "withdraw_confirm": "Ie, dileu fy atebion",
    "ended_withdrawn": "Rydyn ni wedi dileu eich atebion. Diolch.",
    "read_aloud": "Gwrando",
}

_TEXTS: dict[tuple[str, str], dict[str, str]] = {
    ("en", "standard"): _EN_STANDARD,
    ("en", "easy_read"): _EN_EASY,
    ("cy", "standard"): _CY_STANDARD,
    ("cy", "easy_read"): _CY_EASY,
}

KEYS: frozenset[str] = frozenset(_EN_STANDARD)


def ui_text(language: str, variant: str) -> dict[str, str]:
    """The page's labels for ``language`` (en | cy) and ``variant`` (standard | easy_read).

    An unknown language falls back to English, an unknown variant to standard.
    The result also carries the command words under ``cmd_<name>`` and the
    page's ``lang`` attribute.
    """
    language = language if language in ("en", "cy") else "en"
    variant = variant if variant in ("standard", "easy_read") else "standard"
    labels = dict(_TEXTS[(language, variant)])
    labels.update({f"cmd_{name}": word for name, word in COMMANDS.items()})
    labels["lang"] = language
    return labels


# Read-only view for tests that check every table has every key.
TABLES = MappingProxyType(_TEXTS)
