"""Accounts: made on the server, argon2 hashes, CSRF, throttled sign-in, sessions that end."""

from __future__ import annotations

import re
import time

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.cli_accounts import peer as peer_commands
from app.cli_accounts import user as user_commands
from app.models import LoginAttempt, PeerAssignment, ReviewMember, User
from app.services.runtime import Runtime
from app.web.security import SEEN_KEY
from tests.staff_support import PASSWORD, add_person, add_user, csrf_token, is_sign_in_redirect, post, sign_in


def _review(rt: Runtime) -> int:
    from app.services.participants import create_review

    with rt.db.writing() as session:
        return create_review(session, "Northshire Council", "Strengths-based practice").id


def test_the_first_coordinator_gets_a_one_time_password_that_must_be_changed(app: Flask, rt: Runtime) -> None:
    client = app.test_client()
    assert "There are no accounts yet" in client.get("/login").get_data(as_text=True)
    with app.app_context():
        result = app.test_cli_runner().invoke(
            user_commands, ["add", "--email", "Lead@Example.org", "--role", "coordinator"]
        )
    assert result.exit_code == 0, result.output
    one_time = re.search(r"One-time password \(.*\): (\S+)", result.output).group(1)
    with rt.db.reading() as session:
        stored = session.scalars(select(User)).one()
        assert stored.email == "lead@example.org" and stored.must_change_password
        assert stored.password_hash.startswith("$argon2id$") and one_time not in stored.password_hash

    signed_in = sign_in(client, "lead@example.org", one_time)
    assert signed_in.headers["Location"].endswith("/account/password")
    assert client.get("/coordinator/").headers["Location"].endswith("/account/password")  # nothing else opens
    refused = post(client, "/account/password", {"current_password": one_time, "new_password": "short",
                                                  "new_password_again": "short"})  # fmt: skip
    assert refused.status_code == 400 and "at least 12 characters" in refused.get_data(as_text=True)
    changed = post(client, "/account/password", {"current_password": one_time, "new_password": PASSWORD,
                                                  "new_password_again": PASSWORD})  # fmt: skip
    assert changed.status_code == 302
    assert client.get("/coordinator/").status_code == 200
    assert "There are no accounts yet" not in app.test_client().get("/login").get_data(as_text=True)


def test_user_add_with_password_stdin_joins_reviews_and_peer_assign(app: Flask, rt: Runtime) -> None:
    review_id = _review(rt)
    person_id, _ = add_person(rt, review_id, "A1", first_name="Sam")
    runner = app.test_cli_runner()
    with app.app_context():
        made = runner.invoke(
            user_commands,
            [
                "add",
                "--email",
                "psw@example.org",
                "--role",
                "psw",
                "--review",
                str(review_id),
                "--lead",
                "--password-stdin",
            ],
            input=PASSWORD + "\n",
        )
        peer = runner.invoke(
            user_commands,
            ["add", "--email", "peer@example.org", "--role", "peer", "--password-stdin"],
            input=PASSWORD + "\n",
        )
        assigned = runner.invoke(
            peer_commands, ["assign", "--peer", "peer@example.org", "--participant", str(person_id)]
        )
        wrong = runner.invoke(
            peer_commands, ["assign", "--peer", "psw@example.org", "--participant", str(person_id)]
        )
        again = runner.invoke(user_commands, ["add", "--email", "PSW@example.org", "--role", "psw"])
    assert made.exit_code == 0 and "One-time" not in made.output
    assert peer.exit_code == 0 and assigned.exit_code == 0, assigned.output
    assert wrong.exit_code != 0 and "no peer account" in wrong.output
    assert again.exit_code != 0 and "already an account" in again.output
    with rt.db.reading() as session:
        members = {(m.user.email, m.review_id, m.is_lead) for m in session.scalars(select(ReviewMember))}
        assert members == {("psw@example.org", review_id, True), ("peer@example.org", review_id, False)}
        assert session.scalars(select(PeerAssignment)).one().participant_id == person_id
    assert sign_in(app.test_client(), "psw@example.org").status_code == 302


