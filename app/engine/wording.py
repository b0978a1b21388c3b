"""Choosing and filling wording for one person.

A wording block (docs/flows.md) holds English variants (``standard``,
``easy_read``), channel overrides (``sms``, ``voice``, ``telegram``, ``web``,
``peer``) and a ``cy:`` block with the same keys in Welsh. A plain string is
English standard wording. :func:`normalise_wording` gives every block one
shape: all keys are kept, plain strings become ``{"standard": text}``, so
:func:`pick` never needs to guess.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from app.engine.types import CHANNELS, VARIANTS, Audience

Wording = dict[str, Any]

PLACEHOLDERS: tuple[str, ...] = ("first_name", "council", "review_theme")

# What a missing field becomes, so "{council} looked at ..." still reads well.
# A missing first name is simply left out ("Hello {first_name}." -> "Hello.").
# A Welsh stand-in that starts with the article "y" takes the form the words
# around it need (see _welsh_article): "Mae'r cyngor", "Y cyngor", "wrth y cyngor".
_STAND_INS: dict[str, dict[str, str]] = {
    "en": {"council": "the council", "review_theme": "social work"},
    "cy": {"council": "y cyngor", "review_theme": "gwaith cymdeithasol"},
}
_WELSH_VOWELS = frozenset("aeiouwyâêîôûŵŷáéíóúẃýàèìòùẁỳäëïöüẅÿ")
_JOIN = "\x01"  # glues "'r" to the word before it: "Mae" + "'r cyngor" -> "Mae'r cyngor"


def _welsh_article(stand_in: str, before: str, sentence_start: bool) -> str:
    """A Welsh stand-in with the article its place needs.

    "y" before a consonant and "yr" before a vowel or h ("y cyngor", "yr
    adolygiad"); "'r", joined on, after a word ending in a vowel ("Mae'r
    cyngor", "â'r cyngor", "i'r adolygiad"); a capital at a sentence start.
    Stand-ins without an article are returned as they are.
    """
    article, _, noun = stand_in.partition(" ")
    if article.lower() not in ("y", "yr") or not noun:
        return stand_in
    if sentence_start:
        article = "Yr" if noun[0].lower() in _WELSH_VOWELS | {"h"} else "Y"
        return f"{article} {noun}"
    if before and before[-1].lower() in _WELSH_VOWELS:
        return f"{_JOIN}'r {noun}"
    article = "yr" if noun[0].lower() in _WELSH_VOWELS | {"h"} else "y"
    return f"{article} {noun}"


_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_ ]*)\}")


def _scalar(value: Any) -> Any:
    # YAML gives numbers for labels like `1`; wording is always text.
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    return value


def normalise_wording(raw: Any) -> Wording:
    """One shape for every wording block: a plain string is English standard."""
    raw = _scalar(raw)
    if raw is None:
        return {}
    if isinstance(raw, str):
        return {"standard": raw}
    if not isinstance(raw, dict):
        return {}
    block: Wording = {}
    for key, value in raw.items():
        key = str(key)
        value = _scalar(value)
        if key == "cy":
            block["cy"] = {k: v for k, v in normalise_wording(value).items() if k != "cy"}
        elif isinstance(value, dict):
            block[key] = {str(k): _scalar(v) for k, v in value.items()}
        else:
            block[key] = value
    return block


def _language_block(wording: Wording, language: str) -> dict[str, Any]:
    if language == "en":
        return {k: v for k, v in wording.items() if k != "cy"}
    block = wording.get(language)
    return block if isinstance(block, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _pick_in(block: dict[str, Any], variant: str, channel: str | None) -> str | None:
    """Steps 1-4 of the fall-back order, within one language."""
    if channel:
        override = block.get(channel)
        if isinstance(override, dict):  # 1. the channel override for the variant
            found = _text(override.get(variant))
            if found:
                return found
        elif _text(override):  # 2. the channel override for every variant
            return override
    return _text(block.get(variant)) or _text(block.get("standard"))  # 3, then 4


def pick(wording: Wording | str | None, audience: Audience, *, peer_says: bool = False) -> str:
    """The wording for this person, by the fall-back order in docs/flows.md.

    In a flow the ``peer`` override is guidance for the peer reviewer, never
    said to the person (see :func:`guidance`), so the peer channel hears the
    variant's wording. The engine's own phrases pass ``peer_says=True``: their
    ``peer`` wording is what the peer reviewer says to the person. Returns ""
    only when the block has no usable text at all.
    """
    block = normalise_wording(wording)
    channel = audience.channel if audience.channel != "peer" or peer_says else None
    languages = [audience.language] if audience.language != "en" else []
    for language in [*languages, "en"]:  # 5. the same steps in English
        found = _pick_in(_language_block(block, language), audience.variant, channel)
        if found:
            return found
    return ""


def guidance(wording: Wording | str | None, audience: Audience) -> str | None:
    """The peer reviewer's guidance (the ``peer`` override), in their language if it exists."""
    block = normalise_wording(wording)
    languages = [audience.language] if audience.language != "en" else []
    for language in [*languages, "en"]:
        found = _pick_in({"peer": _language_block(block, language).get("peer")}, audience.variant, "peer")
        if found:
            return found
    return None


def each_text(wording: Wording | str | None) -> Iterator[tuple[str, str, str | None, str]]:
    """Every text in a block as (language, key, variant, text); variant is None
    for a channel override that serves every variant. For checks and audio caches."""
    block = normalise_wording(wording)
    for language in ("en", "cy"):
        for key, value in _language_block(block, language).items():
            if isinstance(value, dict):
                for variant, text in value.items():
                    if isinstance(text, str):
                        yield language, key, variant, text
            elif isinstance(value, str):
                yield language, key, (key if key in VARIANTS else None), value


def has_text(wording: Wording, language: str, key: str) -> bool:
    """Whether ``key`` (a variant or channel) has wording of its own in ``language``."""
    return _language_block(normalise_wording(wording), language).get(key) not in (None, "", {})


def placeholders(text: str) -> list[str]:
    return [name.strip() for name in _PLACEHOLDER.findall(text)]


def fill(text: str, fields: dict[str, str] | None, language: str = "en") -> str:
    """Put the person's details into ``text``; never raises.

    A missing first name is left out with its space ("Hello {first_name}." ->
    "Hello."); a missing council or theme becomes a plain stand-in ("the
    council"; in Welsh "y cyngor", shaped to fit: "Mae'r cyngor"); an unknown
    placeholder is left out.
    """
    if "{" not in text:
        return text
    fields = fields or {}
    parts: list[str] = []
    for literal, name, before, sentence_start in _template(text):
        parts.append(literal)
        if name is not None:
            parts.append(_value_for(name, before, sentence_start, fields, language))
    return _tidy("".join(parts))


@functools.lru_cache(maxsize=1024)
def _template(text: str) -> tuple[tuple[str, str | None, str, bool], ...]:
    """``text`` split at its placeholders, once per text: (literal before, name, the text
    before the placeholder without trailing spaces, whether it starts a sentence); the
    last part has no name. Wording is fixed (flows and phrases), so this is a handful."""
    parts: list[tuple[str, str | None, str, bool]] = []
    end = 0
    for match in _PLACEHOLDER.finditer(text):
        before = text[: match.start()].rstrip(" \t")
        sentence_start = not before or before[-1] in ".!?\n"
        parts.append((text[end : match.start()], match.group(1).strip(), before, sentence_start))
        end = match.end()
    parts.append((text[end:], None, "", False))
    return tuple(parts)


def _value_for(name: str, before: str, sentence_start: bool, fields: dict[str, str], language: str) -> str:
    stand_ins = _STAND_INS.get(language, _STAND_INS["en"])
    value = str(fields.get(name) or "").strip()
    if not value and language == "cy" and name in stand_ins:
        return _welsh_article(stand_ins[name], before, sentence_start)
    value = value or stand_ins.get(name, "")
    if not value:
        return _GAP_AT_START if sentence_start else ""
    return value[0].upper() + value[1:] if sentence_start else value


_JOINED = re.compile(r"[ \t]*" + _JOIN)
_SPACE_BEFORE_STOP = re.compile(r"[ \t]+([.,!?;:])")
_DOUBLE_STOP = re.compile(r"([,;:])(?=[.,!?;:])")
_SPACES = re.compile(r"[ \t]{2,}")


def _tidy(filled: str) -> str:
    if _JOIN in filled:
        filled = _JOINED.sub("", filled)
    if _GAP_AT_START in filled:
        # Tidy what a left-out name leaves behind: "Hello ." / "Hi , thanks" / "{first_name}, thank you".
        filled = _GAP.sub(lambda m: m.group(1).upper(), filled)
    filled = _SPACE_BEFORE_STOP.sub(r"\1", filled)
    filled = _DOUBLE_STOP.sub("", filled)
    filled = _SPACES.sub(" ", filled)
    return filled.strip(" \t")


_GAP_AT_START = "\x00"
_GAP = re.compile(_GAP_AT_START + r"[ \t]*[,;:]?[ \t]*(\w?)")


__all__ = [
    "CHANNELS",
    "PLACEHOLDERS",
    "Wording",
    "each_text",
    "fill",
    "guidance",
    "has_text",
    "normalise_wording",
    "pick",
    "placeholders",
]
