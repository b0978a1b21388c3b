"""The regional roll-up, set-based, gives exactly what triangulating each review gives."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import update

from app.models import Conversation, FlowVersion, Participant, Response
from app.services.region import regional_themes, regional_themes_per_review
from app.services.runtime import Runtime
from tests.audit.support import WLGA_HEADER, WM12_HEADER, add, import_text, new_review, wm12_row

# Answers written straight to the database (the engine's flow is not what is tested here):
# node -> (theme, answer type); a reply of None is a skipped question.
NODES = {
    "listened": ("voice_of_person", "scale"),
    "strengths": ("strengths", "scale"),
    "waiting": ("timeliness", "choice"),
    "involved": ("family_and_carers", "yes_no"),
    "what_matters": ("outcomes", "free_text"),
    "risk_talk": ("risk", "scale"),
    "hello": (None, "yes_no"),
}


def _answer(rt: Runtime, participant_id: int, replies: dict[str, str | None]) -> None:
    with rt.db.writing() as session:
        person = session.get_one(Participant, participant_id)
        flow = session.scalar(sa.select(FlowVersion).where(FlowVersion.sha256 == "region-test"))
        if flow is None:
            flow = FlowVersion(flow_id="test", version=1, sha256="region-test", source="")
            session.add(flow)
            session.flush()
        talk = Conversation(participant_id=person.id, flow_version_id=flow.id, channel="web", state={})
        session.add(talk)
        session.flush()
        for node, value in replies.items():
            theme, answer_type = NODES[node]
            session.add(
                Response(
                    conversation_id=talk.id, participant_id=person.id, review_id=person.review_id,
                    audit_record_id=person.audit_record_id, node=node, theme=theme,
                    answer_type=answer_type, value=value, raw_text=value, skipped=value is None,
                    sentiment=0.5 if answer_type == "free_text" else None,
                )
            )  # fmt: skip


def _wlga_row(ref: str, *ratings: str) -> str:
    return ",".join([ref, "Older people", "PSW2", *ratings, ""])


def test_set_based_roll_up_equals_each_reviews_triangulation(rt: Runtime) -> None:
    north = new_review(rt, "Northshire Council", "Strengths-based practice")
    south = new_review(rt, "Southshire Council", "Carers")
    west = new_review(rt, "Westshire Council", "Hospital discharge")  # WLGA's Y / P / N tool
    new_review(rt, "Eastshire Council", "Nothing yet")  # no audit, no answers: listed with no rows
    north_again = new_review(rt, "Northshire Council", "Second year")

    assert import_text(
        rt,
        north,
        "\n".join(
            [WM12_HEADER, wm12_row("A1", q1="O"), wm12_row("A2", q1="G", q2="I"), wm12_row("A10", "RI")]
        )
        + "\n",
    ).ok
    assert import_text(rt, south, "\n".join([WM12_HEADER, wm12_row("B1", "O", q3="N/A")]) + "\n").ok
    assert import_text(
        rt,
        west,
        "\n".join([WLGA_HEADER, _wlga_row("C1", *"YPNYYPNYYN"), _wlga_row("C2", *"NNNPPPYYYY")]) + "\n",
        tool="wlga",
    ).ok
    assert import_text(rt, north_again, "\n".join([WM12_HEADER, wm12_row("A1", "G")]) + "\n").ok

    talks: list[tuple[int, str, str, str, dict[str, str | None]]] = [
        # (review, ref, name, role, replies): 1 against Outstanding, exactly 0.5 apart, agreement, family
        (north, "A1", "Sam", "person", {"listened": "1", "strengths": "4", "waiting": "a_few_weeks"}),
        (
            north,
            "A1",
            "Sue",
            "relative",
            {"listened": "3", "strengths": "5", "involved": "no", "hello": "yes"},
        ),
        (
            north,
            "A2",
            "Ann",
            "person",
            {"listened": "4", "strengths": "1", "what_matters": "Home", "risk_talk": "1"},
        ),
        (north, "A2", "Priya", "carer", {"listened": "1", "strengths": "2"}),
        (north, "A9", "Nobody", "person", {"listened": "5"}),  # an audit ref with no audit
        (south, "B1", "Bob", "person", {"listened": "3", "strengths": None, "waiting": "dont_know"}),
        (south, "B1", "Bea", "advocate", {"listened": "2"}),
        (west, "C1", "Cai", "person", {"listened": "5", "strengths": "1", "involved": "yes"}),
        (west, "C2", "Cerys", "relative", {"listened": "5", "strengths": "5"}),
        (north_again, "A1", "Sam", "person", {"listened": "2", "strengths": "2"}),
    ]
    withdrawn = None
    for review_id, ref, name, role, replies in talks:
        person, _token = add(rt, review_id, ref, name, role=role)
        _answer(rt, person, replies)
        withdrawn = person if name == "Bea" else withdrawn
    with rt.db.writing() as session:  # a withdrawn person's answers count nowhere
        session.execute(
            update(Participant).where(Participant.id == withdrawn).values(withdrawn_at=datetime.now(UTC))
        )

    with rt.db.reading() as session:
        expected = regional_themes_per_review(session)
        statements = []
        sa.event.listen(session.bind, "before_cursor_execute", lambda *a: statements.append(a[2]))
        got = regional_themes(session)

    assert got == expected
    assert len(statements) <= 3  # whatever the number of reviews
    assert [r.council for r in got.reviews] == [
        "Northshire Council", "Southshire Council", "Westshire Council", "Eastshire Council",
        "Northshire Council",
    ]  # fmt: skip
    assert got.reviews[3].rows == []
    assert got.reviews[2].tool == "wlga"
    # Not vacuous: the data has disagreements, several voices and both tools' themes.
    pooled = {t.theme: t for t in got.themes}
    voice = pooled["voice_of_person"]
    assert voice.disagreements >= 3 and voice.voices >= 8
    assert voice.councils_differing >= {"Northshire Council", "Westshire Council"}
    assert sum(t.disagreements for t in got.themes) == sum(
        row.disagreements for review in got.reviews for row in review.rows
    )
    # Sam (1 of 5, 0) against Outstanding (1) on A1's voice_of_person: one of north's disagreements.
    north_voice = {row.theme: row for row in got.reviews[0].rows}["voice_of_person"]
    assert north_voice.disagreements >= 1 and north_voice.audit_mean is not None
