"""The PSW dashboard, the audit-ref page, the upload page and the regional view in headless Chromium.

axe-core (WCAG 2.2 AA + best practice) must find no serious or critical
violation on any of them, at phone and desktop width; the charts must load.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from app.services import accounts
from app.services.audit_import import import_audit
from tests.audit.support import WM12_20, WM12_HEADER, add, converse, new_review, note_quote, wm12_row

PASSWORD = "a long and peaceful walk"


def _review_with_an_audit_and_voices(rt: Any) -> tuple[int, str, str]:
    suffix = secrets.token_hex(3)
    review_id = new_review(rt, council=f"Testshire {suffix}")
    with rt.db.writing() as session:
        assert import_audit(session, review_id, WM12_20.read_text()).ok
    for ref, name, role, replies in [
        ("A1", "Rhiannon", "person", {"consent_quotes": "yes", "listened": "1",
                                      "what_matters": "Nobody asked me about my care plan."}),
        ("A7", "Tomos", "person", {"consent_quotes": "yes", "listened": "4",
                                   "what_matters": "The care plan was clear and my social worker was kind."}),
        ("A7", "Eleri", "carer", {"consent_quotes": "no", "listened": "2"}),
    ]:  # fmt: skip
        person, token = add(rt, review_id, ref, name, role=role)
        converse(rt, person, token, replies)
        if name == "Rhiannon":
            note_quote(rt, person, "listened", "She talked to my daughter, not to me.", consent=True)
    psw, coordinator = f"psw-{suffix}@example.org", f"coord-{suffix}@example.org"
    with rt.db.writing() as session:
        made, _ = accounts.create_user(session, psw, "psw", PASSWORD)
        accounts.add_member(session, made, review_id)
        accounts.create_user(session, coordinator, "coordinator", PASSWORD)
    return review_id, psw, coordinator


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _charts_loaded(page: Any) -> int:
    images = page.locator(".chart img")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.chart img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    return images.count()


def test_the_dashboard_pages_pass_axe_in_chromium(
    live_server: Any, new_page: Any, check_axe: Any, tmp_path: Path, screenshot_dir: Path
) -> None:
    rt, base = live_server.rt, live_server.url
    review_id, psw, coordinator = _review_with_an_audit_and_voices(rt)

    for viewport in ({"width": 412, "height": 915}, {"width": 1280, "height": 900}):
        page = new_page(viewport=viewport)
        _sign_in(page, base, psw)
        page.goto(f"{base}/psw/reviews/{review_id}/dashboard")
        assert page.get_by_role("heading", level=1).inner_text().startswith(f"Review {review_id}")
        assert _charts_loaded(page) == 3
        assert page.get_by_role("table", name="Data for: Overall judgements of the records").count() == 1
        assert "Nobody asked me about my care plan." in page.content()
        check_axe(page, f"the dashboard at {viewport['width']} px")
        page.screenshot(path=str(screenshot_dir / f"dashboard_{viewport['width']}.png"), full_page=True)

        page.get_by_role("link", name="Each audit ref: the record beside the person's account").click()
        page.wait_for_selector("#ref-A1")
        assert page.locator("#ref-A1 ~ div .differs, section:has(#ref-A1) .differs").count() >= 1
        check_axe(page, f"the audit-ref page at {viewport['width']} px")

    page.goto(f"{base}/psw/reviews/{review_id}/audit/import")
    check_axe(page, "the upload page")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([WM12_HEADER, wm12_row("A1"), wm12_row("A2", q2="Brilliant")]) + "\n")
    page.get_by_label("The audit as a CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    page.wait_for_selector("#problems")
    assert "row 3: q2 is 'Brilliant'" in page.locator("#problems").inner_text()
    check_axe(page, "the upload page with its problems")

    page = new_page(viewport={"width": 1280, "height": 900})
    _sign_in(page, base, coordinator)
    page.goto(f"{base}/coordinator/region")
    assert page.get_by_role("heading", name="Themes across the region").count() == 1
    check_axe(page, "the regional view")
