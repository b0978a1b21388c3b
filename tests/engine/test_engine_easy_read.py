from __future__ import annotations

from app.engine.easy_read import long_sentences, sentences, word_count


def test_sentences_split_on_stops_and_line_breaks() -> None:
    assert sentences("One. Two! Three?\nFour") == ["One.", "Two!", "Three?", "Four"]
    assert sentences("") == []


def test_words_leave_out_punctuation_and_emoji() -> None:
    assert word_count("1 = not at all , 5 = very well 👍") == 7


def test_long_sentences_are_over_the_limit_only() -> None:
    fifteen = " ".join(["word"] * 15) + "."
    sixteen = " ".join(["word"] * 16) + "."
    assert long_sentences(fifteen) == []
    assert long_sentences(f"Short. {sixteen}") == [sixteen]
    assert long_sentences("a b c d", limit=3) == ["a b c d"]
