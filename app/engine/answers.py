"""Forgiving answer parsers: what was meant, or None when it isn't clear.

None is never an error for the person: it means "ask again, kindly". Each
parser understands English and Welsh whatever the person's language, because
people mix them. Tables are plain strings compared as tokens (see normalise.py);
longer phrases win, so "not very well" is never read as "well".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from app.engine.normalise import PhraseTable, find_phrases, normalise, phrase_table, tokens
from app.engine.types import Audience
from app.engine.wording import each_text

if TYPE_CHECKING:
    from app.engine.flow import FlowOption, Node


# Tables are "|"-separated phrases: easy to read and extend, compared as tokens.
def _words(text: str) -> list[str]:
    return [phrase.strip() for phrase in text.split("|") if phrase.strip()]


# Words that don't change an answer at its start ("oh yes", "um, good"). Welsh "yn" marks
# an adverb or adjective ("yn syth", "yn dda") and is dropped the same way: "yn syth" is "syth".
_FILLERS = set(_words("oh | um | umm | erm | er | uh | ah | hmm | well | mm | yn"))
_POLITE = phrase_table(
    dict.fromkeys(
        _words("please | thanks | thank you | ta | cheers | pls | plz | diolch | os gwelwch yn dda"), "x"
    )
)

_POLITE_WORDS = frozenset(word for phrase in _POLITE for word in phrase)


def answer_words(text: str) -> tuple[str, ...]:
    """The words of a reply, as compared: tokens without politeness or leading fillers.

    The one normaliser for both sides of every comparison: a person's reply, an
    option's label or synonym, and the phrase tables below. So a label "Yn syth"
    is the same answer as "yn syth", "syth" or "um, yn syth please", and a
    label "Dim diolch" is the reply "dim diolch". A reply that is only
    politeness ("thanks") has no words left.
    """
    return _answer_words(tokens(text))


def _answer_words(words: tuple[str, ...]) -> tuple[str, ...]:
    """:func:`answer_words` for the reply's tokens (normalise(text).split())."""
    kept = words
    if not _POLITE_WORDS.isdisjoint(words):
        matches, _ = find_phrases(words, _POLITE)
        polite = {i for start, end, _ in matches for i in range(start, end)}
        kept = tuple(w for i, w in enumerate(words) if i not in polite)
    while len(kept) > 1 and kept[0] in _FILLERS:
        kept = kept[1:]
    return kept


def _entries(values: dict[str, str]) -> dict[str, str]:
    """{"value": "phrase | phrase"} as {"phrase": "value"}."""
    return {phrase: value for value, text in values.items() for phrase in _words(text)}


def _table(entries: dict[str, str]) -> PhraseTable:
    """A phrase table compared as :func:`answer_words`; two phrases that become the
    same words with different meanings are a mistake in the table, caught here."""
    table: dict[tuple[str, ...], str] = {}
    for text, value in entries.items():
        words = answer_words(text)
        if not words:
            continue
        if table.get(words, value) != value:
            raise ValueError(f"answer table: {text!r} means both {table[words]!r} and {value!r}")
        table[words] = value
    return PhraseTable(table)


_YES_NO = _table(
    _entries(
        {
            "yes": """yes | y | yeah | yea | yah | yep | yup | ya | ok | okay | okey | k | sure | aye |
                yes please | yeah ok | ok sure | of course | definitely | certainly | absolutely | alright |
                all right | fine | go ahead | go on | no problem | no worries | i do | i did | that is fine |
                thats fine | thats ok | i think so | correct | right | 👍 | ✅ | ✔ | 👌 | ☑ | 1 |
                ie | ia | do | oes | ydw | ydy | ydyn | ydan | ydym | yndw | iawn | wrth gwrs | ok iawn |
                ie iawn""",
            "no": """no | n | nope | nah | naw | no thanks | no thank you | not really | no way |
                definitely not | not at all | never | i dont | i didnt | i do not | i did not | not now |
                rather not | id rather not | dont want to | i dont think so | 👎 | ❌ | ✖ | 🚫 | 2 |
                na | naddo | nac ydw | nac ydy | nac oes | nag oes | nag ydw | dim | dim diolch | na diolch |
                ddim | dim o gwbl""",
            # Replies that sound like yes or no but are neither: always ask again.
            "unsure": """i dont know | dont know | dunno | no idea | not sure | im not sure | i dont mind |
                maybe | dim syniad | ddim yn siwr | dwi ddim yn gwybod | dwn i ddim | efallai | falle""",
        }
    )
)
# Too short or too common in English to count at the start of a longer reply.
_WHOLE_ONLY = {tokens(w) for w in _words("y | n | k | do | dim | ddim | 1 | 2 | right | fine | ya")}

