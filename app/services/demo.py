"""A demo review a newcomer can try on one machine (`heard demo`, run by `make run`)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from app.models import Consent, Council, Participant, Review
from app.services.participants import NewParticipant, add_participant, create_review
from app.services.runtime import Runtime

DEMO_COUNCIL = "Demo Borough Council"
DEMO_THEME = "Strengths-based practice"

# Numbers in Ofcom's range kept for drama: they never reach a real phone.
DEMO_PEOPLE = (
    NewParticipant(0, "A1", "Sam", "person", "web", "easy_read", "en", communication_needs=("easy_read",)),
    NewParticipant(0, "A2", "Priya", "relative", "sms", "standard", "en", phone="+447700900101"),
    NewParticipant(0, "A3", "Gareth", "person", "web", "standard", "cy"),
    NewParticipant(
        0,
        "A4",
        "Margaret",
        "carer",
        "voice",
        "easy_read",
        "en",
        phone="+447700900102",
        communication_needs=("audio", "extra_time"),
    ),
    NewParticipant(0, "A5", "Tom", "person", "telegram", "standard", "en"),
)


def seed(rt: Runtime) -> tuple[bool, list[str]]:
    """Create the demo review once; return whether it was made now, and its links."""
    created = False
    with rt.db.writing() as session:
        review = session.scalar(
            select(Review).join(Council).where(Council.name == DEMO_COUNCIL).order_by(Review.id).limit(1)
        )
        if review is None:
            review = create_review(session, DEMO_COUNCIL, DEMO_THEME, rt.config["DEFAULT_FLOW"])
            for person in DEMO_PEOPLE:
                added = add_participant(session, rt.crypto, _for_review(person, review.id))
                # As a coordinator records it: they agreed to be contacted (so `heard invite` may text them).
                session.add(
                    Consent(participant_id=added.id, scope="contact", given=True, channel="coordinator",
                            recorded_by="demo")
                )  # fmt: skip
            created = True
        participants = session.scalars(
            select(Participant).where(Participant.review_id == review.id).order_by(Participant.id)
        ).all()
        links = [
            f"{p.audit_ref} {p.first_name} ({p.role}, {p.variant.replace('_', ' ')}, {p.language}, "
            f"prefers {p.channel}): {rt.chat_url(p.chat_token)}"
            for p in participants
        ]
    return created, links


def _for_review(person: NewParticipant, review_id: int) -> NewParticipant:
    return replace(person, review_id=review_id)
