"""A person's "you said, we did" page (/f/<token>) and the public "what changed" page in real Chromium:
axe-core (WCAG 2.2 AA + best practice) finds no serious or critical problem; the reply form works."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.models import FeedbackMessage, FeedbackReply
from app.services.feedback.actions import NewAction, add_action
from app.services.feedback.drafting import draft_review
from app.services.feedback.sending import approve, deliver_due, queue_approved
from app.services.participants import NewParticipant, add_participant, create_review


def _sent_page(live_server: Any, variant: str, language: str) -> tuple[str, int]:
    rt = live_server.rt
    with rt.db.writing() as session:
        review = create_review(session, "Testshire County Council", "Strengths-based practice")
        person = add_participant(
            session,
            rt.crypto,
            NewParticipant(
                review.id, f"F{review.id}", "Sam", channel="web", variant=variant, language=language
            ),
        )
        person.hear_back, person.hear_back_channel = True, "web"
        add_action(
            session,
            NewAction(
                review.id,
                "People waited too long for a call back",
                "We now call back within two days",
                "done",
                headline=True,
                wording={
                    "you_said": {"cy": {"standard": "Roedd pobl yn aros yn rhy hir"}},
                    "we_did": {"cy": {"standard": "Rydyn ni'n ffonio yn ôl o fewn dau ddiwrnod"}},
                },
            ),
            rt.clock(),
        )
        review_id, person_id = review.id, person.id
    draft_review(rt, review_id)
    approve(rt, review_id, "test")
    queue_approved(rt, review_id)
    deliver_due(rt, review_id)
    with rt.db.reading() as session:
        row = session.scalars(
            select(FeedbackMessage).where(FeedbackMessage.participant_id == person_id)
        ).one()
        assert row.status == "sent"
        return f"{live_server.url}/f/{row.token}", review_id


@pytest.mark.parametrize(("variant", "language"), [("easy_read", "en"), ("standard", "cy")])
def test_the_feedback_page_is_accessible_and_takes_a_reply(
    live_server, new_page, check_axe, screenshot_dir, variant: str, language: str
) -> None:  # type: ignore[no-untyped-def]
    url, _ = _sent_page(live_server, variant, language)
    # axe is injected as a script tag, which the app's CSP refuses; the page itself has no inline script.
    page = new_page(bypass_csp=True)
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("script:not([src])").count() == 0
    assert page.locator(".er-block").count() == 3
    assert page.locator(".er-block img").count() == 3
    check_axe(page, f"/f/<token> ({variant}, {language})")
    page.screenshot(path=str(screenshot_dir / f"feedback-{variant}-{language}.png"), full_page=True)

    # Keyboard only: to the "yes" answer, then the words, then send.
    page.locator("#helpful-yes").focus()
    page.keyboard.press("Space")
    page.fill("#words", "Thank you for telling me")
    page.locator(".reply button[type=submit]").press("Enter")
    page.wait_for_selector("#thanks")
    check_axe(page, "/f/<token> after a reply")
    with live_server.rt.db.reading() as session:
        replies = session.scalars(select(FeedbackReply).order_by(FeedbackReply.id.desc())).first()
        assert (replies.helpful, replies.words) == (True, "Thank you for telling me")

    # Reflow: at 320 CSS pixels wide nothing needs scrolling sideways.
    narrow = new_page(viewport={"width": 320, "height": 640})
    narrow.goto(url)
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 320


def test_the_public_what_changed_page_is_accessible(live_server, new_page, check_axe) -> None:  # type: ignore[no-untyped-def]
    _, review_id = _sent_page(live_server, "standard", "en")
    page = new_page(bypass_csp=True)
    page.goto(f"{live_server.url}/what-changed/{review_id}")
    assert "We now call back within two days" in page.locator("main").inner_text()
    check_axe(page, "/what-changed/<id>")
