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


def normalise(text: str) -> str:
    """Lower case, no accents or punctuation, emoji spaced out, single spaces."""
    out: list[str] = []
    for char in unicodedata.normalize("NFKD", text.casefold()):
        category = unicodedata.category(char)
        if category in _DROPPED or char in _APOSTROPHES:
            continue  # "didn't" -> "didnt", "nôl" -> "nol"
        if category.startswith("P"):
            out.append(" ")
        elif category == "So":
            out.append(f" {char} ")  # each emoji is a word of its own
        else:
            out.append(char)
    return " ".join("".join(out).split())


def tokens(text: str) -> tuple[str, ...]:
    return tuple(normalise(text).split())


def find_phrases(
    words: tuple[str, ...], table: dict[tuple[str, ...], str]
) -> tuple[list[tuple[int, int, str]], list[bool]]:
    """Non-overlapping phrase matches, longest first, so "not very well" beats "well".

    Returns the matches as (start, end, value), in message order, and which
    words they used.
    """
    used = [False] * len(words)
    found: list[tuple[int, int, str]] = []
    for phrase in sorted(table, key=lambda p: (-len(p), p)):
        size = len(phrase)
        for start in range(len(words) - size + 1):
            if words[start : start + size] == phrase and not any(used[start : start + size]):
                used[start : start + size] = [True] * size
                found.append((start, start + size, table[phrase]))
    return sorted(found), used


def phrase_table(entries: dict[str, str]) -> dict[tuple[str, ...], str]:
    """Write tables as readable strings; compare them as tokens."""
    return {tokens(text): value for text, value in entries.items() if tokens(text)}
