"""Safeguarding: spot a possible disclosure, record a concern, tell the review lead at once.

Two ways in: a free-text answer in any channel that matches one of the
configured phrases (content/safeguarding.yaml, English and Welsh), checked by
``run_turn`` as it stores the answer; or a peer pressing "I'm worried about
this person". Either way a :class:`Concern` is stored with the turn, and only
once that has committed is the lead emailed (HEARD_SMTP_*), in a thread of
its own (app/services/background.py): a slow mail server must never hold up
the reply, and a webhook has 15 seconds to answer Twilio. Without an SMTP
server, or if sending fails, the concern waits as a banner on the
coordinator's dashboard, which shows every concern not yet acknowledged
anyway (and "pending" until the email has gone). The person is told, in
their own language and wording, who to call and that someone will be in
touch; then the conversation carries on.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.engine import Audience, Prompt, Result
from app.engine.normalise import tokens
from app.engine.wording import fill, normalise_wording, pick
from app.models import Concern, Conversation, Message, Participant, ReviewMember, User
from app.services import background
from app.services.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Phrase:
    text: str  # as written in the file, for the record
    words: tuple[str, ...]
    stem: bool = False  # the last word may continue ("abus*")


@dataclass(frozen=True)
class Rules:
    phrases: tuple[Phrase, ...]
    reply: dict[str, Any]
    peer_reply: dict[str, Any]


_cache: dict[tuple[str, float], Rules] = {}
_cache_lock = threading.Lock()


def load_rules(path: str | Path) -> Rules:
    """The phrases and wording, re-read when the file changes (it is configuration, not code)."""
    path = Path(path)
    key = (str(path), path.stat().st_mtime)
    with _cache_lock:
        if key not in _cache:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            phrases = []
            for language_phrases in (data.get("phrases") or {}).values():
                for text in language_phrases or ():
                    text = str(text)
                    stem = text.endswith("*")
                    words = tokens(text.rstrip("*"))
                    if words:
                        phrases.append(Phrase(text, words, stem))
            _cache[key] = Rules(
                tuple(phrases),
                normalise_wording(data.get("reply")),
                normalise_wording(data.get("peer_reply")),
            )
        return _cache[key]


def match(text: str, rules: Rules) -> str | None:
    """The first configured phrase found as whole words in ``text``, in any language.

    Both languages are always checked: people mix English and Welsh.
    """
    words = tokens(text)
    for phrase in rules.phrases:
        size = len(phrase.words)
        for start in range(len(words) - size + 1):
            window = words[start : start + size]
            if window[:-1] != phrase.words[:-1]:
                continue
            last, wanted = window[-1], phrase.words[-1]
            if last == wanted or (phrase.stem and last.startswith(wanted)):
                return phrase.text
    return None


def _rules(rt: Runtime) -> Rules:
    return load_rules(rt.config["SAFEGUARDING_FILE"])


def _phone(rt: Runtime) -> str:
    return str(rt.config.get("SAFEGUARDING_PHONE") or rt.config["HELP_PHONE"])


def helpline_text(rt: Runtime, language: str, variant: str, channel: str) -> str:
    """Who to call and that someone will be in touch, in the person's language and wording."""
    audience = Audience(variant=variant, channel=channel, language=language)
    # {phone} first: fill() drops placeholders it doesn't know.
    return fill(pick(_rules(rt).reply, audience).replace("{phone}", _phone(rt)), {}, language)


def peer_helpline_text(rt: Runtime, language: str) -> str:
    audience = Audience(variant="standard", channel="web", language=language)
    return fill(pick(_rules(rt).peer_reply, audience).replace("{phone}", _phone(rt)), {}, language)


# -- from a turn ------------------------------------------------------------------------


def screen_answer(
    session: Session,
    rt: Runtime,
    participant: Participant,
    conversation: Conversation,
    result: Result,
    message: Message | None,
    channel: str,
) -> Prompt | None:
    """Called by run_turn for each stored answer: a concern and the helpline reply, or None.

    Only free-text answers are screened; commands never become answers, so they never match.
    """
    if result.answer_type != "free_text" or result.skipped or not result.value:
        return None
    matched = match(result.raw or result.value, _rules(rt))
    if matched is None:
        return None
    concern = Concern(
        participant_id=participant.id,
        review_id=participant.review_id,
        conversation_id=conversation.id,
        message_id=message.id if message is not None else None,
        node=result.node,
        source="phrase",
        channel=channel,
        matched=matched,
        raised_by=(message.payload or {}).get("conducted_by") if message is not None else None,
        created_at=rt.clock(),
    )
    session.add(concern)
    session.flush()
    _notify_after_commit(session, rt, concern.id)
    text = helpline_text(rt, participant.language, participant.variant, channel)
    return Prompt(node=result.node, text=text, kind="notice")


