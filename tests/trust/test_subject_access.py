"""Subject access: everything held about one person, as JSON from the CLI and a coordinator's page."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.channels.base import Inbound
from app.cli import main
from app.models import AccessLog, Participant
from app.services.runtime import Runtime
from app.services.safeguarding import raise_concern
from app.services.turns import run_turn
from tests.staff_support import add_user, sign_in
from tests.trust.trust_support import add_person

PHONE = "+447700900333"
HOSTILE = "<script>alert('x')</script> & Zanzibar"


def _person(rt: Runtime) -> int:
    pid = add_person(rt, channel="sms", phone=PHONE)
    for index, text in enumerate(["YES", "yes", "no", "4", HOSTILE]):
        run_turn(rt, Inbound("sms", PHONE, text, f"SM-{index}"))
    raise_concern(rt, pid, "peer@example.org", "worried about her")
    return pid


def test_cli_export_holds_everything_about_one_person(trt: Runtime, trust_app: Flask) -> None:
    pid = _person(trt)
    other = add_person(trt, audit_ref="T9", first_name="Someone Else")
    result = trust_app.test_cli_runner().invoke(main, ["participant", "export", "--id", str(pid)])
    assert result.exit_code == 0, result.output
    held = json.loads(result.output)
    assert held["participant"]["phone"] == PHONE and held["participant"]["audit_ref"] == "T1"
    assert "phone_lookup" not in held["participant"] and "chat_token" not in held["participant"]
    records = held["records"]
    assert HOSTILE in [r["raw_text"] for r in records["response"]]
    assert {c["scope"] for c in records["consent"]} >= {"contact", "taking_part", "quotes"}
    assert any(m["body"] == HOSTILE for m in records["message"] if m["direction"] == "in")
    assert (
        records["concern"][0]["note"] == "worried about her"
        and "social work exemption" in held["notes"]["concern"]
    )
    assert "Someone Else" not in result.output and all(
        r["participant_id"] == pid for r in records["response"]
    )
    assert other != pid


def test_the_page_is_for_coordinators_escapes_what_people_wrote_and_is_logged(
    trt: Runtime, tclient: FlaskClient
) -> None:
    pid = _person(trt)
    with trt.db.reading() as session:
        review_id = session.get_one(Participant, pid).review_id
    add_user(trt, "coord@example.org", "coordinator")
    add_user(trt, "psw@example.org", "psw", (review_id,), lead=True)
    sign_in(tclient, "psw@example.org")
    assert tclient.get(f"/coordinator/participants/{pid}/export").status_code == 403
    client = tclient.application.test_client()
    sign_in(client, "coord@example.org")
    page = client.get(f"/coordinator/participants/{pid}/export")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Everything held about participant" in html
    assert (
        "<script>alert" not in html
        and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Zanzibar" in html
    )
    assert PHONE in html
    as_json = client.get(f"/coordinator/participants/{pid}/export?format=json")
    assert (
        as_json.headers["Content-Disposition"].startswith("attachment")
        and as_json.json["participant"]["id"] == pid
    )
    with trt.db.reading() as session:
        actions = session.scalars(select(AccessLog.action).where(AccessLog.participant_id == pid)).all()
    assert "subject_access" in actions
