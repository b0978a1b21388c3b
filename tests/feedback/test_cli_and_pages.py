"""The CLI for scripting, the council's pages (and who may see them), and the public "what changed" page."""

from __future__ import annotations

import json

from feedback_support import COUNCIL, answer, build_world
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.cli import main
from app.models import Action, Consent, Conversation, FeedbackMessage, Participant, Quote
from app.services.feedback.drafting import draft_review
from app.services.participants import create_review
from app.services.runtime import Runtime
from tests.staff_support import add_user, csrf_token, sign_in


def test_action_add_and_participant_update_by_cli(feedback_app: Flask, frt: Runtime) -> None:
    world = build_world(frt)
    runner = feedback_app.test_cli_runner()
    added = runner.invoke(
        main,
        [
            "action",
            "add",
            "--review",
            str(world.review_id),
            "--theme",
            "access",
            "--you-said",
            "Hard to get through",
            "--we-did",
            "A direct phone line",
            "--status",
            "done",
            "--audit-ref",
            "a9",
            "--json",
        ],
    )
    assert added.exit_code == 0, added.output
    data = json.loads(added.output)
    assert (data["themes"], data["audit_refs"], data["status"]) == (["access"], ["A9"], "done")
    refused = runner.invoke(
        main,
        [
            "action",
            "add",
            "--review",
            str(world.review_id),
            "--theme",
            "access",
            "--you-said",
            "x",
            "--status",
            "done",
        ],
    )
    assert refused.exit_code != 0 and "description" in refused.output

    nia = world.people["Nia"]
    updated = runner.invoke(
        main, ["participant", "update", "--id", str(nia), "--hear-back", "yes", "--hear-back-channel", "sms"]
    )
    assert updated.exit_code == 0, updated.output
    with frt.db.reading() as session:
        person = session.get_one(Participant, nia)
        assert (person.hear_back, person.hear_back_channel) == (True, "text")
        consent = session.scalars(select(Consent).where(Consent.participant_id == nia)).one()
        assert (consent.scope, consent.given) == ("hear_back", True)
    # Nia now hears back, about the action linked to her audit ref.
    drafted = json.loads(
        runner.invoke(main, ["feedback", "draft", "--review", str(world.review_id), "--json"]).output
    )
    [line] = [x for x in drafted["participants"] if x["participant_id"] == nia]
    assert (line["status"], line["channel"]) == ("drafted", "sms")
    with frt.db.reading() as session:
        row = session.scalars(select(FeedbackMessage).where(FeedbackMessage.participant_id == nia)).one()
        assert row.action_ids == [data["id"]]


def test_council_staff_draft_preview_edit_approve_and_send_from_their_pages(
    feedback_app: Flask, fclient: FlaskClient, frt: Runtime
) -> None:
    frt.config["TWILIO_ACCOUNT_SID"] = None
    world = build_world(frt)
    base = f"/council/reviews/{world.review_id}"
    add_user(frt, "officer@example.org", "council", (world.review_id,))
    sign_in(fclient, "officer@example.org")
    token = csrf_token(fclient, "/account/password")
    assert fclient.post(f"{base}/feedback/draft", data={"csrf_token": token}).status_code == 303
    page = fclient.get(f"{base}/feedback").get_data(as_text=True)
    assert "Priya" in page and "waiting for approval" in page and "withdrawn from the review" in page
    with frt.db.reading() as session:
        priya = session.scalars(
            select(FeedbackMessage).where(FeedbackMessage.participant_id == world.people["Priya"])
        ).one()
    shown = fclient.get(f"{base}/feedback/{priya.id}").get_data(as_text=True)
    assert "SMS segments" in shown and "Hello Priya." in shown
    assert fclient.get(f"{base}/feedback/{priya.id}/page").status_code == 200
    pdf = fclient.get(f"{base}/feedback/{priya.id}/letter.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    edited = fclient.post(
        f"{base}/feedback/{priya.id}",
        data={
            "csrf_token": token,
            "body": "Hello Priya. We now call back in two days. Read it here: http://localhost/f/x",
            **{f"block_{i}": b["text"] for i, b in enumerate(priya.blocks)},
        },
    )
    assert edited.status_code == 303
    fclient.post(f"{base}/feedback/approve", data={"csrf_token": token})
    fclient.post(f"{base}/feedback/send", data={"csrf_token": token})
    done = fclient.get(f"{base}/feedback").get_data(as_text=True)
    assert 'max="5" value="5"' in done and "Letter posted" in done
    with frt.db.reading() as session:
        row = session.get_one(FeedbackMessage, priya.id)
        assert (row.status, row.edited_by, row.body) == (
            "sent",
            "officer@example.org",
            "Hello Priya. We now call back in two days. Read it here: http://localhost/f/x",
        )