def test_every_staff_form_needs_its_csrf_token_but_the_token_links_do_not(app: Flask, rt: Runtime) -> None:
    review_id = _review(rt)
    person_id, token = add_person(rt, review_id, "A1", first_name="Sam")
    add_user(rt, "peer@example.org", "peer")
    client = app.test_client()
    forged = client.post("/login", data={"email": "peer@example.org", "password": PASSWORD})
    assert forged.status_code == 400
    sign_in(client, "peer@example.org")
    assert client.post("/logout").status_code == 400  # a forged sign-out
    assert client.post(f"/peer/participants/{person_id}/start").status_code == 400
    # The participant's own chat link has no session to forge: the link is the key.
    client.get(f"/c/{token}")
    assert client.post(f"/c/{token}", data={"answer": "yes", "nonce": "x1"}).status_code == 303


def test_sign_in_is_throttled_per_email_and_address(app: Flask, rt: Runtime) -> None:
    add_user(rt, "psw@example.org", "psw")
    attacker = app.test_client()
    for _ in range(5):
        wrong = sign_in(attacker, "psw@example.org", "not the password")
        assert wrong.status_code == 401
    # Now even the right password is refused from there, for a while.
    assert sign_in(attacker, "psw@example.org").status_code == 429
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    assert sign_in(elsewhere, "psw@example.org").status_code == 302
    with rt.db.reading() as session:
        keys = [a.key + a.email_key for a in session.scalars(select(LoginAttempt))]
        assert len(keys) == 5 and all("psw@" not in k and "127.0.0.1" not in k for k in keys)


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(client: FlaskClient, rt: Runtime) -> None:
    add_user(rt, "psw@example.org", "psw")
    unknown = sign_in(client, "nobody@example.org", PASSWORD).get_data(as_text=True)
    wrong = sign_in(client, "psw@example.org", "wrong password!").get_data(as_text=True)
    message = "That email and password don&#39;t match an account."
    assert message in unknown and message in wrong


def test_an_idle_session_ends_and_the_cookie_has_a_lifetime(app: Flask, rt: Runtime) -> None:
    add_user(rt, "coord@example.org", "coordinator")
    client = app.test_client()
    signed_in = sign_in(client, "coord@example.org")
    cookie = signed_in.headers["Set-Cookie"]
    assert "Expires=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/coordinator/").status_code == 200
    with client.session_transaction() as session:
        session[SEEN_KEY] = time.time() - 31 * 60  # 31 minutes of nothing
    assert is_sign_in_redirect(client.get("/coordinator/"))
    assert is_sign_in_redirect(client.get("/coordinator/"))  # and it stays signed out


def test_a_new_password_signs_out_every_other_session(app: Flask, rt: Runtime) -> None:
    add_user(rt, "coord@example.org", "coordinator")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "coord@example.org")
    sign_in(phone, "coord@example.org")
    new = "a brand new long passphrase"
    post(
        laptop,
        "/account/password",
        {"current_password": PASSWORD, "new_password": new, "new_password_again": new},
    )
    assert laptop.get("/coordinator/").status_code == 200
    assert is_sign_in_redirect(phone.get("/coordinator/"))


def test_a_route_nobody_guarded_is_closed_to_everyone(app: Flask, rt: Runtime) -> None:
    app.add_url_rule("/forgotten", "forgotten", lambda: "the review's secrets")
    add_user(rt, "coord@example.org", "coordinator")
    client = app.test_client()
    assert client.get("/forgotten").status_code == 403
    sign_in(client, "coord@example.org")
    assert client.get("/forgotten").status_code == 403


def test_sign_in_only_redirects_within_the_site(app: Flask, rt: Runtime) -> None:
    add_user(rt, "coord@example.org", "coordinator")
    client = app.test_client()
    token = csrf_token(client)
    for target, expected in (("//evil.example/x", "/coordinator/"), ("/council/", "/council/")):
        response = client.post(
            "/login",
            data={"email": "coord@example.org", "password": PASSWORD, "csrf_token": token, "next": target},
        )
        assert response.headers["Location"] == expected
        post(client, "/logout")
        token = csrf_token(client)


def test_a_session_lasts_the_configured_hours_at_most(app: Flask, rt: Runtime) -> None:
    from datetime import UTC, datetime
    from email.utils import parsedate_to_datetime

    add_user(rt, "coord@example.org", "coordinator")
    cookie = sign_in(app.test_client(), "coord@example.org").headers["Set-Cookie"]
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    hours = (expires - datetime.now(UTC)).total_seconds() / 3600
    assert 7.9 < hours <= 8.0
