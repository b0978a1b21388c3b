"""`heard demo`: the whole product on one machine, made once, through the real services."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cli import demo as demo_command
from app.models import Action, Base, Conversation, Review, User
from app.services.demo import DEMO_ACCOUNTS
from app.services.review_report import build_report
from app.services.runtime import Runtime
from tests.staff_support import fast_password_hashing, sign_in  # noqa: F401  (an autouse fixture)

BASE = "http://localhost"  # the app fixture's PUBLIC_BASE_URL
LOGIN = re.compile(r"^  (.+?)\s{2,}(\S+@demo\.heard\.example)\s+(\S+)$", re.MULTILINE)
PAGE = re.compile(rf"^  (.+?)\s{{2,}}({re.escape(BASE)}/\S+)$", re.MULTILINE)


@pytest.fixture
def passwords(rt: Runtime, tmp_path: Path) -> Path:
    """The demo's password file, kept out of the real instance/ folder."""
    path = tmp_path / "instance" / "demo_passwords.txt"
    rt.config["DEMO_PASSWORDS_FILE"] = str(path)
    return path


def run_demo(app: Flask) -> str:
    with app.app_context():
        result = app.test_cli_runner().invoke(demo_command, [])
    assert result.exit_code == 0, result.output
    return result.output


def logins(output: str) -> dict[str, tuple[str, str]]:
    """role -> (email, password), from what `heard demo` printed."""
    found = {email: password for _, email, password in LOGIN.findall(output)}
    return {a.role: (a.email, found[a.email]) for a in DEMO_ACCOUNTS}


def pages(output: str) -> dict[str, str]:
    return {label: url.removeprefix(BASE) for label, url in PAGE.findall(output) if "/c/" not in url}


def row_counts(session: Session) -> dict[str, int]:
    return {
        table.name: session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }


def signed_in(app: Flask, email: str, password: str) -> FlaskClient:
    client = app.test_client()
    response = sign_in(client, email, password)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "/account/password" not in response.headers["Location"]  # no forced change for the demo
    return client


def test_demo_twice_makes_everything_once_and_prints_the_same(
    app: Flask, rt: Runtime, passwords: Path
) -> None:
    first = run_demo(app)
    assert first.startswith("Seeded the demo:")
    with rt.db.reading() as session:
        before = row_counts(session)
        assert session.scalar(select(func.count()).select_from(Review)) == 1
        assert session.scalar(select(func.count()).select_from(User)) == len(DEMO_ACCOUNTS)
        finished = session.scalars(select(Conversation.status)).all()
        assert sorted(finished) == ["completed", "completed"]  # Priya and Gareth; the rest are fresh
        assert session.scalar(select(func.count()).select_from(Action)) == 2
    assert before["audit_assessment"] == 5 and before["action_response"] >= 2
    assert before["concern"] == 0  # the scripted replies disclose nothing
    assert stat.S_IMODE(passwords.stat().st_mode) == 0o600

    second = run_demo(app)
    assert second.startswith("The demo is already there: nothing was changed.")
    with rt.db.reading() as session:
        assert row_counts(session) == before
    assert second.splitlines()[1:] == first.splitlines()[1:]  # the same links and logins


def test_each_demo_login_reaches_its_pages(app: Flask, rt: Runtime, passwords: Path) -> None:
    output = run_demo(app)
    accounts, links = logins(output), pages(output)
    assert f"Staff sign in at {BASE}/login" in output
    homes = {"coordinator": "/coordinator/", "psw": "/psw/", "peer": "/peer/", "council": "/council/"}
    for role, (email, password) in accounts.items():
        client = signed_in(app, email, password)
        assert client.get(homes[role]).status_code == 200, role

    who_opens = {"PSW": "psw", "Each audit ref": "psw", "Peer": "peer", "Council": "council",
                 "Coordinator": "coordinator", "Public": None}  # fmt: skip
    assert len(links) == 7
    for label, path in links.items():
        role = next(r for start, r in who_opens.items() if label.startswith(start))
        client = signed_in(app, *accounts[role]) if role else app.test_client()
        assert client.get(path).status_code == 200, (label, path)

    peer_home = signed_in(app, *accounts["peer"]).get("/peer/").get_data(as_text=True)
    assert "Sam" in peer_home and "Margaret" in peer_home and "Priya" not in peer_home
    public = app.test_client().get(links['Public "what changed" page (no sign-in)']).get_data(as_text=True)
    assert "call back within two working days" in public


def test_the_dashboard_shows_where_the_audit_and_people_disagree(
    app: Flask, rt: Runtime, passwords: Path
) -> None:
    output = run_demo(app)
    with rt.db.reading() as session:
        review_id = session.scalars(select(Review.id)).one()
        report = build_report(session, review_id)
        cells = {(c.audit_ref, c.theme): c for c in report.triangulation.cells}
    # A2's record says calls were returned and help came within a week; Priya says otherwise.
    assert cells[("A2", "access")].disagreements == ["family"]
    assert cells[("A2", "timeliness")].disagreements == ["family"]
    assert cells[("A3", "identity")].disagreements == ["person"]  # and the other way round
    assert report.triangulation.disagreement_count >= 1

    client = signed_in(app, *logins(output)["psw"])
    page = client.get(f"/psw/reviews/{review_id}/dashboard").get_data(as_text=True)
    shown = re.search(r"Disagreements \(0\.5 or more apart\)</dt><dd>(\d+)</dd>", page)
    assert shown and int(shown.group(1)) >= 1


def test_a_lost_password_file_gets_new_passwords_that_work(app: Flask, rt: Runtime, passwords: Path) -> None:
    first = logins(run_demo(app))
    with rt.db.reading() as session:
        before = row_counts(session)
    passwords.unlink()
    output = run_demo(app)
    second = logins(output)
    assert "password(s) reset" in output and second != first
    with rt.db.reading() as session:
        assert row_counts(session) == before
    for email, password in second.values():
        signed_in(app, email, password)


def test_demo_refuses_in_production(app: Flask, rt: Runtime, passwords: Path) -> None:
    rt.config["HEARD_ENV"] = "production"
    with app.app_context():
        result = app.test_cli_runner().invoke(demo_command, [])
    assert result.exit_code != 0
    assert "does not run when HEARD_ENV=production" in result.output
    with rt.db.reading() as session:
        assert all(n == 0 for name, n in row_counts(session).items() if name != "flow_version")
    assert not passwords.exists()
