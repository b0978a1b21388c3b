"""Triangulation: the record's rating beside what people said, in real conversations on a real database."""

from __future__ import annotations

from fractions import Fraction

import pytest

from app.services.free_text import common_phrases, phrases_in
from app.services.runtime import Runtime
from app.services.triangulation import disagree, lived_score, triangulate
from tests.audit.support import WM12_HEADER, add, converse, import_text, new_review, note_quote, wm12_row

OUTSTANDING, GOOD, RI, INADEQUATE = Fraction(1), Fraction(2, 3), Fraction(1, 3), Fraction(0)


@pytest.mark.parametrize(
    ("answer_type", "value", "expected"),
    [
        ("scale", "1", Fraction(0)),
        ("scale", "2", Fraction(1, 4)),
        ("scale", "3", Fraction(1, 2)),
        ("scale", "5", Fraction(1)),
        ("scale", "9", None),
        ("yes_no", "yes", Fraction(1)),
        ("yes_no", "no", Fraction(0)),
        ("choice", "a_few_weeks", Fraction(1, 2)),
        ("choice", "dont_know", None),
        ("free_text", "lovely", None),
    ],
)
def test_answers_on_the_zero_to_one_scale(answer_type: str, value: str, expected: Fraction | None) -> None:
    assert lived_score(answer_type, value) == expected


@pytest.mark.parametrize(
    ("audit", "lived", "flagged"),
    [
        (OUTSTANDING, Fraction(0), True),  # Outstanding, answered 1 of 5
        (OUTSTANDING, Fraction(1, 2), True),  # exactly 0.5 apart counts
        (GOOD, Fraction(1, 2), False),  # 1/6 apart
        (RI, Fraction(1), True),  # record poor, person very happy: either direction
        (INADEQUATE, Fraction(1, 4), False),
        (Fraction(1, 2), Fraction(0), True),  # WLGA P against a "no"
        (GOOD, None, False),  # nobody spoke to it
    ],
)
def test_a_disagreement_is_half_a_scale_or_more_either_way(
    audit: Fraction, lived: Fraction | None, flagged: bool
) -> None:
    assert disagree(audit, lived) is flagged


def test_outstanding_record_and_a_person_who_answered_one_is_a_disagreement(rt: Runtime) -> None:
    review_id = new_review(rt)
    # q1 (voice_of_person): A1 Outstanding, A2 Good. q2 (strengths): both Good.
    assert import_text(
        rt, review_id, "\n".join([WM12_HEADER, wm12_row("A1", q1="O"), wm12_row("A2", q1="G")]) + "\n"
    ).ok
    sam, sam_token = add(rt, review_id, "A1", "Sam")
    ann, ann_token = add(rt, review_id, "A2", "Ann")
    priya, priya_token = add(rt, review_id, "A2", "Priya", role="relative")
    # Sam: listened 1 of 5 (0 vs Outstanding 1: apart by 1). Strengths 4 (0.75 vs Good 0.67: agree).
    converse(rt, sam, sam_token, {"listened": "1", "strengths": "4"})
    # Ann: listened 4 (0.75 vs Good 0.67: agree). Her relative Priya: listened 1 (0 vs 0.67: differs).
    converse(rt, ann, ann_token, {"listened": "4", "strengths": "4"})
    converse(rt, priya, priya_token, {"listened": "1", "strengths": "4"})

    with rt.db.reading() as session:
        result = triangulate(session, review_id)
    cells = {(c.audit_ref, c.theme): c for c in result.cells}

    a1 = cells[("A1", "voice_of_person")]
    assert a1.audit_score == OUTSTANDING
    assert a1.accounts["person"].score == Fraction(0)
    assert a1.disagreements == ["person"]
    assert a1.ratings == [("q1", "Outstanding")]

    a2 = cells[("A2", "voice_of_person")]
    assert a2.audit_score == GOOD
    assert a2.accounts["person"].score == Fraction(3, 4)
    assert a2.accounts["family"].score == Fraction(0)
    assert a2.disagreements == ["family"]  # the relative differs; the person, kept apart, agrees

    for ref in ("A1", "A2"):
        assert cells[(ref, "strengths")].disagreements == []  # 0.75 against Good: they agree

    rows = {row.theme: row for row in result.themes}
    voice = rows["voice_of_person"]
    # Audit (1 + 2/3) / 2 = 0.83; lived (0 + 3/4 + 0) / 3 = 0.25; 3 voices; 2 disagreements.
    assert (voice.audit_mean, voice.lived_mean, voice.voices, voice.disagreements) == (0.83, 0.25, 3, 2)
    assert (rows["strengths"].audit_mean, rows["strengths"].lived_mean) == (0.67, 0.75)
    assert rows["strengths"].disagreements == 0
    assert rows["risk"].record_only and rows["risk"].lived_mean is None
    assert result.disagreement_count == 2


def test_only_consented_words_are_quoted(rt: Runtime) -> None:
    review_id = new_review(rt)
    assert import_text(rt, review_id, f"{WM12_HEADER}\n{wm12_row('A1', q1='O')}\n{wm12_row('A2')}\n").ok
    yes, yes_token = add(rt, review_id, "A1", "Sam")
    no, no_token = add(rt, review_id, "A2", "Ann")
    consented = "Nobody ever asked me what I wanted from my care plan."
    planted = "PLANTED-UNCONSENTED the worker shouted at my care plan meeting."
    converse(rt, yes, yes_token, {"consent_quotes": "yes", "listened": "1", "what_matters": consented})
    converse(rt, no, no_token, {"consent_quotes": "no", "listened": "2", "what_matters": planted})
    note_quote(rt, yes, "listened", "She never once looked at me.", consent=True)
    note_quote(rt, yes, "listened", "PLANTED-PEER-NO I'd rather this stayed between us.", consent=False)
    note_quote(rt, no, "listened", "PLANTED-PEER-YES-BUT-REFUSED I said no to quotes.", consent=True)

    with rt.db.reading() as session:
        result = triangulate(session, review_id)
    voice = next(row for row in result.themes if row.theme == "voice_of_person")
    texts = [q.text for q in voice.quotes]
    # The quote from a record where the person differs comes first; only consented words at all.
    assert sorted(texts) == sorted(
        ["Nobody ever asked me what I wanted from my care plan.", "She never once looked at me."]
    )
    assert all(q.audit_ref == "A1" for q in voice.quotes)
    assert not [t for row in result.themes for q in row.quotes for t in [q.text] if "PLANTED" in t]
    # "care plan" was said by two people, so it is common; a phrase one person used is not shown.
    assert ("care plan", 2) in voice.phrases
    assert all(n >= 2 for _phrase, n in voice.phrases)


def test_phrases_are_found_offline_without_running_across_sentences() -> None:
    assert phrases_in("The social worker listened. Waiting lists were too long!") == {
        "social worker",
        "waiting lists",
    }
    found = common_phrases(
        [(1, "My social worker was kind"), (2, "the social worker never rang"), (3, "a cat")]
    )
    assert found == [("social worker", 2)]