# Words for 2 ("hard", "gwael") and 4 ("easy", "da"), and the words that make them
# stronger: "very hard", "anodd iawn", "hawdd dros ben" are 1 and 5. English puts
# the strong word first; Welsh puts "iawn" and "dros ben" after (or "ofnadwy o" first).
# Welsh mutated forms are listed too: "yn dda", "yn wael", "yn ddrwg", "ofnadwy o dda".
_LESS = {
    "en": _words("bad | badly | poor | poorly | hard | difficult | tricky"),
    "cy": _words("gwael | wael | drwg | ddrwg | anodd"),
}
_MORE = {"en": _words("good | well | easy"), "cy": _words("da | dda | hawdd")}
_STRONG_BEFORE = {
    "en": _words("very | really | so | extremely | incredibly | super"),
    "cy": _words("ofnadwy o | hynod o | andros o"),
}
_STRONG_AFTER = {"en": [], "cy": _words("iawn | dros ben | tu hwnt")}


def _strong(words: dict[str, list[str]], value: str) -> dict[str, str]:
    return {
        phrase: value
        for language, plain in words.items()
        for word in plain
        for phrase in [
            *(f"{strong} {word}" for strong in _STRONG_BEFORE[language]),
            *(f"{word} {strong}" for strong in _STRONG_AFTER[language]),
        ]
    }


# Longer phrases win (find_phrases), so "anodd iawn" is 1 although "iawn" alone is 3,
# "not very good" is 2 although "very good" is 5, and "hard to say" is no answer at all.
# "not bad" is 3: British understatement for "all right", so the middle is the fair
# reading; "not bad at all" is 4.
_SCALE_WORDS = {
    "1": """1 | one | un | not at all | never | terrible | terribly | awful | awfully | horrible |
        dreadful | rubbish | useless | impossible | not well at all | not good at all | not easy at all |
        ddim o gwbl | dim o gwbl | ofnadwy | dim byd | ddim yn hawdd o gwbl |
        😞 | ☹ | 😡 | 😠 | 😢 | 😭 | 🤬""",
    "2": """2 | two | dau | dwy | not very well | not well | not good | not very good | not great |
        not really | not much | a little | a bit | not easy | not very easy |
        ddim yn dda | ddim yn dda iawn | ddim yn dda o gwbl | ddim llawer | ddim yn hawdd | 🙁 | 😕 | 👎""",
    "3": """3 | three | tri | tair | ok | okay | so so | alright | all right | fine | average |
        not bad | not too bad | not that bad | sometimes | meh | in between | mixed | fair |
        neither easy nor hard | neither good nor bad |
        iawn | gweddol | canolig | weithiau | ddim yn ddrwg | ddim yn rhy ddrwg | 😐 | 😶 | 🤷""",
    "4": """4 | four | pedwar | pedair | quite well | quite good | pretty good | pretty well | fairly well |
        fairly good | quite easy | fairly easy | pretty easy | mostly | not bad at all |
        eitha da | eithaf da | eitha dda | eithaf dda | eitha hawdd | eithaf hawdd | ddim yn ddrwg o gwbl |
        🙂 | 👍""",
    "5": """5 | five | pump | bump | pum | really well | excellent | brilliant | great | amazing |
        perfect | fantastic | wonderful | totally | completely | fully |
        gwych | ardderchog | arbennig | llwyr | yn llwyr | cant y cant | yn gyfan gwbl |
        😀 | 😃 | 😄 | 😁 | 😊 | 😍 | 🥰 | 🤩 | ❤ | 👏""",
    # Replies that sound like a rating but are not one: ask again.
    "unsure": """hard to say | hard to tell | difficult to say | dont know | i dont know | dunno | not sure |
        no idea | anodd dweud | dwn i ddim | dim syniad | ddim yn siwr""",
    # Words that only sound like a rating ("she worked really hard"): they say nothing.
    "": " | ".join(
        f"{verb} {strong}hard"
        for verb in _words("worked | work | works | working | tried | try | tries | trying")
        for strong in ("", "very ", "really ", "so ")
    ),
}
_SCALE = _table(
    {
        **{word: "2" for words in _LESS.values() for word in words},
        **{word: "4" for words in _MORE.values() for word in words},
        **_strong(_LESS, "1"),
        **_strong(_MORE, "5"),
        **_entries(_SCALE_WORDS),
    }
)
# A negative word outside any phrase makes a scale answer unclear ("wasn't good").
_NEGATIONS = set(
    _words("not | no | didnt | wasnt | isnt | dont | doesnt | never | hardly | ddim | dim | nid | na")
)
_NEGATIVE = re.compile(r"^[-−]\s*\d")
_OUT_OF = re.compile(r"^\s*(\d+)\s*(?:/|out of|outof|allan o|o)\s*(\d+)\b")
_OUT_OF_WORDS = phrase_table(dict.fromkeys(_words("out of five | out of 5 | allan o bump | allan o 5"), "x"))

