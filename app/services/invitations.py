"""Inviting people to answer by text (`heard invite`): once, one reminder, then it lapses.

Each SMS participant who has consent to be contacted gets a short invitation
(who is asking and why, that it is optional, how to stop). Their reply starts
the conversation (run_turn starts one for a participant who has none). Quiet
hours defer; after INVITE_REMINDER_DAYS without a reply one reminder goes,
and INVITE_LAPSE_DAYS after that the invitation lapses. Running the command
again carries each invitation on from where it was.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.engine.types import Audience
from app.engine.wording import Wording, fill, pick
from app.models import Consent, Conversation, Invitation, Participant
from app.services.outbound import send
from app.services.quiet_hours import quiet_until
from app.services.runtime import Runtime
from app.services.suppression import is_suppressed

INVITATION: Wording = {
    "standard": (
        "Hello {first_name}. {council} is reviewing its social work and would like to hear how it went "
        "for you. Taking part is optional. Reply YES to start, or STOP for no more texts."
    ),
    "easy_read": (
        "Hello {first_name}. {council} wants to hear about your social worker. You can say no. "
        "Reply YES to start. Reply STOP to stop."
    ),
    "cy": {
        "standard": (
            "Helo {first_name}. Mae {council} yn adolygu ei waith cymdeithasol a hoffai glywed sut aeth "
            "pethau i chi. Does dim rhaid cymryd rhan. Atebwch IE i ddechrau, neu STOPIO i stopio."
        ),
        "easy_read": (
            "Helo {first_name}. Mae {council} eisiau clywed am eich gweithiwr cymdeithasol. "
            "Does dim rhaid. Atebwch IE i ddechrau neu STOPIO i stopio."
        ),
    },
}
REMINDER: Wording = {
    "standard": (
        "Hello {first_name}, a reminder that {council} would like to hear how social work went for you. "
        "It is optional. Reply YES to start, or STOP for no more texts."
    ),
    "easy_read": (
        "Hello {first_name}. {council} still wants to hear from you. You can say no. "
        "Reply YES to start. Reply STOP to stop."
    ),
    "cy": {
        "standard": (
            "Helo {first_name}, nodyn i atgoffa bod {council} yn awyddus i glywed sut aeth gwaith "
            "cymdeithasol i chi. Does dim rhaid. Atebwch IE i ddechrau, neu STOPIO i stopio."
        ),
        "easy_read": (
            "Helo {first_name}. Mae {council} dal eisiau clywed gennych. Does dim rhaid. "
            "Atebwch IE i ddechrau neu STOPIO i stopio."
        ),
    },
}


@dataclass(frozen=True)
class InviteLine:
    """What happened (or, in a dry run, would happen) for one participant."""

    participant_id: int
    audit_ref: str
    first_name: str
    to: str  # masked: +44 7*** ***123
    action: str  # invite | remind | lapse | deferred | skip | failed | call (a phone call)
    detail: str = ""
    text: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def mask(number: str) -> str:
    """Enough to tell two numbers apart, too little to call: +44 7*** ***123."""
    if number.startswith("+44") and len(number) > 7:
        return f"+44 {number[3]}*** ***{number[-3:]}"
    return f"{number[:3]}*** ***{number[-3:]}" if len(number) > 6 else "***"


def wording_for(participant: Participant, block: Wording) -> str:
    audience = Audience(variant=participant.variant, channel="sms", language=participant.language)
    fields = {"first_name": participant.first_name, "council": participant.review.council.name}
    return fill(pick(block, audience), fields, participant.language)


def has_contact_consent(session: Session, participant_id: int) -> bool:
    """The coordinator recorded that this person agreed to be contacted (latest word wins)."""
    latest = session.scalars(
        select(Consent)
        .where(Consent.participant_id == participant_id, Consent.scope == "contact")
        .order_by(Consent.id.desc())
        .limit(1)
    ).first()
    return latest is not None and latest.given


def invite_review(rt: Runtime, review_id: int, dry_run: bool = False) -> list[InviteLine]:
    """Invite, remind or lapse each SMS participant of the review, as each is due.

    People who prefer a phone call are called instead (app/services/calling.py).
    """
    from app.services.calling import carry_on_call

    with rt.db.reading() as session:
        rows = session.execute(
            select(Participant.id, Participant.channel)
            .where(Participant.review_id == review_id, Participant.channel.in_(("sms", "voice")))
            .order_by(Participant.id)
        ).all()
    return [
        (carry_on_call if channel == "voice" else _carry_on)(rt, participant_id, dry_run)
        for participant_id, channel in rows
    ]


def _carry_on(rt: Runtime, participant_id: int, dry_run: bool) -> InviteLine:
    now = rt.clock()
    with rt.db.reading() as session:
        participant = session.get_one(Participant, participant_id)
        number = rt.crypto.decrypt(participant.phone_encrypted) or ""
        line = InviteLine(participant.id, participant.audit_ref, participant.first_name, mask(number), "skip")
        invitation = session.scalar(select(Invitation).where(Invitation.participant_id == participant.id))
        action, detail = _due(session, rt, participant, invitation, now)
        text = wording_for(participant, REMINDER if action == "remind" else INVITATION)
    if action in ("invite", "remind"):
        until = quiet_until(now, rt.config)
        if until is not None:
            if not dry_run:
                record_invitation(
                    rt, participant_id, "deferred" if action == "invite" else None, deferred_until=until
                )
            return invite_line(line, "deferred", f"quiet hours: {action} after {until.isoformat()}", text)
    if dry_run or action == "skip":
        return invite_line(line, action, detail, text if action in ("invite", "remind") else None)
    if action == "lapse":
        record_invitation(rt, participant_id, "lapsed", lapsed_at=now)
        return invite_line(line, "lapse", detail)
    outcome = send(rt, participant_id, text, purpose="invitation" if action == "invite" else "reminder")
    if not outcome.sent:
        if outcome.status == "deferred":
            return invite_line(line, "deferred", f"quiet hours: until {outcome.not_before}", text)
        record_invitation(rt, participant_id, "failed" if action == "invite" else None)
        return invite_line(line, "failed", outcome.error_code or outcome.status, text)
    if action == "invite":
        record_invitation(rt, participant_id, "invited", invited_at=now, deferred_until=None)
    else:
        record_invitation(rt, participant_id, "reminded", reminded_at=now, deferred_until=None)
    return invite_line(line, action, f"{outcome.status} (message {outcome.message_id})", text)


def _due(
    session: Session, rt: Runtime, participant: Participant, invitation: Invitation | None, now: datetime
) -> tuple[str, str]:
    """What is due for this participant now, and why."""
    if not participant.contactable:
        return "skip", "opted out, withdrawn or not to be contacted"
    if not participant.phone_encrypted:
        return "skip", "no phone number"
    if is_suppressed(session, participant.phone_lookup):
        return "skip", "the number opted out (STOP)"
    if not has_contact_consent(session, participant.id):
        return "skip", "no consent to be contacted recorded"
    started = session.scalar(select(Conversation.id).where(Conversation.participant_id == participant.id))
    if started is not None or (invitation is not None and invitation.replied_at is not None):
        return "skip", "already replied"
    if invitation is None or invitation.status in ("deferred", "failed"):
        return "invite", ""
    remind_after = timedelta(days=float(rt.config["INVITE_REMINDER_DAYS"]))
    lapse_after = timedelta(days=float(rt.config["INVITE_LAPSE_DAYS"]))
    if (
        invitation.status == "invited"
        and invitation.invited_at
        and now >= invitation.invited_at + remind_after
    ):
        return "remind", ""
    if (
        invitation.status == "reminded"
        and invitation.reminded_at
        and now >= invitation.reminded_at + lapse_after
    ):
        return "lapse", "no reply after the reminder"
    if invitation.status == "lapsed":
        return "skip", "the invitation lapsed"
    return "skip", f"waiting for a reply ({invitation.status})"


def record_invitation(
    rt: Runtime, participant_id: int, status: str | None, **fields: datetime | None
) -> None:
    with rt.db.writing() as session:
        invitation = session.scalar(select(Invitation).where(Invitation.participant_id == participant_id))
        if invitation is None:
            invitation = Invitation(participant_id=participant_id, status=status or "deferred")
            session.add(invitation)
        if status:
            invitation.status = status
        for name, value in fields.items():
            setattr(invitation, name, value)


def invite_line(line: InviteLine, action: str, detail: str, text: str | None = None) -> InviteLine:
    return InviteLine(line.participant_id, line.audit_ref, line.first_name, line.to, action, detail, text)
