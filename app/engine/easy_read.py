"""Easy-read checks: short sentences, one idea each (15 words or fewer)."""

from __future__ import annotations

import re
import unicodedata

EASY_READ_LIMIT = 15

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|[\r\n]+")


def sentences(text: str) -> list[str]:
    """Split on . ! ? (followed by a space) and line breaks; drop empty pieces."""
    return [piece.strip() for piece in _SENTENCE_END.split(text) if piece.strip()]


def _is_word(token: str) -> bool:
    # A word has a letter or digit in it: "=", "-" and emoji are not words.
    return any(unicodedata.category(char)[0] in "LN" for char in token)


def word_count(sentence: str) -> int:
    return sum(1 for token in sentence.split() if _is_word(token))


def long_sentences(text: str, limit: int = EASY_READ_LIMIT) -> list[str]:
    """The sentences of ``text`` with more than ``limit`` words."""
    return [sentence for sentence in sentences(text) if word_count(sentence) > limit]