_NUMBER_WORDS = {
    **{w: i for i, w in enumerate(_words("zero|one|two|three|four|five|six|seven|eight|nine|ten"))},
    **{w: i for i, w in enumerate(_words("dim|un|dau|tri|pedwar|pump|chwech|saith|wyth|naw|deg"))},
    **{"eleven": 11, "twelve": 12, "dwy": 2, "tair": 3, "pedair": 4},
}
_CHOICE_FILLERS = set(_words("option | number | no | answer | rhif | opsiwn | ateb | its | it"))


def parse_yes_no(text: str, language: str = "en") -> str | None:
    """'yes', 'no' or None. A reply that starts with a yes or no word counts,
    unless it also holds the opposite ("yes and no")."""
    return _yes_no(answer_words(text))


def _yes_no(words: tuple[str, ...]) -> str | None:
    if not words:
        return None
    if words in _YES_NO:
        return _YES_NO[words] if _YES_NO[words] != "unsure" else None
    matches, _ = find_phrases(words, _YES_NO)
    values = {value for _, _, value in matches}
    if len(values) != 1 or "unsure" in values or matches[0][0] != 0:
        return None
    start, end, value = matches[0]
    return None if words[start:end] in _WHOLE_ONLY else value


def parse_scale(text: str, language: str = "en") -> str | None:
    """'1'..'5' from digits, "4/5", words, phrases or smileys; None when unclear or out of range."""
    return _scale(text, None)


def _scale(text: str, words: tuple[str, ...] | None) -> str | None:
    """:func:`parse_scale`; ``words`` is answer_words(text) when already worked out."""
    light = normalise_light(text)
    if _NEGATIVE.match(light):
        return None  # "-1" is not 1
    out_of = _OUT_OF.match(light)
    if out_of:
        score, top = int(out_of.group(1)), int(out_of.group(2))
        return str(score) if top == 5 and 1 <= score <= 5 else None
    if words is None:
        words = answer_words(text)
    if not words:
        return None
    matches, used = find_phrases(words, _OUT_OF_WORDS)
    if matches:
        words = tuple(w for w, u in zip(words, used, strict=True) if not u)
    whole = _SCALE.get(words)
    if whole is not None:  # the whole reply is one phrase: what the longest-first search finds
        return None if whole in ("unsure", "") else whole
    matches, used = find_phrases(words, _SCALE)
    leftovers = [w for w, u in zip(words, used, strict=True) if not u]
    if any(w.isdigit() or w in _NEGATIONS for w in leftovers):
        return None  # "10", "wasn't good": ask again rather than guess
    values = {value for _, _, value in matches} - {""}
    if "unsure" in values:
        return None  # "hard to say": ask again
    return values.pop() if len(values) == 1 else None


