"""Drafts: the actions linked to what each person said; easy read in short sentences; SMS in two segments."""

from __future__ import annotations

import itertools

import pytest
from feedback_support import add_person, answer, build_world

from app.engine.easy_read import long_sentences
from app.engine.segments import count_segments
from app.models import Action, FeedbackMessage
from app.services.feedback.actions import ActionError, NewAction, add_action, update_action
from app.services.feedback.drafting import Item, Who, compose, draft_review, edit_draft, has_errors
from app.services.feedback.sending import approve
from app.services.feedback.wording import PAGE, WORDS, words
from app.services.participants import create_review
from app.services.runtime import Runtime

LONG_COUNCIL = "The Royal Borough of Windsor and Maidenhead Council"
SHORT = Item(1, "done", "Calls took too long.", "We answer in two days.", "waiting.svg")
LONG = Item(
    2,
    "in_progress",
    "People told us that it often took several weeks before anybody rang them back after they first asked.",
    "We have hired four more duty social workers and set a target of calling everyone back within two days.",
    "waiting.svg",
)
EASY = Item(3, "planned", "You waited too long.", "We will ring you back sooner.", "waiting.svg")


def _who(channel: str, language: str, variant: str, council: str = LONG_COUNCIL) -> Who:
    link = "https://heard.example.org/f/AbCdEfGhIjKlMnOp"
    return Who("Christopher", council, language, variant, channel, link, "0300 123 4567")


@pytest.mark.parametrize(
    ("channel", "language", "variant", "items"),
    list(
        itertools.product(
            ("sms", "voice", "telegram", "web", "post"),
            ("en", "cy"),
            ("standard", "easy_read"),
            ([SHORT], [EASY, SHORT], [LONG], [SHORT, LONG, EASY]),
        )
    ),
)
def test_every_draft_is_checked_and_a_clean_one_meets_the_rules(
    channel: str, language: str, variant: str, items: list[Item]
) -> None:
    draft = compose(_who(channel, language, variant), items, "their_words")
    texts = [draft.body or "", *(block["text"] for block in draft.blocks)]
    too_long = [s for t in texts for s in long_sentences(t)]
    if variant == "easy_read":
        # Staff's long sentence can't be hidden: it is an error, and the draft can't be approved.
        assert bool(too_long) == has_errors(draft.problems)
        assert bool(too_long) == (LONG in items)
    if channel == "sms":
        assert draft.body and count_segments(draft.body).segments <= 2
        assert "https://heard.example.org/f/AbCdEfGhIjKlMnOp" in draft.body
    if not has_errors(draft.problems) and variant == "easy_read":
        assert not too_long
    assert draft.blocks[0]["picture"] == "hear_back.svg" and draft.blocks[-1]["picture"] == "thank_you.svg"


def test_the_sms_keeps_as_much_as_fits_two_segments() -> None:
    rich = compose(_who("sms", "en", "standard", "Northshire Council"), [SHORT], "their_words").body
    assert rich is not None and "You said: Calls took too long." in rich and "Reply YES or NO" in rich
    lean = compose(_who("sms", "en", "standard"), [LONG], "their_words").body
    assert lean is not None and "People told us" not in lean and count_segments(lean).segments <= 2
    assert lean.endswith("Read more: https://heard.example.org/f/AbCdEfGhIjKlMnOp")


def test_every_easy_read_wording_of_ours_is_short() -> None:
    for block in [*WORDS.values(), *PAGE.values()]:
        for language in ("en", "cy"):
            from app.engine.types import Audience
            from app.engine.wording import pick

            text = pick(block, Audience(variant="easy_read", language=language))
            # A typical council name (the SMS checks' sample); a longer one is caught per draft.
            assert not long_sentences(text.replace("{council}", "Northshire County Council")), text
    assert words("intro", "cy", "easy_read", council="Cyngor Gwynedd").startswith("Mae Cyngor Gwynedd")


def test_each_person_hears_of_the_actions_linked_to_what_they_said(frt: Runtime) -> None:
    world = build_world(frt)
    r = world.review_id
    ref_only = add_person(frt, r, "C1", "Ref", channel="web", hear_back=True, hear_back_channel="web")
    with frt.db.writing() as session:
        by_ref = add_action(
            session,
            NewAction(r, "Letters were confusing", "We rewrote our letters", "done", audit_refs=("c1",)),
            frt.clock(),
        ).id
    draft_review(frt, r)
    with frt.db.reading() as session:
        rows = {row.participant_id: row for row in session.query(FeedbackMessage).all()}
    p = world.people
    assert (rows[p["Priya"]].action_ids, rows[p["Priya"]].basis) == (
        [world.actions["call_back"]],
        "their_words",
    )
    assert rows[p["Margaret"]].action_ids == [world.actions["listening"]]  # by theme
    assert (rows[ref_only].action_ids, rows[ref_only].basis) == ([by_ref], "their_words")  # by audit ref
    # Sam's answer has no action: the review's headline action instead.
    assert (rows[p["Sam"]].action_ids, rows[p["Sam"]].basis) == ([world.actions["listening"]], "headline")


def test_an_easy_read_draft_with_a_long_sentence_cant_be_approved_until_edited(frt: Runtime) -> None:
    with frt.db.writing() as session:
        review_id = create_review(session, "Northshire Council", "Carers").id
    person = add_person(frt, review_id, "D1", "Ann", channel="web", variant="easy_read", hear_back=True)
    answer(frt, person, "access", "1")
    with frt.db.writing() as session:
        add_action(
            session, NewAction(review_id, LONG.you_said, LONG.we_did, "in_progress", ("access",)), frt.clock()
        )
    draft_review(frt, review_id)
    assert approve(frt, review_id, "test")[0] == 0
    with frt.db.reading() as session:
        row = session.query(FeedbackMessage).one()
        assert any("more than 15 words" in p["text"] for p in row.problems)
        texts = [b["text"] for b in row.blocks]
    texts[1] = "You said: It took weeks to ring you back.\nWe are doing: We will ring back in two days."
    edited = edit_draft(frt, row.id, None, texts, "officer@example.org")
    assert not has_errors(edited.problems) and edited.edited_by == "officer@example.org"
    assert approve(frt, review_id, "test")[0] == 1
    draft_review(frt, review_id)  # drafting again keeps what staff wrote
    with frt.db.reading() as session:
        assert session.query(FeedbackMessage).one().blocks[1]["text"] == texts[1]


def test_a_change_cant_be_done_without_saying_what_changed(frt: Runtime) -> None:
    with frt.db.writing() as session:
        review_id = create_review(session, "Northshire Council", "Carers").id
        with pytest.raises(ActionError, match="description"):
            add_action(session, NewAction(review_id, "Calls took too long", None, "done"), frt.clock())
        action = add_action(
            session, NewAction(review_id, "Calls took too long", None, "planned"), frt.clock()
        )
        with pytest.raises(ActionError, match="description"):
            update_action(session, action, frt.clock(), status="done")
        update_action(session, action, frt.clock(), status="done", we_did="We answer in two days")
    with frt.db.reading() as session:
        assert session.get_one(Action, action.id).status == "done"
