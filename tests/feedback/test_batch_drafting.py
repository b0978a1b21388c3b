"""Drafting a whole review at once (set-based reads, one batch insert) gives each person the
draft that drafting them alone gives: the same actions, words, checks and verdict."""

from __future__ import annotations

import itertools

from feedback_support import add_person, answer, build_world
from sqlalchemy import select

from app.models import FeedbackMessage, Participant
from app.services.feedback.actions import NewAction, add_action, review_actions
from app.services.feedback.drafting import (
    EDITABLE,
    DraftLine,
    Who,
    compose,
    draft_review,
    edit_draft,
    feedback_link,
    has_errors,
    items_for,
    their_actions,
)
from app.services.feedback.eligibility import verdict
from app.services.feedback.sending import approve, queue_approved
from app.services.runtime import Runtime
from app.services.suppression import phone_lookup, suppress

CHANNELS = [  # (participant channel, hear_back_channel, needs a phone, needs Telegram)
    ("sms", "text", True, False),
    ("voice", "phone", True, False),
    ("telegram", "telegram", False, True),
    ("web", "web", False, False),
    ("web", "letter", False, False),
    ("sms", None, True, False),  # said yes but not how: their usual channel
    ("web", "text", False, False),  # wants a text but gave no number
]
THEMES = ["timeliness", "voice_of_person", "strengths", "outcomes", None]


def _many(rt: Runtime, review_id: int, people: int = 60) -> None:
    """Many people of every channel, language and variant, some of whom must hear nothing."""
    kinds = itertools.cycle(itertools.product(CHANNELS, ("en", "cy"), ("standard", "easy_read")))
    for i in range(people):
        (channel, wish, phone, telegram), language, variant = next(kinds)
        fields: dict[str, object] = {
            "channel": channel,
            "language": language,
            "variant": variant,
            "hear_back": (True, True, True, True, True, True, None, False)[i % 8],
        }
        if wish:
            fields["hear_back_channel"] = wish
        if phone:
            fields["phone"] = f"+4477009{i:05d}"
        if telegram and i % 13 != 3:
            fields["telegram"] = f"99{i:05d}"
        if i % 17 == 9:
            fields["do_not_contact"] = "bereaved"
        if i % 7 == 2 and channel == "voice":
            fields["communication_needs"] = ("no_phone_calls",)
        # Several people per audit ref, as with a person, their relative and carer.
        pid = add_person(rt, review_id, f"B{i // 3}", f"Person{i}", **fields)
        for j, theme in enumerate(THEMES[i % 4 : i % 4 + 1 + i % 3]):
            if theme is not None:
                answer(rt, pid, theme, str(1 + j), skipped=(i % 10 == 7))


def _expected(rt: Runtime, review_id: int) -> dict[int, dict[str, object]]:
    """Each person's draft made the per-person way (a query per question), with the row's token."""
    found: dict[int, dict[str, object]] = {}
    with rt.db.reading() as session:
        actions = review_actions(session, review_id)
        rows = {
            row.participant_id: row
            for row in session.scalars(
                select(FeedbackMessage)
                .where(FeedbackMessage.review_id == review_id)
                .order_by(FeedbackMessage.id)
            )
        }
        people = session.scalars(
            select(Participant).where(Participant.review_id == review_id).order_by(Participant.id)
        ).all()
        for person in people:
            ruling = verdict(session, person)
            row = rows.get(person.id)
            if not ruling.eligible or row is None or row.status != "draft" or row.edited_by:
                found[person.id] = {"eligible": ruling.eligible, "reason": ruling.reason}
                continue
            chosen, basis = their_actions(session, person, actions)
            items, notes = items_for(chosen, person.language, person.variant)
            assert ruling.channel is not None
            who = Who(
                person.first_name,
                person.review.council.name,
                person.language,
                person.variant,
                ruling.channel,
                feedback_link(rt, row.token),
                str(rt.config["HELP_PHONE"]),
            )
            draft = compose(who, items, basis)
            found[person.id] = {
                "eligible": True,
                "reason": None,
                "channel": ruling.channel,
                "language": person.language,
                "variant": person.variant,
                "basis": basis,
                "action_ids": [item.action_id for item in items],
                "body": draft.body,
                "blocks": draft.blocks,
                "problems": notes + draft.problems,
            }
    return found


def _actual(rt: Runtime, review_id: int) -> dict[int, FeedbackMessage]:
    with rt.db.reading() as session:
        rows = session.scalars(
            select(FeedbackMessage).where(FeedbackMessage.review_id == review_id).order_by(FeedbackMessage.id)
        ).all()
        session.expunge_all()
        return {row.participant_id: row for row in rows}