# -- from the peer console ------------------------------------------------------------------


def raise_concern(rt: Runtime, participant_id: int, peer: str, note: str) -> int:
    """A peer is worried about the person they are talking with."""
    from app.services.turns import current_conversation

    with rt.db.writing() as session:
        participant = session.get_one(Participant, participant_id)
        conversation = current_conversation(session, participant_id)
        concern = Concern(
            participant_id=participant.id,
            review_id=participant.review_id,
            conversation_id=conversation.id if conversation else None,
            node=(conversation.state or {}).get("node") if conversation else None,
            source="peer",
            channel="peer",
            note=note.strip()[:5000],
            raised_by=peer,
            created_at=rt.clock(),
        )
        session.add(concern)
        session.flush()
        _notify_after_commit(session, rt, concern.id)
        return concern.id


# -- telling the lead -----------------------------------------------------------------------


def _notify_after_commit(session: Session, rt: Runtime, concern_id: int) -> None:
    # Email only a concern that was really stored, never while the turn holds its lock, and
    # never in the request: the person's reply goes now, the email when the server answers.
    def send(_session: Session) -> None:
        background.start(f"concern-{concern_id}", lambda: notify(rt, concern_id))

    event.listen(session, "after_commit", send, once=True)


def join_pending(timeout: float | None = None) -> bool:
    """Wait for the emails already started (tests; a CLI command about to exit). True if all done."""
    return background.join_pending(timeout)


def recipients(session: Session, review_id: int) -> list[str]:
    """The review's leads; with none, every coordinator."""
    leads = session.scalars(
        select(User.email)
        .join(ReviewMember, ReviewMember.user_id == User.id)
        .where(ReviewMember.review_id == review_id, ReviewMember.is_lead.is_(True), User.active.is_(True))
        .order_by(User.email)
    ).all()
    if leads:
        return list(leads)
    return list(
        session.scalars(
            select(User.email).where(User.role == "coordinator", User.active.is_(True)).order_by(User.email)
        ).all()
    )


def notify(rt: Runtime, concern_id: int) -> str:
    """Email the lead if we can; otherwise leave it for the dashboard. Returns how it went."""
    config = rt.config
    with rt.db.reading() as session:
        concern = session.get(Concern, concern_id)
        if concern is None:  # removed since (retention): no one left to tell about
            return "gone"
        to = recipients(session, concern.review_id)
        email = _email(config, concern, to) if config.get("SMTP_HOST") and to else None
    # No transaction open while the mail server is talked to: it may take its time.
    via, error = "dashboard", None
    if email is not None:
        try:
            _send(config, email)
            via = "email"
        except (OSError, smtplib.SMTPException) as failure:
            error = f"{type(failure).__name__}: {failure}"[:1000]
            log.warning("safeguarding email for concern %s failed: %s", concern_id, error)
    elif config.get("SMTP_HOST"):
        error = "no review lead or coordinator account to email"
    with rt.db.writing() as session:
        concern = session.get(Concern, concern_id)
        if concern is not None:
            concern.notified_via = via
            concern.notified_at = rt.clock()
            concern.notify_error = error
    return via


def _email(config: Any, concern: Concern, to: list[str]) -> EmailMessage:
    # No words of the person's in an email: the lead signs in to read them.
    review = concern.review
    where = (
        "raised by a peer reviewer" if concern.source == "peer" else f"from an answer by {concern.channel}"
    )
    message = EmailMessage()
    message["Subject"] = f"Heard: safeguarding concern, audit ref {concern.participant.audit_ref}"
    message["From"] = config["SMTP_FROM"]
    message["To"] = ", ".join(to)
    message.set_content(
        "A possible safeguarding concern has been recorded in Heard and needs looking at today.\n\n"
        f"Review: {review.theme} ({review.council.name}), review {review.id}\n"
        f"Audit ref: {concern.participant.audit_ref}\n"
        f"How it came in: {where}\n\n"
        f"Read it and record what you did: {config['PUBLIC_BASE_URL']}/concerns/{concern.id}\n\n"
        "The person has been told that someone will be in touch, and who they can call now.\n"
    )
    return message


def _send(config: Any, message: EmailMessage) -> None:
    with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=10) as smtp:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
        smtp.send_message(message)
