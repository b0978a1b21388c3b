"""Web hardening: security headers, cookie flags, rate limits, constant-time secret comparisons."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.config import ROOT
from app.models import Message, Participant
from app.services.runtime import Runtime
from tests.staff_support import add_user, csrf_token
from tests.trust.trust_support import add_person, inbound_count, post_sms, post_telegram, telegram_text

PAGES = ["/", "/login", "/healthz"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(tclient: FlaskClient, path: str) -> None:
    response = tclient.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Strict-Transport-Security" not in response.headers  # plain http: HSTS would be ignored


def test_chat_pages_are_not_cached_and_hsts_is_sent_behind_https(trt: Runtime, tclient: FlaskClient) -> None:
    pid = add_person(trt)
    with trt.db.reading() as session:
        token = session.get_one(Participant, pid).chat_token
    assert tclient.get(f"/c/{token}").headers["Cache-Control"] == "no-store"
    secure = tclient.get("/", base_url="https://heard.example.org")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


# Rendered to PDF by WeasyPrint (app/services/feedback/letter.py), never served to a browser.
NOT_SERVED = {"feedback/letter.html"}


def test_templates_have_no_inline_script_or_style(tclient: FlaskClient) -> None:
    """The CSP forbids inline code, so none may creep into a page's template."""
    web_code = "".join(p.read_text() for p in (ROOT / "app" / "web").glob("*.py"))
    for name in NOT_SERVED:
        assert name not in web_code, f"{name} is served now: it must follow the CSP"
    root = ROOT / "app" / "templates"
    for template in root.rglob("*.html"):
        if template.relative_to(root).as_posix() in NOT_SERVED:
            continue
        text = template.read_text(encoding="utf-8")
        assert " style=" not in text and "<style" not in text, template
        assert not re.search(r"\son[a-z]+\s*=", text), f"inline event handler in {template}"
        for chunk in text.split("<script")[1:]:
            assert chunk.split(">", 1)[0].strip().startswith("src="), f"inline script in {template}"


def test_session_cookie_is_secure_httponly_and_samesite_when_served_over_https(
    database_url: str, data_key: str
) -> None:
    from app import create_app

    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "s",
            "HEARD_DATA_KEY": data_key,
            "PUBLIC_BASE_URL": "https://h.example",
        }
    )
    try:
        client = app.test_client()
        response = client.get("/login", base_url="https://h.example")
        set_cookie = " ".join(response.headers.getlist("Set-Cookie"))
        assert "Secure" in set_cookie and "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie, (
            set_cookie
        )
    finally:
        app.extensions["heard_runtime"].db.dispose()


def test_the_local_http_session_cookie_is_not_marked_secure(tclient: FlaskClient) -> None:
    set_cookie = " ".join(tclient.get("/login").headers.getlist("Set-Cookie"))
    assert "HttpOnly" in set_cookie and "Secure" not in set_cookie


def test_login_is_rate_limited(trt: Runtime, tclient: FlaskClient) -> None:
    add_user(trt, "coord@example.org", "coordinator")
    codes = []
    for _ in range(int(trt.config["LOGIN_MAX_FAILURES"]) + 1):
        token = csrf_token(tclient, "/login")
        codes.append(
            tclient.post(
                "/login", data={"email": "coord@example.org", "password": "wrong", "csrf_token": token}
            ).status_code
        )
    assert codes[0] == 401 and codes[-1] == 429


def test_a_flooding_sender_is_stored_but_not_answered(trt: Runtime, tclient: FlaskClient) -> None:
    """Per-sender token bucket: nothing said is lost, but a loop gets no replies to feed on."""
    trt.config.update(WEBHOOK_BURST=3, WEBHOOK_RATE_PER_MINUTE=6)
    add_person(trt, channel="sms", phone="+447700900222")
    bodies = [
        post_sms(tclient, "+447700900222", f"reply {i}", f"SM-{i}").get_data(as_text=True) for i in range(5)
    ]
    assert all("<Message>" in body for body in bodies[:3]) and all("<Message>" not in b for b in bodies[3:])
    assert inbound_count(trt) == 5  # none lost
    with trt.db.reading() as session:
        statuses = session.scalars(
            select(Message.status).where(Message.direction == "in").order_by(Message.id)
        ).all()
    assert statuses[3:] == ["throttled", "throttled"]
    # Another sender is unaffected; ten seconds on (a token at six a minute) this one is answered again.
    assert "<Message>" in post_sms(tclient, "+447700900223", "hello", "SM-other").get_data(as_text=True)
    now = trt.clock()
    from datetime import timedelta

    trt.clock = lambda: now + timedelta(seconds=10)
    assert "<Message>" in post_sms(tclient, "+447700900222", "4", "SM-later").get_data(as_text=True)


def test_telegram_and_web_chat_are_rate_limited_too(trt: Runtime, tclient: FlaskClient) -> None:
    trt.config.update(WEBHOOK_BURST=2)
    pid = add_person(trt, channel="telegram", telegram_chat_id="4242")
    for update_id in range(4):
        assert post_telegram(tclient, telegram_text(update_id + 1, 4242, "hi")).status_code == 200
    with trt.db.reading() as session:
        token = session.get_one(Participant, pid).chat_token
    codes = [
        tclient.post(f"/c/{token}", data={"answer": "hi", "nonce": f"n{i}"}).status_code for i in range(3)
    ]
    assert codes == [303, 303, 429]
    with trt.db.reading() as session:
        statuses = session.scalars(select(Message.status).where(Message.direction == "in")).all()
    assert len(statuses) == 7 and statuses.count("throttled") == 3


SECRET_WORDS = ("secret", "signature", "password", "digest", "token_hash", "api_key")


def _secretish(node: ast.AST) -> bool:
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return any(word in name.lower() for word in SECRET_WORDS)


def test_secrets_are_only_compared_in_constant_time() -> None:
    """No ``==``/``!=`` on a secret-looking name in app/: hmac.compare_digest instead (SQL filters aside)."""
    offenders = []
    for path in (ROOT / "app").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
                operands = [node.left, *node.comparators]
                # A column compared in a SQL filter (Model.token_hash == x) is a database look-up by index.
                if any(
                    isinstance(o, ast.Attribute)
                    and o.value.__class__ is ast.Name
                    and o.value.id[:1].isupper()
                    for o in operands
                ):  # type: ignore[attr-defined]
                    continue
                if any(_secretish(o) for o in operands):
                    offenders.append(f"{Path(path).relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_the_constant_time_check_would_catch_a_plain_comparison(tmp_path: Path) -> None:
    tree = ast.parse("def ok(given, secret):\n    return given == secret\n")
    compare = next(n for n in ast.walk(tree) if isinstance(n, ast.Compare))
    assert any(_secretish(o) for o in [compare.left, *compare.comparators])


def test_the_app_module_is_importable(trust_app: Flask) -> None:
    assert "trust" in trust_app.blueprints