def _same(rt: Runtime, review_id: int, lines: list[DraftLine]) -> None:
    expected, actual = _expected(rt, review_id), _actual(rt, review_id)
    assert [line.participant_id for line in lines] == sorted(expected)
    for line in lines:
        want, row = expected[line.participant_id], actual.get(line.participant_id)
        if not want["eligible"]:
            assert line.status not in ("drafted", "kept")
            if line.status == "skipped":
                assert line.reason == want["reason"]
            continue
        if line.status == "kept":
            assert row is not None and row.edited_by
            continue
        if row is not None and row.status != "draft":  # already on its way: left alone
            assert line.status == row.status and line.feedback_message_id == row.id
            continue
        assert row is not None and line.status == "drafted" and line.feedback_message_id == row.id
        assert line.channel == row.channel
        assert line.errors == sum(1 for p in row.problems if p["level"] == "error")
        got = {key: getattr(row, key) for key in want if key not in ("eligible", "reason")}
        assert got == {key: value for key, value in want.items() if key not in ("eligible", "reason")}


def test_a_batch_draft_gives_everyone_the_draft_drafting_them_alone_gives(frt: Runtime) -> None:
    world = build_world(frt)
    r = world.review_id
    _many(frt, r)
    with frt.db.writing() as session:
        # A number that said STOP, and an action linked to audit refs rather than themes.
        suppress(session, phone_lookup(frt.crypto, "+447700900003"), "STOP", frt.clock())
        add_action(
            session,
            NewAction(
                r,
                "Relatives were not told about the plan",
                "We now send it to them",
                "done",
                audit_refs=("b4", "B9"),
            ),
            frt.clock(),
        )
    lines = draft_review(frt, r)
    statuses = {line.status for line in lines}
    assert "drafted" in statuses and "skipped" in statuses
    assert len([line for line in lines if line.status == "drafted"]) > 20
    _same(frt, r, lines)

    # Redrafting the same round: staff's edit kept, a queued message untouched, the rest redrafted.
    drafted = [line for line in lines if line.status == "drafted"]
    edited, queued = drafted[0], drafted[1]
    edit_draft(frt, edited.feedback_message_id or 0, "Hello. Read more: /f/x", [], "staff@council")
    with frt.db.writing() as session:
        session.get_one(FeedbackMessage, queued.feedback_message_id).status = "queued"
        session.get_one(Participant, drafted[2].participant_id).withdrawn_at = frt.clock()
    again = draft_review(frt, r)
    by_id = {line.participant_id: line for line in again}
    assert by_id[edited.participant_id].status == "kept"
    assert by_id[queued.participant_id].status == "queued"
    assert by_id[drafted[2].participant_id].status == "skipped"
    assert _actual(frt, r)[drafted[2].participant_id].status == "not_sent"
    assert [line.feedback_message_id for line in again if line.status == "drafted"] == [
        line.feedback_message_id for line in drafted[3:]
    ]
    _same(frt, r, again)

    # A new round: every message drafted afresh, new rows, one per person and round.
    third = draft_review(frt, r, new_round=True)
    _same_round = {line.feedback_message_id for line in third if line.status == "drafted"}
    assert _same_round and not _same_round & {line.feedback_message_id for line in again}
    with frt.db.reading() as session:
        rows = session.scalars(
            select(FeedbackMessage).where(FeedbackMessage.review_id == r, FeedbackMessage.round == 2)
        ).all()
        assert sorted(row.id for row in rows) == sorted(_same_round)


def test_approve_and_queue_change_exactly_the_clean_drafts(frt: Runtime) -> None:
    world = build_world(frt)
    r = world.review_id
    _many(frt, r, people=30)
    with frt.db.writing() as session:
        add_action(
            session,
            NewAction(
                r, "Too long " + "word " * 20, "We will " + "act " * 20, "planned", themes=("strengths",)
            ),
            frt.clock(),
        )
    draft_review(frt, r)
    rows = _actual(frt, r)
    dirty = sorted(row.id for row in rows.values() if row.status == "draft" and has_errors(row.problems))
    clean = sorted(row.id for row in rows.values() if row.status == "draft" and not has_errors(row.problems))
    assert dirty and clean
    approved, refused = approve(frt, r, "lead@council")
    assert approved == len(clean) and sorted(refused) == dirty
    after = _actual(frt, r)
    assert sorted(row.id for row in after.values() if row.status == "approved") == clean
    assert all(row.approved_by == "lead@council" for row in after.values() if row.status == "approved")
    assert all(row.status in (*EDITABLE, "not_sent") for row in after.values())
    assert approve(frt, r, "lead@council") == (0, dirty)  # nothing approved twice
    assert queue_approved(frt, r) == len(clean)
    assert queue_approved(frt, r) == 0
    final = _actual(frt, r)
    assert sorted(row.id for row in final.values() if row.status == "queued") == clean
    assert all(row.reason is None for row in final.values() if row.status == "queued")
