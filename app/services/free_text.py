"""What people said in their own words: sentiment in words, and the phrases many of them used.

Phrases are found with TextBlob's pattern tagger and a regular-expression
chunker, both offline: nothing here needs NLTK's punkt or brown corpora
(TextBlob's ``.noun_phrases`` and ``.sentences`` would).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache

from nltk import RegexpParser
from textblob.taggers import PatternTagger

from app.services.sentiment import in_words

# Adjectives (or -ing words) before one or more nouns: "social worker", "long wait", "care plan".
GRAMMAR = "PHRASE: {<JJ.*|VBG>*<NN.*>+}"
# Words too general to be a phrase on their own.
STOP = {"thing", "things", "time", "lot", "bit", "way", "nothing", "anything", "something", "everything",
        "yes", "no", "ok", "okay", "none", "nobody", "somebody", "someone", "anyone", "everyone"}  # fmt: skip
# A phrase one person used might point at them; a phrase two or more used is a common theme.
MIN_PEOPLE = 2


@cache
def _tagger() -> PatternTagger:
    return PatternTagger()


@cache
def _chunker() -> RegexpParser:
    return RegexpParser(GRAMMAR)


# Sentence and clause breaks, so a phrase never runs across them ("helpful. Waiting lists").
CLAUSE_BREAK = re.compile(r"[.!?;:,\n()]+")


def phrases_in(text: str) -> set[str]:
    """The noun phrases in ``text``, lower case, each once."""
    found = set()
    for clause in CLAUSE_BREAK.split(text):
        tagged = [(word, tag) for word, tag in _tagger().tag(clause) if re.search(r"\w", word)]
        if not tagged:
            continue
        for subtree in _chunker().parse(tagged).subtrees(lambda t: t.label() == "PHRASE"):
            leaves = [(word.lower(), tag) for word, tag in subtree.leaves()]
            found |= _spans(leaves)
    return found


def _spans(leaves: list[tuple[str, str]]) -> set[str]:
    """The phrase, and its shorter runs of two or more words that end in a noun.

    So "care plan meeting" also counts as "care plan", which someone else said on its own.
    """
    words = [word for word, _tag in leaves]
    if len(words) == 1:
        return {words[0]} if len(words[0]) > 2 and words[0] not in STOP else set()
    spans = set()
    for start in range(len(words)):
        for end in range(start + 2, len(words) + 1):
            if leaves[end - 1][1].startswith("NN"):
                spans.add(" ".join(words[start:end]))
    return spans


def common_phrases(texts_by_person: Iterable[tuple[int, str]], top: int = 8) -> list[tuple[str, int]]:
    """Phrases used by at least two different people, most-used first: (phrase, number of people)."""
    people: dict[str, set[int]] = {}
    for person, text in texts_by_person:
        for phrase in phrases_in(text):
            people.setdefault(phrase, set()).add(person)
    counts = Counter({phrase: len(who) for phrase, who in people.items() if len(who) >= MIN_PEOPLE})
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]


def mean_sentiment(scores: Iterable[float | None]) -> float | None:
    values = [s for s in scores if s is not None]
    return round(sum(values) / len(values), 3) if values else None


def sentiment_text(score: float | None) -> str:
    """ "mostly positive (0.32)": the words first, the number for whoever wants it."""
    if score is None:
        return in_words(None)
    return f"{in_words(score)} ({score:+.2f})"
