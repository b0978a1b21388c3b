"""The forgiving answer parsers: messy replies and what they must mean."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.engine import Audience, Flow, load_flow
from app.engine.answers import (
    _table,
    answer_words,
    parse_answer,
    parse_choice,
    parse_number,
    parse_scale,
    parse_yes_no,
)
from app.engine.flow import FlowOption
from app.engine.phrases import phrase

YES = [
    "yes",
    "Yes",
    "YES!",
    " yes ",
    "y",
    "Y.",
    "yeah",
    "yep",
    "yup",
    "ok",
    "OK",
    "okay",
    "sure",
    "aye",
    "yes please",
    "Yes please.",
    "yeah ok",
    "ok sure",
    "👍",
    "👍🏽",
    "✅",
    "1",
    "yes but it took ages",
    "Yeah, I think so",
    "oh yes",
    "no problem",
    "of course",
    "Ie",
    "ie",
    "do",
    "Do.",
    "oes",
    "ydw",
    "iawn",
    "Ie, diolch",
]
NO = [
    "no",
    "No",
    "NO.",
    "n",
    "nope",
    "nah",
    "no thanks",
    "No thank you",
    "not really",
    "👎",
    "❌",
    "2",
    "no it was awful",
    "na",
    "Na",
    "naddo",
    "nac ydw",
    "Nac ydw",
    "dim",
    "na diolch",
]
NEITHER = [
    "",
    "   ",
    "maybe",
    "yes and no",
    "yeah not really",
    "purple",
    "i don't know",
    "3",
    "do you mean me",
    "not sure",
    "ok no",
    "🤷",
]


@pytest.mark.parametrize("text", YES)
def test_yes(text: str) -> None:
    assert parse_yes_no(text, "en") == "yes"


@pytest.mark.parametrize("text", NO)
def test_no(text: str) -> None:
    assert parse_yes_no(text, "cy") == "no"


@pytest.mark.parametrize("text", NEITHER)
def test_neither_yes_nor_no(text: str) -> None:
    assert parse_yes_no(text, "en") is None


SCALE = [
    ("1", "1"),
    ("5", "5"),
    (" 3 ", "3"),
    ("4/5", "4"),
    ("4 / 5", "4"),
    ("3 out of 5", "3"),
    ("2 out of five", "2"),
    ("four", "4"),
    ("Five!", "5"),
    ("one", "1"),
    ("un", "1"),
    ("dau", "2"),
    ("tri", "3"),
    ("pedwar", "4"),
    ("pump", "5"),
    ("4 o 5", "4"),
    ("not at all", "1"),
    ("Not at all.", "1"),
    ("terrible", "1"),
    ("badly", "2"),
    ("poor", "2"),
    ("not very well", "2"),
    ("Not very well really", "2"),
    ("ok", "3"),
    ("so so", "3"),
    ("so-so", "3"),
    ("alright", "3"),
    ("good", "4"),
    ("well", "4"),
    ("quite well", "4"),
    ("very well", "5"),
    ("Very good", "5"),
    ("excellent", "5"),
    ("brilliant!!", "5"),
    ("it was brilliant", "5"),
    ("ddim o gwbl", "1"),
    ("gwael", "2"),
    ("iawn", "3"),
    ("da", "4"),
    ("da iawn", "5"),
    ("Da iawn!", "5"),
    ("ddim yn dda iawn", "2"),
    ("😞", "1"),
    ("☹️", "1"),
    ("😡", "1"),
    ("🙁", "2"),
    ("😐", "3"),
    ("🙂", "4"),
    ("👍", "4"),
    ("😀", "5"),
    ("😃", "5"),
    ("😄", "5"),
    ("😊", "5"),
    ("😍", "5"),
    ("5 very well", "5"),
    ("4 - good", "4"),
]


@pytest.mark.parametrize(("text", "value"), SCALE)
def test_scale(text: str, value: str) -> None:
    assert parse_scale(text, "en") == value


@pytest.mark.parametrize(
    "text",
    ["", "0", "6", "7", "10", "4/10", "purple", "good and bad", "it wasn't good", "😀😞", "2 or 3", "-1"],
)
def test_scale_not_understood(text: str) -> None:
    assert parse_scale(text, "en") is None


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize("key", ["1", "2", "3", "4", "5"])
def test_default_scale_labels_read_back_as_their_number(language: str, key: str) -> None:
    label = phrase(f"scale_{key}", language)
    assert parse_scale(label, language) == key


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize("key", ["yes", "no"])
def test_default_yes_no_labels_read_back(language: str, key: str) -> None:
    assert parse_yes_no(phrase(key, language), language) == key


CHOICES = [
    ("1", "text"),
    ("2", "phone"),
    ("3", "none"),
    ("option 2", "phone"),
    ("2.", "phone"),
    ("text", "text"),
    ("Phone", "phone"),
    ("By text message", "text"),
    ("a phone call", "phone"),
    ("neges destun", "text"),
    ("Galwad ffôn", "phone"),
    ("galwad ffon", "phone"),
    ("sms", "text"),
    ("TXT please", "text"),
    ("ring", "phone"),
    ("Dim diolch", "none"),
    ("by text please", "text"),
]


@pytest.mark.parametrize(("text", "key"), CHOICES)
def test_choice(branching: Flow, text: str, key: str) -> None:
    assert parse_choice(text, branching.nodes["hear_back"].options, "en") == key


@pytest.mark.parametrize("text", ["4", "0", "", "carrier pigeon", "text or phone", "not by phone"])
def test_choice_not_understood(branching: Flow, text: str) -> None:
    assert parse_choice(text, branching.nodes["hear_back"].options, "en") is None


@pytest.mark.parametrize(
    ("text", "low", "high", "value"),
    [
        ("3", 0, 50, "3"),
        ("about 6", 0, 50, "6"),
        ("six", 0, 50, "6"),
        ("0", 0, 50, "0"),
        ("51", 0, 50, None),
        ("-2", 0, 50, None),
        ("-2", None, None, "-2"),
        ("lots", 0, 50, None),
        ("2 or 3", 0, 50, None),
        ("tri", 0, 50, "3"),
        ("12", None, None, "12"),
    ],
)
def test_number(text: str, low: int | None, high: int | None, value: str | None) -> None:
    assert parse_number(text, low, high) == value


@pytest.mark.parametrize(
    ("node", "text", "value"),
    [
        ("consent", "yeah ok", "yes"),
        ("listened", "quite well", "4"),
        ("listened_more", "  She listened.  ", "She listened."),
        ("listened_more", "   ", None),
        ("visits", "about 4", "4"),
        ("hear_back", "a text", "text"),
    ],
)
def test_parse_answer_dispatches_on_answer_type(
    branching: Flow, node: str, text: str, value: str | None
) -> None:
    assert parse_answer(branching.nodes[node], text, Audience()) == value


# --- Welsh "yn": one normaliser for the reply and the option's words ---------------------

YN_OPTIONS = (
    FlowOption("fully", {"standard": "Fully", "cy": {"standard": "Yn llwyr"}}),
    FlowOption("soon", {"standard": "Straight away"}, ("yn syth",)),
    FlowOption("later", {"standard": "Later", "cy": {"standard": "Wedyn"}}),
)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("yn llwyr", "fully"),
        ("Yn llwyr", "fully"),
        ("llwyr", "fully"),
        ("Llwyr!", "fully"),
        ("um, yn llwyr diolch", "fully"),
        ("yn syth", "soon"),
        ("syth", "soon"),
        ("Syth os gwelwch yn dda", "soon"),
        ("ie, syth", "soon"),
        ("yn wedyn", "later"),
    ],
)
def test_yn_is_dropped_alike_from_replies_labels_and_synonyms(text: str, key: str) -> None:
    assert parse_choice(text, YN_OPTIONS, "cy") == key


@pytest.mark.parametrize("text", ["ddim yn syth", "yn", "diolch"])
def test_yn_choice_not_understood(text: str) -> None:
    assert parse_choice(text, YN_OPTIONS, "cy") is None


def test_one_normaliser_serves_replies_and_labels() -> None:
    assert answer_words("Yn syth") == answer_words("yn syth, diolch") == answer_words("syth") == ("syth",)
    assert answer_words("Dim diolch") == answer_words("dim") == ("dim",)
    assert answer_words("yn") == ("yn",)  # never emptied by fillers alone
    assert answer_words("thank you") == ()


def test_shipped_flow_labels_with_yn_are_understood() -> None:
    flow = load_flow(Path(__file__).resolve().parents[2] / "flows" / "practice_review_experience.yaml")
    waiting = flow.nodes["waiting"]
    for reply in ("yn syth", "syth", "yn gyflym", "gyflym"):
        assert parse_answer(waiting, reply, Audience(language="cy")) == "less_than_a_week", reply
    assert parse_answer(flow.nodes["respected"], "yn llwyr", Audience(language="cy")) == "5"


def test_a_table_that_contradicts_itself_is_refused() -> None:
    with pytest.raises(ValueError, match="means both"):
        _table({"yn dda": "4", "dda": "5"})


# --- scale words: longer phrases win, in both languages ----------------------------------

SCALE_PHRASES = [
    # Welsh: "iawn" alone is OK, but it strengthens the word before it.
    ("anodd", "2"),
    ("yn anodd", "2"),
    ("anodd iawn", "1"),
    ("Anodd iawn!", "1"),
    ("roedd hi'n anodd iawn", "1"),
    ("anodd dros ben", "1"),
    ("hawdd", "4"),
    ("yn hawdd", "4"),
    ("hawdd iawn", "5"),
    ("hawdd dros ben", "5"),
    ("eithaf hawdd", "4"),
    ("eithaf anodd", "2"),
    ("ddim yn hawdd", "2"),
    ("gwael iawn", "1"),
    ("yn wael iawn", "1"),
    ("yn wael", "2"),
    ("drwg iawn", "1"),
    ("da iawn", "5"),
    ("yn dda iawn", "5"),
    ("yn dda", "4"),
    ("ofnadwy o dda", "5"),
    ("ofnadwy", "1"),
    ("iawn", "3"),
    ("yn iawn", "3"),
    ("ddim yn ddrwg", "3"),
    ("yn llwyr", "5"),
    ("cant y cant", "5"),
    # English intensifiers.
    ("very hard", "1"),
    ("Very difficult", "1"),
    ("really bad", "1"),
    ("very easy", "5"),
    ("so easy", "5"),
    ("really good", "5"),
    ("hard", "2"),
    ("difficult", "2"),
    ("quite hard", "2"),
    ("not easy", "2"),
    ("not very easy", "2"),
    ("easy", "4"),
    ("quite easy", "4"),
    ("not good", "2"),
    ("not very good", "2"),
    # "not bad" is British understatement for all right: the middle. "not bad at all" is more.
    ("not bad", "3"),
    ("not too bad", "3"),
    ("not bad at all", "4"),
    ("neither easy nor hard", "3"),
    ("it was very hard to get hold of her", "1"),
]


@pytest.mark.parametrize(("text", "value"), SCALE_PHRASES)
def test_scale_phrases(text: str, value: str) -> None:
    assert parse_scale(text, "cy") == value


@pytest.mark.parametrize(
    "text",
    ["hard to say", "anodd dweud", "she worked really hard", "ddim yn anodd", "it wasn't easy", "thanks"],
)
def test_scale_phrases_that_are_no_rating(text: str) -> None:
    assert parse_scale(text, "en") is None