def normalise_light(text: str) -> str:
    """Lower case and spaces only: keeps "/" for "4/5"."""
    return " ".join(text.casefold().split())


def option_names(option: FlowOption) -> tuple[tuple[str, ...], ...]:
    """Every name an option answers to, compared as the reply is (answer_words), so
    "Yn syth" matches "yn syth" and "syth": its key, labels (any language or
    variant) and synonyms. The flow loader works these out once per option."""
    names = [answer_words(option.key.replace("_", " "))]
    names.extend(answer_words(label) for _, _, _, label in each_text(option.label))
    names.extend(answer_words(synonym) for synonym in option.synonyms)
    return tuple(names)


def _option_names(option: FlowOption) -> tuple[tuple[str, ...], ...]:
    names = getattr(option, "names", None)
    return names if names is not None else option_names(option)


def choice_table(options: Iterable[FlowOption]) -> PhraseTable:
    """Name -> option key for a choice; a name two options share can't decide, so it is left out."""
    table: dict[tuple[str, ...], str] = {}
    ambiguous: set[tuple[str, ...]] = set()
    for option in options:
        for name in _option_names(option):
            if name and table.get(name, option.key) != option.key:
                ambiguous.add(name)  # two options share a word: it can't decide
            table.setdefault(name, option.key)
    for name in ambiguous:
        table.pop(name, None)
    return PhraseTable(table)


def parse_choice(
    text: str, options: Iterable[FlowOption], language: str = "en", table: PhraseTable | None = None
) -> str | None:
    """An option's key, by its number (1-based), key, label (any language or variant) or synonym.

    ``table`` is :func:`choice_table` of ``options``, when it was worked out already.
    """
    return _choice(answer_words(text), tuple(options), table)


def _choice(words: tuple[str, ...], options: tuple[FlowOption, ...], table: PhraseTable | None) -> str | None:
    if not words or not options:
        return None
    numbers = [w for w in words if w.isdigit()]
    if len(numbers) == 1 and all(w.isdigit() or w in _CHOICE_FILLERS for w in words):
        index = int(numbers[0])
        return options[index - 1].key if 1 <= index <= len(options) else None
    if table is None:
        table = choice_table(options)
    if words in table:
        return table[words]
    matches, used = find_phrases(words, table)
    if any(w in _NEGATIONS for w, u in zip(words, used, strict=True) if not u):
        return None  # "not by phone": ask again rather than guess
    keys = {key for _, _, key in matches}
    return keys.pop() if len(keys) == 1 else None


_DIGITS = re.compile(r"(?<![\w.])-?\d+(?![\w.])")


def parse_number(text: str, min: int | None = None, max: int | None = None) -> str | None:
    """A whole number in range, from digits or number words ("about 3", "three")."""
    found = [int(n) for n in _DIGITS.findall(text)]
    if not found:
        found = [_NUMBER_WORDS[w] for w in tokens(text) if w in _NUMBER_WORDS]
    if len(found) != 1:
        return None
    number = found[0]
    if (min is not None and number < min) or (max is not None and number > max):
        return None
    return str(number)


def parse_free_text(text: str) -> str | None:
    return text.strip() or None


def parse_answer(node: Node, text: str, audience: Audience, normalised: str | None = None) -> str | None:
    """The value to store for this reply to ``node``, or None when not understood.

    ``normalised`` is normalise(text), when the caller has it already.
    """
    answer_type = node.answer_type
    if answer_type in ("yes_no", "scale", "choice"):
        words = _answer_words(tuple((normalise(text) if normalised is None else normalised).split()))
        if answer_type == "yes_no":
            return _yes_no(words)
        if answer_type == "scale":
            # The flow's own labels only help when the usual words didn't.
            return _scale(text, words) or (
                _choice(words, node.options, node.choice_table) if node.options else None
            )
        return _choice(words, node.options, node.choice_table)
    if answer_type == "number":
        return parse_number(text, node.min, node.max)
    return parse_free_text(text)


__all__ = [
    "answer_words",
    "choice_table",
    "normalise",
    "option_names",
    "parse_answer",
    "parse_choice",
    "parse_free_text",
    "parse_number",
    "parse_scale",
    "parse_yes_no",
]
