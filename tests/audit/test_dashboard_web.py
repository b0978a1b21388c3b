"""The dashboard on the web: who may see it, the upload page, the charts and downloads it serves."""

from __future__ import annotations

import io

from flask import Flask
from sqlalchemy import func, select

from app.models import AuditAssessment
from app.services.runtime import Runtime
from tests.audit.support import WM12_20, WM12_HEADER, add, converse, wm12_row
from tests.staff_support import build_world, csrf_token, is_sign_in_redirect, sign_in

# Every page of the dashboard for review A, and who may open it (tests/staff_support.py's world).
PAGES = ("dashboard", "audit-refs", "charts/overall.svg", "charts/themes.svg", "export.csv", "audit/import")
SEES_REVIEW_A = {"coordinator", "psw"}
EVERYONE = ("coordinator", "psw", "outsider_psw", "peer", "other_peer", "council")


def test_only_the_reviews_psws_and_coordinators_see_its_dashboard(app: Flask, rt: Runtime) -> None:
    world = build_world(rt)
    refused: list[str] = []
    for name in EVERYONE:
        client = app.test_client()
        assert sign_in(client, world.emails[name]).status_code == 302
        for page in PAGES:
            status = client.get(f"/psw/reviews/{world.review_a}/{page}").status_code
            expected = 200 if name in SEES_REVIEW_A else 403
            if status != expected:
                refused.append(f"{name} {page}: {status}, expected {expected}")
        region = client.get("/coordinator/region").status_code
        if region != (200 if name == "coordinator" else 403):
            refused.append(f"{name} region: {region}")
    assert not refused, "\n".join(refused)
    anonymous = app.test_client()
    for page in PAGES:
        assert is_sign_in_redirect(anonymous.get(f"/psw/reviews/{world.review_a}/{page}")), page
    # The PSW of review B sees B's dashboard, not A's.
    outsider = app.test_client()
    sign_in(outsider, world.emails["outsider_psw"])
    assert outsider.get(f"/psw/reviews/{world.review_b}/dashboard").status_code == 200
    # A review that doesn't exist looks, to a PSW, like one they may not see (access.requires).
    assert outsider.get("/psw/reviews/99999/dashboard").status_code == 403


def test_a_psw_uploads_the_audit_and_sees_it_on_the_dashboard(app: Flask, rt: Runtime) -> None:
    world = build_world(rt)
    client = app.test_client()
    sign_in(client, world.emails["psw"])
    token = csrf_token(client, f"/psw/reviews/{world.review_a}/audit/import")
    uploaded = client.post(
        f"/psw/reviews/{world.review_a}/audit/import",
        data={"csrf_token": token, "tool": "wm12", "file": (io.BytesIO(WM12_20.read_bytes()), "audit.csv")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 303, uploaded.get_data(as_text=True)
    page = client.get(f"/psw/reviews/{world.review_a}/dashboard").get_data(as_text=True)
    assert "Imported 20 records." in page
    assert "All 240 ratings given, for 20 records" in page
    assert "<td>59</td><td>24.6%</td><td>3</td><td>15.0%</td>" in page  # Outstanding: ratings, then overall
    for chart in ("overall", "questions", "themes"):
        assert f'src="/psw/reviews/{world.review_a}/charts/{chart}.svg"' in page
    assert (
        'alt="Pie chart of the overall judgement of 20 records: Outstanding 3 (15.0%); Good 10 (50.0%)'
        in page
    )
    svg = client.get(f"/psw/reviews/{world.review_a}/charts/overall.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data and b"Outstanding: 3 (15.0%)" in svg.data
    docx = client.get(f"/psw/reviews/{world.review_a}/export.docx")
    assert docx.data.startswith(b"PK") and "attachment" in docx.headers["Content-Disposition"]


def test_a_bad_upload_is_refused_whole_with_row_numbers(app: Flask, rt: Runtime) -> None:
    world = build_world(rt)
    client = app.test_client()
    sign_in(client, world.emails["psw"])
    token = csrf_token(client, f"/psw/reviews/{world.review_a}/audit/import")
    text = "\n".join([WM12_HEADER, wm12_row("A1"), wm12_row("A2", q4="Superb")]) + "\n"
    refused = client.post(
        f"/psw/reviews/{world.review_a}/audit/import",
        data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "audit.csv")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 200  # the form again, with its problems
    body = refused.get_data(as_text=True)
    assert (
        "<title>Error: Import the audit" in body
        and "Nothing was imported" in body
        and "row 3: q4 is &#39;Superb&#39;" in body
    )
    case_numbers = f"{WM12_HEADER},NHS number\n{wm12_row('A1')},4857773456\n"
    refused = client.post(
        f"/psw/reviews/{world.review_a}/audit/import",
        data={"csrf_token": token, "file": (io.BytesIO(case_numbers.encode()), "audit.csv")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 200 and "only the review&#39;s own audit refs" in refused.get_data(
        as_text=True
    )
    with rt.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(AuditAssessment)) == 0


def test_the_audit_refs_page_sets_the_record_beside_the_account(app: Flask, rt: Runtime) -> None:
    world = build_world(rt)
    client = app.test_client()
    sign_in(client, world.emails["psw"])
    token = csrf_token(client, f"/psw/reviews/{world.review_a}/audit/import")
    one_record = f"{WM12_HEADER}\n{wm12_row('A9', q1='O')}\n".encode()
    client.post(
        f"/psw/reviews/{world.review_a}/audit/import",
        data={"csrf_token": token, "file": (io.BytesIO(one_record), "a.csv")},
        content_type="multipart/form-data",
    )
    person, chat_token = add(rt, world.review_a, "A9", "Dilys")
    converse(rt, person, chat_token, {"listened": "1"})
    page = client.get(f"/psw/reviews/{world.review_a}/audit-refs").get_data(as_text=True)
    section = page.split('id="ref-A9"', 1)[1]
    assert "Q1: Outstanding (1.00)" in section
    assert '<strong class="differs">Differs</strong> 0.00' in section
    assert "Dilys" not in page  # the refs page is about records and accounts, not names
