"""Signing in and out, and choosing a new password.

There is no sign-up page and no "first visitor becomes coordinator": the first
coordinator is made on the server with `heard user add`, which prints a
one-time password that must be changed at first sign-in. Whoever reaches a new
deployment's URL first therefore gets nothing.
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import exists, select
from werkzeug.wrappers import Response as WerkzeugResponse

from app.models import User
from app.services import accounts
from app.services.access import ROLE_HOME, requires
from app.services.runtime import runtime
from app.web.security import SEEN_KEY

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    # Only a path on this site: never an open redirect to somewhere else.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def home_for(user: User) -> str:
    return url_for(ROLE_HOME[user.role])


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | WerkzeugResponse | tuple[str, int]:
    rt = runtime()
    if current_user.is_authenticated and request.method == "GET":
        return redirect(home_for(current_user))
    next_page = _safe_next(request.values.get("next"))
    if request.method == "GET":
        with rt.db.reading() as db_session:
            no_accounts = not db_session.scalar(select(exists(select(User.id))))
        return render_template("auth/login.html", next_page=next_page, no_accounts=no_accounts)

    email = request.form.get("email", "")
    with rt.db.writing() as db_session:
        attempt = accounts.sign_in(
            db_session,
            email,
            request.form.get("password", ""),
            request.remote_addr or "",
            secret=rt.config["SECRET_KEY"],
            now=rt.clock(),
            max_failures=int(rt.config["LOGIN_MAX_FAILURES"]),
            window=timedelta(minutes=float(rt.config["LOGIN_WINDOW_MINUTES"])),
        )
        user = attempt.user
        if user is not None:
            db_session.flush()
            db_session.expunge(user)
    if attempt.throttled:
        minutes = int(float(rt.config["LOGIN_WINDOW_MINUTES"]))
        error = f"Too many attempts to sign in. Please wait {minutes} minutes and try again."
        return render_template("auth/login.html", next_page=next_page, error=error, email=email), 429
    if user is None:
        error = "That email and password don't match an account. Check them and try again."
        return render_template("auth/login.html", next_page=next_page, error=error, email=email), 401
    session.clear()  # a new session id at sign-in: no fixation
    login_user(user)
    session.permanent = True  # PERMANENT_SESSION_LIFETIME caps it
    session[SEEN_KEY] = time.time()
    if user.must_change_password:
        return redirect(url_for("auth.password"))
    return redirect(next_page or home_for(user))


@bp.post("/logout")
@requires("signed_in")
def logout() -> WerkzeugResponse:
    logout_user()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("auth.login"))


@bp.get("/home")
@requires("signed_in")
def home() -> WerkzeugResponse:
    return redirect(home_for(current_user))


@bp.route("/account/password", methods=["GET", "POST"])
@requires("signed_in")
def password() -> str | WerkzeugResponse | tuple[str, int]:
    rt = runtime()
    if request.method == "GET":
        return render_template("auth/password.html")
    new, again = request.form.get("new_password", ""), request.form.get("new_password_again", "")
    with rt.db.writing() as db_session:
        user = db_session.get_one(User, current_user.id)
        error = None
        if not accounts.sign_in_check(user, request.form.get("current_password", "")):
            error = "Your current password is not right."
        elif new != again:
            error = "The two new passwords are not the same."
        else:
            try:
                accounts.set_password(db_session, user, new)
            except accounts.AccountError as problem:
                error = str(problem)
        if error:  # nothing was changed
            return render_template("auth/password.html", error=error), 400
        db_session.flush()
        db_session.expunge(user)
    login_user(user)  # the session version changed: keep this session, others are signed out
    flash("Your password has been changed.")
    return redirect(home_for(user))
