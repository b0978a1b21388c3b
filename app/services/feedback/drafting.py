"""One draft "you said, we did" per person who may hear back, in their channel and wording.

Each draft is made from the actions linked to what *they* said (an answer of
theirs, one of their themes, or their audit ref), falling back to the
review's headline actions (or, with none marked, all of them). It holds:

- ``body``: what their channel carries: an SMS of at most two segments with
  a link to the full version, a Telegram message, or the words of a call;
- ``blocks``: the full version, picture beside words, shown at /f/<token>
  and printed as the letter.

Every draft is checked (easy read: 15 words or fewer a sentence; SMS: two
segments) when made and whenever staff edit it; a draft with an error can't
be approved.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, joinedload

from app.engine.easy_read import long_sentences
from app.engine.segments import SegmentCount, count_segments, to_gsm7
from app.engine.types import Audience
from app.engine.wording import has_text, normalise_wording, pick
from app.models import Action, ActionResponse, FeedbackMessage, Participant, Response, Review
from app.services.feedback.actions import review_actions
from app.services.feedback.eligibility import suppressed_lookups, verdict
from app.services.feedback.wording import picture_for, words
from app.services.runtime import Runtime

SMS_MAX_SEGMENTS = 2
MAX_ITEMS = 4  # a full version about more than this stops being about *them*
EDITABLE = ("draft", "approved")  # not yet queued: staff may still change or redraft it
SENT_STATES = ("sent", "delivered", "to_post", "unknown")
_ORDER = {"done": 0, "in_progress": 1, "planned": 2}


@dataclass(frozen=True)
class Item:
    """One action as this person will read it."""

    action_id: int
    status: str
    you_said: str
    we_did: str
    picture: str


@dataclass
class Draft:
    body: str | None
    blocks: list[dict[str, Any]]
    problems: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class DraftLine:
    """What drafting did for one participant, for `heard feedback draft` and the staff page."""

    participant_id: int
    audit_ref: str
    channel: str | None
    status: str  # drafted | kept | sent ... | skipped
    reason: str | None = None
    feedback_message_id: int | None = None
    errors: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- which actions ------------------------------------------------------------------------


def their_actions(
    session: Session, participant: Participant, actions: list[Action]
) -> tuple[list[Action], str]:
    """The actions linked to what this person said, or the headline ones; and which it was."""
    themes = set(
        session.scalars(
            select(Response.theme).where(
                Response.participant_id == participant.id,
                Response.theme.is_not(None),
                Response.skipped.is_(False),
            )
        )
    )
    answered = set(
        session.scalars(
            select(ActionResponse.action_id)
            .join(Response, Response.id == ActionResponse.response_id)
            .where(Response.participant_id == participant.id)
        )
    )
    return choose_actions(actions, themes, answered, participant.audit_ref)


def choose_actions(
    actions: list[Action], themes: set[str], answered: set[int], audit_ref: str
) -> tuple[list[Action], str]:
    """:func:`their_actions` from what was already read: their themes, the actions their answers prompted."""
    ref = audit_ref.upper()
    mine = [
        a for a in actions if a.id in answered or ref in (a.audit_refs or []) or themes & set(a.themes or [])
    ]
    if mine:
        return _ordered(mine), "their_words"
    headline = [a for a in actions if a.headline] or actions
    return _ordered(headline), "headline"


def _ordered(actions: list[Action]) -> list[Action]:
    return sorted(actions, key=lambda a: (_ORDER.get(a.status, 3), a.id))[:MAX_ITEMS]


# -- the words ------------------------------------------------------------------------------


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if not text or text[-1] in ".!?" else text + "."


def _action_text(action: Action, key: str, language: str, variant: str) -> tuple[str, list[dict[str, str]]]:
    base = action.you_said if key == "you_said" else (action.we_did or "")
    block = {**normalise_wording((action.wording or {}).get(key) or {}), "standard": base}
    text = pick(block, Audience(variant=variant, language=language))
    notes = []
    if language != "en" and not (has_text(block, language, variant) or has_text(block, language, "standard")):
        notes.append(
            _problem("warning", f"Action {action.id} has no {language} wording for '{key}': English used")
        )
    return _sentence(text), notes


def items_for(actions: list[Action], language: str, variant: str) -> tuple[list[Item], list[dict[str, str]]]:
    items, notes = [], []
    for action in actions:
        said, said_notes = _action_text(action, "you_said", language, variant)
        did, did_notes = _action_text(action, "we_did", language, variant)
        notes += said_notes + did_notes
        items.append(Item(action.id, action.status, said, did, picture_for(action.themes)))
    return items, notes


def _item_lines(item: Item, language: str, variant: str) -> list[str]:
    lines = [f"{words('you_said', language, variant)} {item.you_said}"]
    if item.we_did:
        lines.append(f"{words(item.status, language, variant)} {item.we_did}")
    return lines


@dataclass(frozen=True)
class Who:
    """What the words need to know about the person and the review."""

    first_name: str
    council: str
    language: str
    variant: str
    channel: str
    link: str
    help_phone: str


def compose(who: Who, items: list[Item], basis: str) -> Draft:
    lang, variant = who.language, who.variant
    names = {"first_name": who.first_name, "council": who.council}
    greeting = words("greeting", lang, variant, **names)
    intro = words("intro" if basis == "their_words" else "intro_headline", lang, variant, **names)
    closing = words("closing", lang, variant)
    contact = words("contact", lang, variant, help_phone=who.help_phone)
    blocks: list[dict[str, Any]] = [{"picture": "hear_back.svg", "text": f"{greeting} {intro}"}]
    blocks += [
        {
            "picture": item.picture,
            "text": "\n".join(_item_lines(item, lang, variant)),
            "action_id": item.action_id,
        }
        for item in items
    ]
    blocks.append({"picture": "thank_you.svg", "text": f"{closing}\n{contact}"})
    body: str | None = None
    if who.channel == "sms":
        body = _sms(who, items, greeting, intro)
    elif who.channel == "telegram":
        parts = [f"{greeting} {intro}", *("\n".join(_item_lines(i, lang, variant)) for i in items)]
        parts += [words("ask_reply", lang, variant, "telegram"), words("more", lang, variant, link=who.link)]
        body = "\n\n".join(parts)
    elif who.channel == "voice":
        spoken = [greeting, words("voice_intro", lang, variant, **names)]
        spoken += [line for item in items for line in _item_lines(item, lang, variant)]
        body = " ".join([*spoken, closing])
    draft = Draft(body, blocks)
    draft.problems = check(who.channel, variant, lang, body, blocks)
    return draft


def _sms(who: Who, items: list[Item], greeting: str, intro: str) -> str:
    """The richest text that fits two segments (and, in easy read, short sentences)."""
    lang, variant = who.language, who.variant
    more = words("more", lang, variant, "sms", link=who.link)
    ask = words("ask_reply", lang, variant, "sms")
    first = _item_lines(items[0], lang, variant) if items else []
    candidates = [
        [greeting, intro, *first, ask, more],
        [greeting, intro, *first[1:], ask, more],
        [greeting, intro, ask, more],
        [greeting, intro, more],
        [intro, more],
    ]
    for parts in candidates:
        text = _gsm7(" ".join(p for p in parts if p))
        if not has_errors(check("sms", variant, lang, text, [])):
            return text
    return _gsm7(" ".join(candidates[-1]))  # too long even so: its problems say why


# -- the checks ---------------------------------------------------------------------------

# Pure functions of one text, asked many times a draft (each SMS candidate, then the chosen
# body again) and with the same action and closing blocks for thousands of people.


@functools.lru_cache(maxsize=4096)
def _gsm7(text: str) -> str:
    return to_gsm7(text)


@functools.lru_cache(maxsize=4096)
def _segments(text: str) -> SegmentCount:
    return count_segments(text)


@functools.lru_cache(maxsize=8192)
def _long_sentences(text: str) -> tuple[str, ...]:
    return tuple(long_sentences(text))


def _problem(level: str, text: str) -> dict[str, str]:
    return {"level": level, "text": text}


def check(
    channel: str, variant: str, language: str, body: str | None, blocks: list[dict[str, Any]]
) -> list[dict[str, str]]:
    """What is wrong with a draft (errors block approval; warnings are shown)."""
    problems: list[dict[str, str]] = []
    if channel in ("sms", "telegram", "voice") and not (body or "").strip():
        problems.append(_problem("error", f"The {channel} message is empty."))
    if channel == "sms" and body:
        count = _segments(_gsm7(body))
        if count.segments > SMS_MAX_SEGMENTS:
            problems.append(
                _problem(
                    "error",
                    f"The text takes {count.segments} SMS segments ({count.units} {count.encoding} units); "
                    f"it must fit {SMS_MAX_SEGMENTS}.",
                )
            )
        if "/f/" not in body:
            problems.append(_problem("warning", "The text has no link to the full version."))
    if variant == "easy_read":
        texts = [body or "", *(str(b.get("text") or "") for b in blocks)]
        for sentence in (s for text in texts for s in _long_sentences(text)):
            problems.append(
                _problem("error", f"Easy read: this sentence has more than 15 words: {sentence!r}")
            )
    return problems


def has_errors(problems: list[dict[str, str]] | None) -> bool:
    return any(p.get("level") == "error" for p in problems or [])


# -- drafting a review -------------------------------------------------------------------


def current_round(session: Session, review_id: int) -> int:
    return int(
        session.scalar(select(func.max(FeedbackMessage.round)).where(FeedbackMessage.review_id == review_id))
        or 1
    )


def feedback_link(rt: Runtime, token: str) -> str:
    return f"{rt.config['PUBLIC_BASE_URL']}/f/{token}"


@dataclass
class _Known:
    """Everything drafting needs about a review's people, read in a few set-based queries."""

    rows: dict[int, FeedbackMessage]  # this round's messages, by participant
    themes: dict[int, set[str]]  # the themes of each person's answers (not skipped)
    answered: dict[int, set[int]]  # the actions each person's answers prompted
    suppressed: set[str]  # their numbers' lookups on the opt-out list now
    # The same actions read in the same language and variant give the same items: made once.
    items: dict[tuple[tuple[int, ...], str, str], tuple[list[Item], list[dict[str, str]]]] = field(
        default_factory=dict
    )


