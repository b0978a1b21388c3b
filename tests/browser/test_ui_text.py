"""The chat page's labels: every language and variant has every label; easy read is short."""

from __future__ import annotations

import re

import pytest

from app.web.ui_text import COMMANDS, KEYS, TABLES, ui_text


@pytest.mark.parametrize(("language", "variant"), sorted(TABLES))
def test_every_label_in_every_language_and_variant(language: str, variant: str) -> None:
    labels = ui_text(language, variant)
    assert set(labels) >= KEYS
    assert set(TABLES[(language, variant)]) == KEYS
    assert all(labels[key].strip() for key in KEYS)
    assert labels["lang"] == language


@pytest.mark.parametrize("language", ["en", "cy"])
def test_easy_read_sentences_are_short(language: str) -> None:
    for key, text in TABLES[(language, "easy_read")].items():
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            words = sentence.split()
            assert len(words) <= 15, f"{language} easy read {key!r}: {len(words)} words: {sentence}"


def test_commands_are_english_words_in_both_languages() -> None:
    for language in ("en", "cy"):
        labels = ui_text(language, "easy_read")
        assert {labels[f"cmd_{name}"] for name in COMMANDS} == {"BACK", "SKIP", "HELP", "CALL ME", "STOP"}


def test_unknown_language_or_variant_falls_back() -> None:
    assert ui_text("fr", "comic") == ui_text("en", "standard")
