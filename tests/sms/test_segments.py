"""SMS segment arithmetic and the GSM-7 normaliser (pure functions)."""

from __future__ import annotations

import pytest

from app.engine.segments import count_segments, segment_warnings, to_gsm7


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("", "GSM-7", 0),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("é" * 160, "GSM-7", 1),  # é is in the GSM-7 alphabet
        ("ŵ" * 70, "UCS-2", 1),
        ("ŵ" * 71, "UCS-2", 2),
        ("ŵ" * 134, "UCS-2", 2),
        ("ŵ" * 135, "UCS-2", 3),
    ],
)
def test_segment_boundaries(text: str, encoding: str, segments: int) -> None:
    count = count_segments(text)
    assert (count.encoding, count.segments) == (encoding, segments)


def test_extension_characters_cost_two_septets() -> None:
    assert count_segments("€" * 80).units == 160
    assert count_segments("€" * 80).segments == 1
    assert count_segments("€" * 81).segments == 2
    assert count_segments("a" * 159 + "€").segments == 2


def test_an_escape_pair_never_straddles_two_parts() -> None:
    # 152 plain characters then one euro: 154 septets would split the pair, so a third part is not
    # needed but the euro moves to part two. 152 + 2 + 153 = 307 septets -> 3 parts, not 2.
    text = "a" * 152 + "€" + "a" * 153
    assert count_segments(text).units == 307
    assert count_segments(text).segments == 3


def test_one_emoji_turns_the_whole_text_into_ucs2_and_counts_as_two_units() -> None:
    count = count_segments("Thanks 👍")
    assert count.encoding == "UCS-2"
    assert count.units == 9
    assert count.outside_gsm7 == ("👍",)


def test_the_normaliser_makes_typographic_english_gsm7() -> None:
    text = "“Don’t worry” – it’s fine… really"
    assert to_gsm7(text) == "\"Don't worry\" - it's fine... really"
    assert count_segments(to_gsm7(text)).encoding == "GSM-7"


def test_the_normaliser_leaves_welsh_letters_and_emoji_alone() -> None:
    assert to_gsm7("Sut mae’r gŵr? 🙂") == "Sut mae'r gŵr? 🙂"


def test_warnings_for_long_easy_read_long_standard_and_english_ucs2() -> None:
    assert segment_warnings("Did your social worker listen to you?", "easy_read", "en") == []
    [long_easy] = segment_warnings("word " * 40, "easy_read", "en")
    assert "2 segments" in long_easy and "fit in 1" in long_easy
    assert segment_warnings("word " * 60, "standard", "en") == []  # 300 septets: 2 parts
    assert len(segment_warnings("word " * 70, "standard", "en")) == 1
    [ucs] = segment_warnings("How was it? 😀", "standard", "en")
    assert "UCS-2" in ucs
    # Welsh may need UCS-2 for its own letters; only the length rule applies.
    assert segment_warnings("Ydy'r gweithiwr yn gwrando? Ŵyr", "standard", "cy") == []
