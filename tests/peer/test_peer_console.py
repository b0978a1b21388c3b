"""A peer-led conversation through the console (Flask test client, real database)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.models import AccessLog, Concern, Conversation, Message, Quote, Response
from app.services import safeguarding
from app.services.runtime import Runtime
from tests.staff_support import World, build_world, csrf_token, post, sign_in

PEER = "peer@example.org"
REPLIES = {"yes_no": "yes", "scale": "4", "number": "3"}


@dataclass
class Step:
    node: str
    nonce: str
    options: list[str]
    free: bool
    page: str


def read_step(client: FlaskClient, participant_id: int) -> Step | None:
    page = client.get(f"/peer/participants/{participant_id}").get_data(as_text=True)
    node = re.search(r'name="node" value="([^"]+)"', page)
    if node is None:
        return None
    nonce = re.search(r'name="nonce" value="([^"]+)"', page)
    options = re.findall(r'class="button choice" name="answer" value="([^"]+)"', page)
    free = bool(re.search(r'<textarea class="answer-input" id="answer" name="answer"', page))
    return Step(node.group(1), nonce.group(1) if nonce else "", options, free, page)


def answer_for(step: Step) -> str:
    if step.free:
        return f"In my own words about {step.node}"
    if "yes" in step.options:
        return "yes"
    return "4" if "4" in step.options else step.options[0]


def start(app: Flask, rt: Runtime) -> tuple[World, FlaskClient]:
    world = build_world(rt)
    client = app.test_client()
    sign_in(client, PEER)
    started = post(client, f"/peer/participants/{world.person_a1}/start")
    assert started.status_code == 303
    return world, client


def test_a_whole_peer_led_conversation_stores_every_answer_as_given(app: Flask, rt: Runtime) -> None:
    world, client = start(app, rt)
    given: list[tuple[str, str]] = []
    quotes: list[tuple[str, str, bool]] = []
    for turn in range(40):
        step = read_step(client, world.person_a1)
        if step is None:
            break
        reply = answer_for(step)
        data = {"answer": reply, "nonce": step.nonce, "node": step.node}
        if step.free:  # note the person's own words at each free-text question, consent alternating
            consent = turn % 2 == 0
            quote = f"They said it plainly at {step.node}"
            data |= {"quote": quote} | ({"quote_consent": "yes"} if consent else {})
            quotes.append((step.node, quote, consent))
        assert post(client, f"/peer/participants/{world.person_a1}/answer", data).status_code == 303
        given.append((step.node, reply))
    else:
        raise AssertionError("the conversation did not end within 40 answers")

    assert len(given) >= 10 and len(quotes) >= 2
    with rt.db.reading() as session:
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.status == "completed"
        assert conversation.conducted_by == PEER and conversation.channel == "peer"
        responses = session.scalars(select(Response).order_by(Response.id)).all()
        assert [(r.node, r.raw_text) for r in responses] == given
        assert all(r.conducted_by == PEER for r in responses)
        inbound = session.scalars(select(Message).where(Message.direction == "in")).all()
        assert len(inbound) == len(given) and {m.channel for m in inbound} == {"peer"}
        stored = session.scalars(select(Quote).order_by(Quote.id)).all()
        assert [(q.node, q.text, q.consent_to_quote) for q in stored] == quotes
        assert all(q.recorded_by == PEER and q.audit_record_id for q in stored)
    done = client.get(f"/peer/participants/{world.person_a1}").get_data(as_text=True)
    assert "This conversation has ended" in done


def test_the_step_shows_the_prompt_the_peer_guidance_and_the_easy_read_card(app: Flask, rt: Runtime) -> None:
    world, client = start(app, rt)
    step = read_step(client, world.person_a1)
    assert step is not None and step.node == "consent"
    page = step.page
    # Sam reads easy read: the welcome to say, the question in easy read, the flow's peer wording as guidance.
    assert "Hello Sam. Northshire Council wants to know how social workers help people." in page
    assert "Do you want to answer some questions?" in page
    assert "Read this slowly. Check they understand each part." in page
    assert 'src="/easy-read/consent.svg"' in page
    assert step.options == ["yes", "no"]
    card = client.get(f"/peer/participants/{world.person_a1}/card").get_data(as_text=True)
    assert "Do you want to answer some questions?" in card and 'src="/easy-read/consent.svg"' in card
    # Only what a peer needs: no phone number, no ratings, nobody else.
    for text in (page, card, client.get("/peer/").get_data(as_text=True)):
        assert "900123" not in text and "+44" not in text and "Priya" not in text
    assert "More time to answer" in page and "A1" in page


def test_a_resent_answer_is_stored_once(app: Flask, rt: Runtime) -> None:
    world, client = start(app, rt)
    step = read_step(client, world.person_a1)
    assert step is not None
    data = {
        "answer": "yes",
        "nonce": step.nonce,
        "node": step.node,
        "quote": "Happy to",
        "quote_consent": "yes",
    }
    for _ in range(2):
        post(client, f"/peer/participants/{world.person_a1}/answer", data)
    with rt.db.reading() as session:
        assert len(session.scalars(select(Response)).all()) == 1
        assert len(session.scalars(select(Quote)).all()) == 1


def test_pause_keeps_the_place_and_stop_records_the_withdrawal(app: Flask, rt: Runtime) -> None:
    world, client = start(app, rt)
    first = read_step(client, world.person_a1)
    assert first is not None
    post(
        client,
        f"/peer/participants/{world.person_a1}/answer",
        {"answer": "yes", "nonce": "n1", "node": first.node},
    )
    before = read_step(client, world.person_a1)
    paused = post(client, f"/peer/participants/{world.person_a1}/pause", follow_redirects=True)
    assert "Paused" in paused.get_data(as_text=True)
    after = read_step(client, world.person_a1)
    assert before is not None and after is not None and after.node == before.node != first.node

    stopped = post(client, f"/peer/participants/{world.person_a1}/stop", follow_redirects=True)
    assert "Stopped by the person" in stopped.get_data(as_text=True)
    post(
        client,
        f"/peer/participants/{world.person_a1}/answer",
        {"answer": "yes", "nonce": "n2", "node": after.node},
    )
    with rt.db.reading() as session:
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.status == "withdrawn" and conversation.ended_at is not None
        assert len(session.scalars(select(Response)).all()) == 1  # nothing after the stop


def test_im_worried_records_a_concern_and_the_dashboard_shows_it(app: Flask, rt: Runtime) -> None:
    world, client = start(app, rt)
    empty = post(client, f"/peer/participants/{world.person_a1}/worried", {"note": " "})
    assert empty.status_code == 400
    sent = post(
        client,
        f"/peer/participants/{world.person_a1}/worried",
        {"note": "Bruises on both arms, and went quiet when her son came in."},
        follow_redirects=True,
    )
    text = sent.get_data(as_text=True)
    assert "The review lead has been told" in text and "0300 123 4567" in text
    assert 'name="node" value="consent"' in text  # the conversation carries on
    assert safeguarding.join_pending(timeout=30)  # the lead is told off the request path
    with rt.db.reading() as session:
        concern = session.scalars(
            select(Concern).where(Concern.source == "peer").order_by(Concern.id.desc())
        ).first()
        assert concern.raised_by == PEER and concern.participant_id == world.person_a1
        assert concern.notified_via == "dashboard"  # no SMTP server configured
        assert concern.node == "consent"
    coordinator = app.test_client()
    sign_in(coordinator, world.emails["coordinator"])
    dashboard = coordinator.get("/coordinator/").get_data(as_text=True)
    assert "Safeguarding: 2 concerns to follow up" in dashboard and "not emailed" in dashboard
    detail = coordinator.get(f"/concerns/{concern.id}").get_data(as_text=True)
    assert "Bruises on both arms" in detail
    token = csrf_token(coordinator, "/account/password")
    coordinator.post(f"/concerns/{concern.id}/acknowledge", data={"csrf_token": token})
    assert "Safeguarding: 1 concern to follow up" in coordinator.get("/coordinator/").get_data(as_text=True)


def test_the_audit_trail_records_who_opened_whose_answers(app: Flask, rt: Runtime) -> None:
    world, peer = start(app, rt)
    peer.get(f"/peer/participants/{world.person_a1}")
    peer.get(f"/peer/participants/{world.person_a1}")  # the same visit: recorded once
    psw = app.test_client()
    sign_in(psw, world.emails["psw"])
    assert psw.get(f"/psw/participants/{world.person_a1}").status_code == 200
    assert psw.get(f"/psw/participants/{world.person_b1}").status_code == 403  # not their review
    with rt.db.reading() as session:
        rows = session.scalars(select(AccessLog).order_by(AccessLog.id)).all()
        assert [(r.role, r.action, r.participant_id) for r in rows] == [
            ("peer", "peer_console", world.person_a1),
            ("psw", "answers", world.person_a1),
        ]
    coordinator = app.test_client()
    sign_in(coordinator, world.emails["coordinator"])
    trail = coordinator.get("/coordinator/audit").get_data(as_text=True)
    assert "peer@example.org" in trail and "psw@example.org" in trail and "peer_console" in trail
    assert psw.get("/coordinator/audit").status_code == 403