def _know(session: Session, review_id: int, round_: int, people: list[Participant]) -> _Known:
    in_review = Participant.review_id == review_id
    rows = {
        row.participant_id: row
        for row in session.scalars(
            select(FeedbackMessage).where(
                FeedbackMessage.review_id == review_id, FeedbackMessage.round == round_
            )
        )
    }
    themes: dict[int, set[str]] = {}
    for participant_id, theme in session.execute(
        select(Response.participant_id, Response.theme)
        .join(Participant, Participant.id == Response.participant_id)
        .where(in_review, Response.theme.is_not(None), Response.skipped.is_(False))
        .distinct()
    ):
        themes.setdefault(participant_id, set()).add(theme)
    answered: dict[int, set[int]] = {}
    for participant_id, action_id in session.execute(
        select(Response.participant_id, ActionResponse.action_id)
        .join(Response, Response.id == ActionResponse.response_id)
        .join(Participant, Participant.id == Response.participant_id)
        .where(in_review)
        .distinct()
    ):
        answered.setdefault(participant_id, set()).add(action_id)
    suppressed = suppressed_lookups(session, (p.phone_lookup for p in people))
    return _Known(rows, themes, answered, suppressed)


def draft_review(rt: Runtime, review_id: int, *, new_round: bool = False) -> list[DraftLine]:
    """Draft (or redraft) each eligible participant's message; staff edits are kept.

    Everything is read before the loop (the people with their audit refs, this
    round's messages, their themes and linked answers, the opt-out list), new
    drafts are inserted in one batch and redrafts flushed together: a handful
    of statements however many people there are.
    """
    lines: list[DraftLine] = []
    with rt.db.writing() as session:
        review = session.get(Review, review_id)
        if review is None:
            raise ValueError(f"There is no review {review_id}.")
        council = review.council.name
        actions = review_actions(session, review_id)
        round_ = current_round(session, review_id) + (1 if new_round else 0)
        people = list(
            session.scalars(
                select(Participant)
                .options(joinedload(Participant.audit_record))
                .where(Participant.review_id == review_id)
                .order_by(Participant.id)
            ).all()
        )
        known = _know(session, review_id, round_, people)
        inserts: list[dict[str, Any]] = []
        waiting: list[tuple[int, int, str, int]] = []  # (line index, participant id, channel, errors)
        for participant in people:
            line = _draft_one(session, rt, review, council, participant, actions, round_, known, inserts)
            if line is None:  # a new row, inserted below: its id is known then
                new = inserts[-1]
                errors = sum(1 for p in new["problems"] if p["level"] == "error")
                waiting.append((len(lines), participant.id, new["channel"], errors))
                lines.append(DraftLine(participant.id, participant.audit_ref, new["channel"], "drafted"))
            else:
                lines.append(line)
        if inserts:
            session.execute(insert(FeedbackMessage), inserts)
            ids = dict(
                session.execute(
                    select(FeedbackMessage.participant_id, FeedbackMessage.id).where(
                        FeedbackMessage.review_id == review.id, FeedbackMessage.round == round_
                    )
                ).all()
            )
            for index, participant_id, channel, errors in waiting:
                lines[index] = DraftLine(
                    participant_id,
                    lines[index].audit_ref,
                    channel,
                    "drafted",
                    None,
                    ids[participant_id],
                    errors,
                )
        session.flush()
    return lines


