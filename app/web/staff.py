"""The small staff pages the access matrix needs: coordinator, PSW, council and concerns.

Kept deliberately plain and replaceable: issue 7 builds the real PSW
dashboard. What each role may open is decided in app/services/access.py.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from app.models import Concern, Participant, Review, User
from app.services import staff_views
from app.services.access import concern_in_url, participant_in_url, requires, review_in_url
from app.services.audit_trail import recent_access, record_access
from app.services.runtime import runtime

coordinator = Blueprint("coordinator", __name__, url_prefix="/coordinator")
psw = Blueprint("psw", __name__, url_prefix="/psw")
council = Blueprint("council", __name__, url_prefix="/council")
concerns = Blueprint("concerns", __name__, url_prefix="/concerns")


# -- coordinator -------------------------------------------------------------------------


@coordinator.get("/")
@requires("coordinate")
def dashboard() -> str:
    with runtime().db.reading() as session:
        return render_template(
            "staff/coordinator.html",
            reviews=staff_views.all_reviews(session),
            open_concerns=staff_views.open_concerns(session),
            concerns=staff_views.recent_concerns(session),
        )


@coordinator.get("/audit")
@requires("coordinate")
def audit_trail() -> str:
    with runtime().db.reading() as session:
        return render_template("staff/audit.html", lines=recent_access(session))


# -- PSW ---------------------------------------------------------------------------------


@psw.get("/")
@requires("psw_pages")
def home() -> str:
    with runtime().db.reading() as session:
        reviews = staff_views.reviews_of(session, current_user.id)
    return render_template("staff/psw.html", reviews=reviews)


@psw.get("/reviews/<int:review_id>")
@requires("see_review", load=review_in_url)
def psw_review(review_id: int) -> str:
    return _review_page(review_id)


@psw.get("/participants/<int:participant_id>")
@requires("see_answers", load=participant_in_url)
def answers(participant_id: int) -> str:
    rt = runtime()
    with rt.db.writing() as session:
        participant = session.get_one(Participant, participant_id)
        record_access(session, session.get_one(User, current_user.id), "answers", participant, rt.clock())
        lines, quotes = staff_views.answers_of(session, participant_id)
        return render_template("staff/answers.html", participant=participant, answers=lines, quotes=quotes)


def _review_page(review_id: int) -> str:
    with runtime().db.reading() as session:
        found = session.get_one(Review, review_id)
        return render_template(
            "staff/review.html",
            review=found,
            council_name=found.council.name,
            participants=staff_views.participants_of(session, review_id),
        )


# -- council (placeholder until the "you said, we did" pages) ----------------------------


@council.get("/")
@requires("council_pages")
def council_home() -> str:
    with runtime().db.reading() as session:
        if current_user.role == "coordinator":
            reviews = staff_views.all_reviews(session)
        else:
            reviews = staff_views.council_reviews_of(session, current_user.id)
    return render_template("staff/council.html", reviews=reviews)


@council.get("/reviews/<int:review_id>")
@requires("see_council_review", load=review_in_url)
def council_review(review_id: int) -> str:
    with runtime().db.reading() as session:
        found = session.get_one(Review, review_id)
        return render_template("staff/council_review.html", review=found, council_name=found.council.name)


# -- safeguarding concerns ---------------------------------------------------------------


@concerns.get("/<int:concern_id>")
@requires("see_concern", load=concern_in_url)
def concern(concern_id: int) -> str:
    rt = runtime()
    with rt.db.writing() as session:
        found = session.get_one(Concern, concern_id)
        record_access(
            session, session.get_one(User, current_user.id), "concern", found.participant, rt.clock()
        )
        detail = staff_views.concern_detail(session, concern_id)
    return render_template("staff/concern.html", concern=detail)


@concerns.post("/<int:concern_id>/acknowledge")
@requires("see_concern", load=concern_in_url)
def acknowledge(concern_id: int) -> WerkzeugResponse:
    rt = runtime()
    with rt.db.writing() as session:
        found = session.get_one(Concern, concern_id)
        if found.acknowledged_at is None:
            found.acknowledged_at = rt.clock()
            found.acknowledged_by = current_user.email
    flash("Marked as seen and being followed up.")
    return redirect(url_for("concerns.concern", concern_id=concern_id), code=303)
