"""The web chat in a real browser: a whole easy-read conversation, no-JS, reflow, keyboard.

Every page a person sees is checked with axe-core (WCAG 2.2 AA + best
practice): no serious or critical violation is allowed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.models import Conversation, Message, Response

FREE_TEXT = "yeah ok it was alright, she listened mostly"
NUMBER = "3"
MAX_TURNS = 40

MESSAGES = "#messages > li"
UPDATED = """(n) => document.querySelectorAll('#messages > li').length > n
                  && !document.getElementById('main').hasAttribute('aria-busy')"""


def message_count(page: Any) -> int:
    return page.locator(MESSAGES).count()


def question_kind(page: Any) -> str | None:
    """What the page is asking for: yes_no | scale | choice | text | number, or None when ended."""
    fieldset = page.locator(".answer fieldset.choices")
    if fieldset.count():
        classes = fieldset.get_attribute("class") or ""
        for kind in ("yes_no", "scale", "choice"):
            if f"choices-{kind}" in classes:
                return kind
        return "choice"
    field = page.locator("#answer-text")
    if field.count():
        return "number" if field.evaluate("el => el.tagName") == "INPUT" else "text"
    return None


def answer(page: Any, kind: str, *, wait: bool = True) -> str:
    """Answer the question on the page the way a person would; return what was sent."""
    before = message_count(page)
    if kind in ("yes_no", "scale", "choice"):
        wanted = {"yes_no": "yes", "scale": "4"}.get(kind)
        buttons = page.locator(".answer button.choice")
        button = page.locator(f".answer button.choice[value='{wanted}']") if wanted else buttons.first
        sent = button.get_attribute("value")
        button.click()
    else:
        sent = FREE_TEXT if kind == "text" else NUMBER
        page.fill("#answer-text", sent)
        page.click(".answer button.send")
    if wait:
        page.wait_for_function(UPDATED, arg=before)
    assert sent is not None
    return sent


def ask_messages(rt: Any, participant_id: int) -> list[Message]:
    with rt.db.reading() as session:
        rows = session.scalars(
            select(Message)
            .where(Message.participant_id == participant_id, Message.direction == "out")
            .order_by(Message.id)
        ).all()
        return [row for row in rows if row.payload and row.payload.get("kind") == "ask"]


def test_whole_easy_read_conversation(live_server, make_participant, new_page, check_axe, screenshot_dir):
    person = make_participant(variant="easy_read", language="en", first_name="Sam")
    page = new_page()
    page.goto(person.url)

    # The page is what it says it is.
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("script:not([src])").count() == 0, "inline scripts would break the CSP"
    assert "Hello Sam" in page.locator("#messages").inner_text()
    assert page.locator("img.msg-picture").count() >= 1, "easy read shows its pictures"
    check_axe(page, "the first page")

    sent: list[str] = []
    checked: set[str] = set()
    for _ in range(MAX_TURNS):
        kind = question_kind(page)
        if kind is None:
            break
        if kind in ("scale", "text") and kind not in checked:
            check_axe(page, f"a {kind} question page")
            checked.add(kind)
            page.screenshot(path=str(screenshot_dir / f"easy_read_{kind}.png"), full_page=True)
        if kind == "scale":
            # Easy read: a smiley beside each number, hidden from screen readers.
            assert page.locator(".answer button.choice svg.face[aria-hidden='true']").count() == 5
        sent.append(answer(page, kind))
        # After posting in place, focus is on the newest message for screen-reader users.
        assert page.evaluate("document.activeElement && document.activeElement.id") == "latest"
    else:
        raise AssertionError(f"the conversation did not end within {MAX_TURNS} answers")

    assert {"scale", "text"} <= checked, f"expected scale and free-text questions, saw {checked}"
    ended = page.locator("section.ended")
    assert ended.count() == 1
    assert "Thank you" in ended.inner_text()
    assert page.locator("form[data-enhance='answer']").count() == 0, "no form once finished"
    check_axe(page, "the finished page")
    page.screenshot(path=str(screenshot_dir / "easy_read_finished.png"), full_page=True)

    # One response per question asked, against the review and the audit ref, words and meaning.
    rt = live_server.rt
    asked = ask_messages(rt, person.id)
    assert len(asked) == len(sent), "every answer was understood first time"
    expected = {m.payload["node"]: raw for m, raw in zip(asked, sent, strict=True)}
    with rt.db.reading() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.participant_id == person.id)
        ).one()
        assert conversation.status == "completed"
        responses = session.scalars(select(Response).where(Response.participant_id == person.id)).all()
        by_node = {r.node: r for r in responses}
        assert len(responses) == len(by_node) == len(expected)
        assert set(by_node) == set(expected)
        for node, raw in expected.items():
            response = by_node[node]
            assert response.review_id == person.review_id
            assert response.audit_record_id == person.audit_record_id
            assert response.conversation_id == conversation.id
            assert response.raw_text == raw, node
            assert not response.skipped, node
            if response.answer_type == "yes_no":
                assert response.value == "yes", node
            elif response.answer_type == "scale":
                assert response.value == "4", node
            elif response.answer_type == "free_text":
                assert response.value == FREE_TEXT, node
                assert response.sentiment is not None, node
            else:
                assert response.value, node


def test_works_without_javascript(live_server, make_participant, new_page):
    person = make_participant(variant="easy_read")
    page = new_page(java_script_enabled=False)
    page.goto(person.url)
    for turn in range(2):
        kind = question_kind(page)
        assert kind is not None, f"no question on turn {turn}"
        before = message_count(page)
        with page.expect_navigation():
            answer(page, kind, wait=False)
        assert page.url.endswith("#latest"), page.url
        assert message_count(page) > before
    # The person's own answers show in the log, labelled for screen readers.
    mine = page.locator("#messages > li.msg-in")
    assert mine.count() == 2
    assert "You said:" in mine.first.inner_text()

    with live_server.rt.db.reading() as session:
        responses = session.scalars(select(Response).where(Response.participant_id == person.id)).all()
        assert len(responses) == 2


def test_narrow_screen_large_text_no_sideways_scroll(make_participant, new_page):
    person = make_participant(variant="easy_read")
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto(person.url)

    toggle = page.locator("form.text-size button")
    assert toggle.get_attribute("value") == "large"
    toggle.click()
    assert page.evaluate("document.documentElement.classList.contains('large-text')")
    assert toggle.get_attribute("value") == "normal"
    page.wait_for_timeout(300)  # the cookie is also set by the server, in the background
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("heard_text_size") == "large"

    def no_sideways_scroll(where: str) -> None:
        size = page.evaluate(
            "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,"
            " root: parseFloat(getComputedStyle(document.documentElement).fontSize)})"
        )
        assert size["root"] >= 24, f"large text should scale the root font: {size}"
        assert size["scroll"] <= size["inner"], f"horizontal scroll on {where}: {size}"

    no_sideways_scroll("the first page")
    # Every button is a big enough target (WCAG 2.5.8 asks 24 px; we keep to 44 px).
    for box in page.locator("main button:visible, header button:visible").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {w: r.width, h: r.height, text: e.textContent.trim()}; })"
    ):
        assert box["w"] >= 44 and box["h"] >= 44, f"target too small: {box}"

    # Still large after a reload (the cookie), and a scale page reflows too.
    page.reload()
    assert page.evaluate("document.documentElement.classList.contains('large-text')")
    for _ in range(6):
        kind = question_kind(page)
        if kind in (None, "scale"):
            break
        answer(page, kind)
    no_sideways_scroll(f"a {kind} page")

    # And back to normal text without a reload.
    page.locator("form.text-size button").click()
    assert not page.evaluate("document.documentElement.classList.contains('large-text')")


def test_keyboard_only(make_participant, new_page):
    person = make_participant(variant="standard")
    page = new_page()
    page.goto(person.url)
    first_button = page.locator(".answer button.choice").first
    assert first_button.count() == 1

    reached = False
    for _ in range(20):
        page.keyboard.press("Tab")
        if first_button.evaluate("el => el === document.activeElement"):
            reached = True
            break
    assert reached, "Tab never reached the first answer button"

    outline = first_button.evaluate(
        "el => { const s = getComputedStyle(el);"
        " return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor}; }"
    )
    assert outline["style"] != "none" and outline["width"] >= 2, f"focus not visible: {outline}"

    before = message_count(page)
    label = first_button.inner_text().strip()
    page.keyboard.press("Enter")
    page.wait_for_function(UPDATED, arg=before)
    assert page.evaluate("document.activeElement.id") == "latest"
    # The log shows the words on the button pressed, not the key sent.
    assert page.locator("#messages > li.msg-in").last.inner_text().strip().endswith(label)


def test_command_buttons_show_their_words(make_participant, new_page):
    person = make_participant(variant="easy_read")
    page = new_page()
    page.goto(person.url)
    before = message_count(page)
    page.locator(".commands button[value='HELP']").click()
    page.wait_for_function(UPDATED, arg=before)
    assert page.locator("#messages > li.msg-in").last.inner_text().strip().endswith("Help")
    assert question_kind(page) == "yes_no", "the question is still waiting after help"


def test_skip_link_is_first_and_goes_to_the_latest_message(make_participant, new_page):
    person = make_participant(variant="easy_read")
    page = new_page()
    page.goto(person.url)
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible(), "the skip link shows when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "latest"


def test_front_page_and_not_found_are_accessible(live_server, new_page, check_axe):
    page = new_page()
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Heard"
    check_axe(page, "the front page")

    response = page.goto(live_server.url + "/c/not-a-real-token")
    assert response is not None and response.status == 404
    text = page.locator("main").inner_text()
    assert "not-a-real-token" not in text
    assert "Traceback" not in text
    check_axe(page, "the not-found page")


def test_a_failed_post_in_place_falls_back_to_a_normal_submit(live_server, make_participant, new_page):
    person = make_participant(variant="easy_read")
    page = new_page()
    page.goto(person.url)
    refused: list[str] = []

    def refuse_first_post(route: Any) -> None:
        if route.request.method == "POST" and not refused:
            refused.append(route.request.url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    page.route("**/c/**", refuse_first_post)
    with page.expect_navigation():
        page.locator(".answer button.choice[value='yes']").click()
    assert refused, "the in-place post was tried first"
    assert page.url.endswith("#latest")
    assert page.locator("#messages > li.msg-in").count() == 1
    with live_server.rt.db.reading() as session:
        responses = session.scalars(select(Response).where(Response.participant_id == person.id)).all()
        assert [r.value for r in responses] == ["yes"]


def test_a_double_click_answers_once(live_server, make_participant, new_page):
    person = make_participant(variant="easy_read")
    page = new_page()
    page.goto(person.url)
    before = message_count(page)
    page.locator(".answer button.choice[value='yes']").dblclick()
    page.wait_for_function(UPDATED, arg=before)
    page.wait_for_timeout(300)
    with live_server.rt.db.reading() as session:
        received = session.scalars(
            select(Message).where(Message.participant_id == person.id, Message.direction == "in")
        ).all()
        assert len(received) == 1


def test_welsh_standard_page(make_participant, new_page, check_axe):
    person = make_participant(variant="standard", language="cy")
    page = new_page(locale="cy-GB")
    page.goto(person.url)
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.locator(".answer button.choice[value='yes']").inner_text().strip() == "Ie"
    assert page.locator(".commands button[value='BACK']").inner_text().strip() == "Mynd yn ôl"
    assert page.locator("img.msg-picture").count() == 0, "pictures are for easy read"
    check_axe(page, "a Welsh standard question page")
