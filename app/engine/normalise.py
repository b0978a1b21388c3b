"""Turning what people type into comparable tokens.

Replies arrive with capitals, accents, apostrophes, punctuation, emoji skin
tones and stray spaces; every parser compares tokens made here, so "Yes!",
"yes" and " YES " are one answer and "nôl" matches "NOL".
"""

from __future__ import annotations

import unicodedata

# Marks dropped before comparing: accents (Mn, including emoji variation
# selectors), skin tones (Sk) and zero-width joiners (Cf).
_DROPPED = {"Mn", "Sk", "Cf"}
_APOSTROPHES = {"'", "’", "‘", "`", "ʼ"}


def _char_rule(char: str) -> str | None:
    """What one character (after NFKD) becomes: dropped, a space, itself, or spaced out."""
    category = unicodedata.category(char)
    if category in _DROPPED or char in _APOSTROPHES:
        return None  # "didn't" -> "didnt", "nôl" -> "nol"
    if category.startswith("P"):
        return " "
    if category == "So":
        return f" {char} "  # each emoji is a word of its own
    return char


class _CharTable(dict[int, str | None]):
    """str.translate table filled in per character on first sight (at most one entry a character)."""

    def __missing__(self, code: int) -> str | None:
        rule = _char_rule(chr(code))
        self[code] = rule
        return rule


_CHARS = _CharTable()
for _code in range(128):  # ASCII up front
    _CHARS[_code]


def normalise(text: str) -> str:
    """Lower case, no accents or punctuation, emoji spaced out, single spaces."""
    return " ".join(unicodedata.normalize("NFKD", text.casefold()).translate(_CHARS).split())


def tokens(text: str) -> tuple[str, ...]:
    return tuple(normalise(text).split())


class PhraseTable(dict[tuple[str, ...], str]):
    """A phrase table that knows its phrase lengths, longest first (see :func:`find_phrases`).

    Build it once (at import or load time) and don't change it afterwards.
    """

    sizes: tuple[int, ...]
    words: frozenset[str]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.sizes = _sizes(self)
        self.words = frozenset(word for phrase in self for word in phrase)


def _sizes(table: dict[tuple[str, ...], str]) -> tuple[int, ...]:
    return tuple(sorted({len(phrase) for phrase in table}, reverse=True))


def find_phrases(
    words: tuple[str, ...], table: dict[tuple[str, ...], str]
) -> tuple[list[tuple[int, int, str]], list[bool]]:
    """Non-overlapping phrase matches, longest first, so "not very well" beats "well".

    Phrases of one length are tried in their own (sorted) order, each at every
    place it occurs, left to right. Returns the matches as (start, end, value),
    in message order, and which words they used.
    """
    count = len(words)
    used = [False] * count
    found: list[tuple[int, int, str]] = []
    if isinstance(table, PhraseTable):
        if table.words.isdisjoint(words):
            return found, used  # no phrase can match
        sizes = table.sizes
    else:
        sizes = _sizes(table)
    # Every place a phrase of the table occurs, in order of preference: longest first,
    # then the phrase's own (sorted) order, then left to right.
    hits = [
        (-size, words[start : start + size], start)
        for size in sizes
        if size <= count
        for start in range(count - size + 1)
        if words[start : start + size] in table
    ]
    hits.sort()
    for minus_size, phrase, start in hits:
        end = start - minus_size
        if not any(used[start:end]):
            used[start:end] = [True] * (end - start)
            found.append((start, end, table[phrase]))
    found.sort()
    return found, used


def phrase_table(entries: dict[str, str]) -> PhraseTable:
    """Write tables as readable strings; compare them as tokens."""
    return PhraseTable({tokens(text): value for text, value in entries.items() if tokens(text)})