def test_another_councils_staff_cannot_see_or_act(fclient: FlaskClient, frt: Runtime) -> None:
    world = build_world(frt)
    with frt.db.writing() as session:
        other = create_review(session, "Southshire Council", "Carers").id
    add_user(frt, "south@example.org", "council", (other,))
    sign_in(fclient, "south@example.org")
    token = csrf_token(fclient, "/account/password")
    base = f"/council/reviews/{world.review_id}"
    assert fclient.get(f"{base}/actions").status_code == 403
    assert fclient.get(f"{base}/feedback").status_code == 403
    assert fclient.post(f"{base}/feedback/draft", data={"csrf_token": token}).status_code == 403
    assert fclient.post(f"{base}/actions", data={"csrf_token": token, "you_said": "x"}).status_code == 403
    assert fclient.get(f"/council/reviews/{other}/actions").status_code == 200
    # Their own review's URL can't reach this review's action either.
    action_id = world.actions["call_back"]
    moved = fclient.post(
        f"/council/reviews/{other}/actions/{action_id}", data={"csrf_token": token, "status": "planned"}
    )
    assert moved.status_code == 404
    with frt.db.reading() as session:
        assert session.get_one(Action, action_id).status == "done"


def test_the_public_page_shows_actions_consented_quotes_and_the_share_of_concerns_without_personal_data(
    fclient: FlaskClient, frt: Runtime
) -> None:
    world = build_world(frt)
    # Concerns: Priya 1 (timeliness, linked), Margaret 2 (voice_of_person, an action's theme), Tom 2
    # (timeliness); Sam's 5 is no concern; Gareth's unhappy words on a theme with no action are a
    # concern without a change.
    answer(
        frt, world.people["Gareth"], "identity", "It was awful and nobody cared", "free_text", sentiment=-0.8
    )
    with frt.db.writing() as session:
        priya = session.get_one(Participant, world.people["Priya"])
        conversation_id = session.scalars(
            select(Conversation.id).where(Conversation.participant_id == priya.id)
        ).one()
        for text, agreed in (("They finally listened to me", True), ("Keep this one private", False)):
            session.add(
                Quote(
                    conversation_id=conversation_id,
                    participant_id=priya.id,
                    review_id=world.review_id,
                    audit_record_id=priya.audit_record_id,
                    node="better",
                    text=text,
                    consent_to_quote=agreed,
                )
            )
    page = fclient.get(f"/what-changed/{world.review_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<strong>75%</strong>" in text and "(3 of 4)" in text
    assert "People waited too long for a call back" in text and "Social workers now call back" in text
    assert "They finally listened to me" in text and "Keep this one private" not in text
    for private in ("Priya", "Margaret", "Gareth", "A1", "A2", "+4477", "owner"):
        assert private not in text, private
    assert COUNCIL in text


def test_actions_carry_over_to_the_councils_next_review(fclient: FlaskClient, frt: Runtime) -> None:
    world = build_world(frt)
    with frt.db.writing() as session:
        later = create_review(session, COUNCIL, "Carers assessments").id
    add_user(frt, "officer@example.org", "council", (later,))
    sign_in(fclient, "officer@example.org")
    page = fclient.get(f"/council/reviews/{later}/actions").get_data(as_text=True)
    assert "From the previous review" in page and "Some people did not feel listened to" in page
    # Updated from the new review: the earlier review's action moves on, and the public page says so.
    token = csrf_token(fclient, "/account/password")
    listening = world.actions["listening"]
    moved = fclient.post(
        f"/council/reviews/{later}/actions/{listening}",
        data={"csrf_token": token, "status": "done", "we_did": "Every assessment now starts there"},
    )
    assert moved.status_code == 303
    public = fclient.get(f"/what-changed/{later}").get_data(as_text=True)
    assert "Updates from the previous review" in public and "Every assessment now starts there" in public
    draft_review(frt, later)  # a later review's own people are not sent the earlier review's actions
    with frt.db.reading() as session:
        assert session.scalars(select(FeedbackMessage).where(FeedbackMessage.review_id == later)).all() == []
