"""Sentiment of free text, with TextBlob's offline lexicon (no NLTK corpora needed)."""

from __future__ import annotations

from textblob import TextBlob


def polarity(text: str) -> float:
    """From -1 (negative) to 1 (positive), rounded for storage."""
    return round(float(TextBlob(text).sentiment.polarity), 3)


def in_words(score: float | None) -> str:
    if score is None:
        return "no words to read"
    if score >= 0.5:
        return "positive"
    if score >= 0.1:
        return "mostly positive"
    if score > -0.1:
        return "mixed or neutral"
    if score > -0.5:
        return "mostly negative"
    return "negative"
