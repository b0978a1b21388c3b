"""The peer console in headless Chromium: sign in, run a whole conversation, show the card.

axe-core checks every console page (WCAG 2.2 AA + best practice) at phone
size: no serious or critical violation. The answers stored must name the peer.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select

from app.models import Conversation, Quote, Response
from app.services import accounts
from app.services.participants import NewParticipant, add_participant, create_review

PASSWORD = "a long and peaceful walk"
MAX_TURNS = 40


def _peer_with_person(rt: Any) -> tuple[str, int]:
    email = f"peer-{secrets.token_hex(4)}@example.org"
    with rt.db.writing() as session:
        review = create_review(session, "Testshire County Council", "Strengths-based practice")
        person = add_participant(
            session,
            rt.crypto,
            NewParticipant(
                review_id=review.id, audit_ref=f"P{secrets.token_hex(2)}", first_name="Rhiannon",
                variant="easy_read", channel="peer", communication_needs=("easy_read", "extra_time"),
            ),
        )  # fmt: skip
        accounts.create_user(session, email, "peer", PASSWORD)
        person_id = person.id
    with rt.db.writing() as session:
        accounts.assign_peer(session, email, person_id)
    return email, person_id


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/peer/")


def test_a_peer_runs_a_whole_conversation_in_chromium(
    live_server: Any, new_page: Any, check_axe: Any
) -> None:
    rt, base = live_server.rt, live_server.url
    email, person_id = _peer_with_person(rt)
    page = new_page()
    page.goto(f"{base}/login")
    check_axe(page, "the sign-in page")
    _sign_in(page, base, email)
    check_axe(page, "my conversations")

    page.get_by_role("link", name="Rhiannon").click()
    check_axe(page, "the console before starting")
    page.get_by_role("button", name="Start the conversation").click()
    page.wait_for_selector("#ask-heading")
    check_axe(page, "a yes/no step")

    page.get_by_role("link", name="Show the person the card, full screen").click()
    assert page.locator(".show-card img").count() == 1
    check_axe(page, "the full-screen card")
    page.get_by_role("link", name="Back to the script").click()

    checked: set[str] = set()
    answers: list[str] = []
    quoted = False
    for _ in range(MAX_TURNS):
        if page.locator("#ask-heading").count() == 0:
            break
        node = page.locator("input[name=node]").get_attribute("value")
        choices = page.locator("fieldset.choices button.choice")
        kind = "choice" if choices.count() else "text"
        if kind == "choice":
            classes = page.locator("fieldset.choices").get_attribute("class") or ""
            kind = next((k for k in ("yes_no", "scale") if f"choices-{k}" in classes), "choice")
        if kind not in checked:
            check_axe(page, f"a {kind} step")
            checked.add(kind)
        if kind == "text" and not quoted:
            page.get_by_label("The person's own words").fill("I just want to be asked, not told.")
            page.get_by_label("The person agreed this can be quoted").check()
            quoted = True
        if kind == "text":
            page.get_by_label("Their answer").fill(f"Rhiannon's words at {node}")
            page.get_by_role("button", name="Save their answer").click()
        else:
            wanted = {"yes_no": "yes", "scale": "4"}.get(kind)
            button = page.locator(f"button.choice[value='{wanted}']") if wanted else choices.first
            button.click()
        page.wait_for_load_state()
        answers.append(node or "")
    else:
        raise AssertionError("the conversation did not end")

    assert "This conversation has ended" in page.content()
    assert {"yes_no", "scale", "text"} <= checked
    with rt.db.reading() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.participant_id == person_id)
        ).one()
        assert conversation.status == "completed" and conversation.conducted_by == email
        responses = session.scalars(
            select(Response).where(Response.participant_id == person_id).order_by(Response.id)
        ).all()
        assert [r.node for r in responses] == answers
        assert all(r.conducted_by == email for r in responses)
        quote = session.scalars(select(Quote).where(Quote.participant_id == person_id)).one()
        assert quote.consent_to_quote is True and quote.text == "I just want to be asked, not told."


def test_the_console_works_by_keyboard_and_its_safeguarding_pages_pass_axe(
    live_server: Any, new_page: Any, check_axe: Any
) -> None:
    rt, base = live_server.rt, live_server.url
    email, person_id = _peer_with_person(rt)
    page = new_page()
    _sign_in(page, base, email)
    page.goto(f"{base}/peer/participants/{person_id}")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    page.get_by_role("button", name="Start the conversation").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#ask-heading")
    page.locator("button.choice[value='yes']").focus()
    page.keyboard.press("Enter")  # a keyboard answer
    page.wait_for_load_state()
    page.locator("details.stop summary").click()
    check_axe(page, "a step with the stop confirmation open")
    page.get_by_role("link", name="I'm worried about this person").click()
    check_axe(page, "the worried form")
    page.get_by_label("What worries you").fill("Seemed scared to talk while someone else was in the room.")
    page.get_by_role("button", name="Tell the review lead now").click()
    page.wait_for_selector(".flash-safeguarding")
    check_axe(page, "a step after raising a concern")
    with rt.db.reading() as session:
        answered = session.scalars(select(Response).where(Response.participant_id == person_id)).all()
        assert [(r.node, r.value, r.conducted_by) for r in answered] == [("consent", "yes", email)]
