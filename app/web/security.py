"""Sign-in sessions, CSRF, the deny-by-default gate and security headers, set up once for the whole app.

Who may do what is decided in app/services/access.py; this module only wires
it into Flask.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from flask import Flask, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, logout_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response as WerkzeugResponse

from app.config import is_production
from app.services import accounts
from app.services.access import is_guarded, is_public
from app.services.runtime import runtime

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see that page."
login_manager.session_protection = "strong"  # a session moved to another browser is dropped
csrf = CSRFProtect()

# Forms that carry no signed-in session, so a forged cross-site post has nothing to ride on:
# providers' webhooks (their signature or secret is checked instead), a participant's
# web chat (the unguessable link in the URL is the credential, not a cookie) and the
# demo phone. Everything else that posts needs the form's CSRF token.
CSRF_EXEMPT_PREFIXES = ("/webhooks/", "/c/", "/sandbox/", "/f/")  # /f/: a feedback page, as /c/

SEEN_KEY = "heard_seen"  # when this signed-in session last did anything (epoch seconds)


@login_manager.user_loader
def _load_user(session_id: str) -> Any:
    with runtime().db.reading() as db_session:
        user = accounts.load_user(db_session, session_id)
        if user is not None:
            db_session.expunge(user)
        return user


def init_security(app: Flask) -> None:
    """Call after every blueprint is registered (the CSRF exemptions follow the routes)."""
    # Set outright: Flask's own defaults (a 31-day cookie, no SameSite) would win a setdefault.
    app.config.update(
        PERMANENT_SESSION_LIFETIME=timedelta(hours=float(app.config["SESSION_HOURS"])),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=served_over_https(app.config),
        REMEMBER_COOKIE_DURATION=timedelta(0),  # no "remember me": sessions end
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the (already limited) session
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(CSRF_EXEMPT_PREFIXES):
            csrf.exempt(app.view_functions[rule.endpoint])
    app.before_request(_gate)
    app.before_request(_expire_idle_session)
    app.before_request(_must_change_password)
    app.register_error_handler(403, _forbidden)
    app.after_request(_security_headers)
    app.context_processor(_template_helpers)


def served_over_https(config: Any) -> bool:
    """Cookies are Secure when the public address is https (and always in production)."""
    return is_production(config) or str(config.get("PUBLIC_BASE_URL", "")).startswith("https://")


# Every page's own files only: no inline script or style (templates have none), no framing.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=31536000; includeSubDomains"


def _security_headers(response: WerkzeugResponse) -> WerkzeugResponse:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for browsers that predate it
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")  # chat links carry their token in the path
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure or str(current_app.config.get("PUBLIC_BASE_URL", "")).startswith("https://"):
        # Only over https: sent over plain http it would be ignored, and locally it would pin localhost.
        headers.setdefault("Strict-Transport-Security", HSTS)
    if request.path.startswith(("/c/", "/f/", "/peer/", "/psw/", "/coordinator/", "/council/", "/concerns/")):
        headers.setdefault("Cache-Control", "no-store")  # people's words stay out of shared caches
    return response


def _gate() -> WerkzeugResponse | None:
    """Deny by default: a route must be public by design or say who may use it."""
    if request.url_rule is None:
        return None  # 404 / 405: nothing to protect
    view = current_app.view_functions.get(request.endpoint or "")
    if is_public(request.url_rule.rule) or is_guarded(view):
        return None
    abort(403)


def _expire_idle_session() -> WerkzeugResponse | None:
    if not current_user.is_authenticated:
        return None
    now = time.time()
    idle = float(runtime().config["SESSION_IDLE_MINUTES"]) * 60
    seen = session.get(SEEN_KEY)
    if seen is not None and now - float(seen) > idle:
        logout_user()
        session.clear()
        flash("You were signed out because the page was left for a while. Please sign in again.")
        return redirect(url_for("auth.login", next=request.path if request.method == "GET" else None))
    session[SEEN_KEY] = now
    return None


def _template_helpers() -> dict[str, Any]:
    from app.services.access import ROLE_HOME, can

    return {"can": can, "role_home": ROLE_HOME, "current_user": current_user}


def _must_change_password() -> WerkzeugResponse | None:
    """A generated first password opens one page only: the one to replace it."""
    if not current_user.is_authenticated or not current_user.must_change_password:
        return None
    if request.endpoint in ("auth.password", "auth.logout", "static") or request.url_rule is None:
        return None
    if is_public(request.url_rule.rule):
        return None
    return redirect(url_for("auth.password"))


def _forbidden(_error: Exception) -> tuple[str, int]:
    return render_template("staff/forbidden.html"), 403