def _draft_one(
    session: Session,
    rt: Runtime,
    review: Review,
    council: str,
    participant: Participant,
    actions: list[Action],
    round_: int,
    known: _Known,
    inserts: list[dict[str, Any]],
) -> DraftLine | None:
    """One person's draft: an existing row is changed in place; a new one is appended to ``inserts``
    (and None returned, its line made once its id is known)."""
    row = known.rows.get(participant.id)
    ruling = verdict(session, participant, known.suppressed)
    line = DraftLine(participant.id, participant.audit_ref, ruling.channel, "skipped", ruling.reason)
    if row is not None and row.status not in (*EDITABLE, "not_sent"):
        return DraftLine(participant.id, participant.audit_ref, row.channel, row.status, row.reason, row.id)
    if not ruling.eligible:
        if row is not None and row.status in EDITABLE:
            row.status, row.reason, row.approved_at, row.approved_by = "not_sent", ruling.reason, None, None
        return line
    if not actions:
        return DraftLine(
            participant.id, participant.audit_ref, ruling.channel, "skipped", "no actions recorded yet"
        )
    assert ruling.channel is not None
    if row is not None and row.edited_by and row.status in EDITABLE and row.channel == ruling.channel:
        return DraftLine(
            participant.id, participant.audit_ref, row.channel, "kept", "edited by staff", row.id
        )
    chosen, basis = choose_actions(
        actions,
        known.themes.get(participant.id, set()),
        known.answered.get(participant.id, set()),
        participant.audit_ref,
    )
    key = (tuple(a.id for a in chosen), participant.language, participant.variant)
    if key not in known.items:
        known.items[key] = items_for(chosen, participant.language, participant.variant)
    items, notes = known.items[key][0], [dict(note) for note in known.items[key][1]]
    token = row.token if row is not None else secrets.token_urlsafe(12)
    who = Who(
        first_name=participant.first_name,
        council=council,
        language=participant.language,
        variant=participant.variant,
        channel=ruling.channel,
        link=feedback_link(rt, token),
        help_phone=str(rt.config["HELP_PHONE"]),
    )
    draft = compose(who, items, basis)
    values: dict[str, Any] = {
        "channel": ruling.channel,
        "language": participant.language,
        "variant": participant.variant,
        "basis": basis,
        "action_ids": [item.action_id for item in items],
        "body": draft.body,
        "blocks": draft.blocks,
        "problems": notes + draft.problems,
        "status": "draft",
        "reason": None,
        "approved_at": None,
        "approved_by": None,
        "edited_by": None,
        "updated_at": rt.clock(),
    }
    if row is None:
        inserts.append(
            {
                "review_id": review.id,
                "round": round_,
                "participant_id": participant.id,
                "token": token,
                "created_at": rt.clock(),
                "attempts": 0,
                **values,
            }
        )
        return None
    for key, value in values.items():
        setattr(row, key, value)
    errors = sum(1 for p in row.problems if p["level"] == "error")
    return DraftLine(participant.id, participant.audit_ref, row.channel, "drafted", None, row.id, errors)


def edit_draft(
    rt: Runtime, message_id: int, body: str | None, block_texts: list[str], edited_by: str
) -> FeedbackMessage:
    """Staff change the words: checked again, and approval must be given again."""
    with rt.db.writing() as session:
        row = session.get_one(FeedbackMessage, message_id, with_for_update=True)
        if row.status not in EDITABLE:
            raise ValueError("This message has already gone (or is going); it can't be changed now.")
        if row.channel in ("sms", "telegram", "voice") and body is not None:
            row.body = to_gsm7(body.strip()) if row.channel == "sms" else body.strip()
        blocks = [dict(b) for b in row.blocks or []]
        for block, text in zip(blocks, block_texts, strict=False):
            block["text"] = text.strip()
        row.blocks = blocks
        row.problems = check(row.channel, row.variant, row.language, row.body, row.blocks)
        row.status, row.approved_at, row.approved_by, row.edited_by = "draft", None, None, edited_by
        row.updated_at = rt.clock()
        return row
