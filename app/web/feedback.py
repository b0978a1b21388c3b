""" "You said, we did" pages: the council's actions and feedback, each person's page, the public page.

Council staff (and coordinators) use /council/reviews/<id>/...: record
actions, draft, preview every rendering, edit, approve, send and watch the
batch. Who may is decided in app/services/access.py (``feedback``). A
person's own page /f/<token> is public by its unguessable link, as the web
chat is; /what-changed/<id> shows no personal data.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as WerkzeugResponse

from app.engine.segments import count_segments
from app.models import ACTION_STATUSES, Action, FeedbackMessage, Participant, Review
from app.services.access import requires, review_in_url
from app.services.feedback import actions as action_service
from app.services.feedback.drafting import SENT_STATES, draft_review, edit_draft, feedback_link
from app.services.feedback.letter import LetterContent, letter_pdf
from app.services.feedback.public import what_changed as what_changed_data
from app.services.feedback.replies import record_reply
from app.services.feedback.sending import approve, progress, resolve, send_lines
from app.services.feedback.wording import page_text
from app.services.feedback.worker import start_delivery
from app.services.runtime import runtime
from app.services.turns import current_conversation

council_feedback = Blueprint("council_feedback", __name__, url_prefix="/council/reviews/<int:review_id>")
public = Blueprint("feedback_page", __name__)

HOW = {
    "in-process": "Sending finished.",
    "worker": "Sending has started in the background. This page shows how it is going.",
    "waiting": "The messages are queued. They go when the worker is running.",
}


# -- a person's own page ----------------------------------------------------------------------


def _sent_message(session: Session, token: str) -> FeedbackMessage:
    row = session.scalar(select(FeedbackMessage).where(FeedbackMessage.token == token))
    if row is None or row.status not in SENT_STATES or row.participant.withdrawn_at is not None:
        abort(404)  # never sent (or they withdrew): as if there were no page
    return row


def _page(
    row: FeedbackMessage, *, preview: bool, replied: bool = False, action_url: str | None = None
) -> str:
    return render_template(
        "feedback/page.html",
        row=row,
        t=page_text(row.language, row.variant),
        council=row.review.council.name,
        preview=preview,
        replied=replied,
        reply_url=action_url,
        letter_url=None if preview else url_for("feedback_page.letter", token=row.token),
    )


@public.get("/f/<token>")
def page(token: str) -> str:
    with runtime().db.reading() as session:
        row = _sent_message(session, token)
        return _page(
            row,
            preview=False,
            replied=request.args.get("replied") == "1",
            action_url=url_for("feedback_page.reply", token=token),
        )


@public.post("/f/<token>/reply")
def reply(token: str) -> WerkzeugResponse:
    rt = runtime()
    helpful = {"yes": True, "no": False}.get(request.form.get("helpful", ""))
    words = (request.form.get("words") or "").strip()
    with rt.db.writing() as session:
        row = _sent_message(session, token)
        if helpful is not None or words:
            conversation = current_conversation(session, row.participant_id)
            record_reply(session, rt, row, "web", helpful, words, None, conversation)
    return redirect(url_for("feedback_page.page", token=token, replied=1, _anchor="thanks"), code=303)


def _letter_response(row: FeedbackMessage) -> WerkzeugResponse:
    rt = runtime()
    content = LetterContent(
        row.review.council.name, row.language, row.variant, list(row.blocks), rt.clock().date()
    )
    response = make_response(letter_pdf(content, rt.config["CONTENT_DIR"]))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="what-changed-{row.id}.pdf"'
    return response


@public.get("/f/<token>/letter.pdf")
def letter(token: str) -> WerkzeugResponse:
    with runtime().db.reading() as session:
        return _letter_response(_sent_message(session, token))


@public.get("/what-changed/<int:review_id>")
def what_changed(review_id: int) -> str:
    with runtime().db.reading() as session:
        data = what_changed_data(session, review_id)
        if data is None:
            abort(404)
        return render_template("feedback/what_changed.html", data=data)


# -- the council's pages ------------------------------------------------------------------------


def _review(session: Session, review_id: int) -> Review:
    return session.get_one(Review, review_id)


def _message(session: Session, review_id: int, message_id: int) -> FeedbackMessage:
    row = session.get(FeedbackMessage, message_id)
    if row is None or row.review_id != review_id:
        abort(404)
    return row


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _wording_from(form: Any) -> dict[str, dict[str, Any]]:
    """Easy-read and Welsh wordings of the two texts, in the flows' wording shape."""
    wording: dict[str, dict[str, Any]] = {}
    for key in ("you_said", "we_did"):
        block: dict[str, Any] = {}
        if (form.get(f"{key}_easy_read") or "").strip():
            block["easy_read"] = form[f"{key}_easy_read"].strip()
        welsh = {
            variant: form[f"{key}_cy_{variant}"].strip()
            for variant in ("standard", "easy_read")
            if (form.get(f"{key}_cy_{variant}") or "").strip()
        }
        if welsh:
            block["cy"] = welsh
        if block:
            wording[key] = block
    return wording


@council_feedback.get("/actions")
@requires("feedback", load=review_in_url)
def actions(review_id: int) -> str:
    with runtime().db.reading() as session:
        review = _review(session, review_id)
        own = action_service.review_actions(session, review_id)
        previous = action_service.previous_review_actions(session, review)
        return render_template(
            "staff/feedback_actions.html",
            review=review,
            actions=own,
            previous=previous,
            replies=action_service.replies_by_action(session, review_id),
            linked=action_service.linked_response_ids(session, [a.id for a in own]),
            statuses=ACTION_STATUSES,
            labels=action_service.STATUS_LABELS,
        )


@council_feedback.post("/actions")
@requires("feedback", load=review_in_url)
def add_action(review_id: int) -> WerkzeugResponse:
    rt = runtime()
    form = request.form
    try:
        responses = [int(v) for v in (form.get("responses") or "").replace(",", " ").split()]
        new = action_service.NewAction(
            review_id=review_id,
            you_said=form.get("you_said") or "",
            we_did=form.get("we_did"),
            status=form.get("status") or "planned",
            themes=(form.get("themes") or "").replace(",", " ").split(),
            audit_refs=(form.get("audit_refs") or "").replace(",", " ").split(),
            response_ids=responses,
            owner=form.get("owner"),
            action_on=_parse_date(form.get("action_on")),
            headline=form.get("headline") == "yes",
            wording=_wording_from(form),
            created_by=current_user.email,
        )
        with rt.db.writing() as session:
            action_service.add_action(session, new, rt.clock())
        flash("Action recorded.")
    except (action_service.ActionError, ValueError) as error:
        flash(f"Not recorded: {error}", "error")
    return redirect(url_for("council_feedback.actions", review_id=review_id), code=303)


@council_feedback.post("/actions/<int:action_id>")
@requires("feedback", load=review_in_url)
def update_action(review_id: int, action_id: int) -> WerkzeugResponse:
    rt = runtime()
    form = request.form
    try:
        with rt.db.writing() as session:
            review = _review(session, review_id)
            action = session.get(Action, action_id)
            # This review's actions, and (carried over) the same council's earlier ones.
            if (
                action is None
                or action.review.council_id != review.council_id
                or action.review_id > review_id
            ):
                abort(404)
            wording = _wording_from(form)
            action_service.update_action(
                session,
                action,
                rt.clock(),
                status=form.get("status") or None,
                we_did=form.get("we_did"),
                owner=form.get("owner"),
                action_on=_parse_date(form.get("action_on")),
                wording=wording or None,
            )
        flash("Action updated.")
    except action_service.ActionError as error:
        flash(f"Not updated: {error}", "error")
    return redirect(url_for("council_feedback.actions", review_id=review_id), code=303)


@council_feedback.get("/feedback")
@requires("feedback", load=review_in_url)
def feedback(review_id: int) -> str:
    rt = runtime()
    with rt.db.reading() as session:
        review = _review(session, review_id)
        lines = send_lines(session, review_id)
        rows = {
            row.id: row
            for row in session.scalars(
                select(FeedbackMessage).where(
                    FeedbackMessage.id.in_([line.feedback_message_id for line in lines])
                )
            )
        }
        names = {
            pid: name
            for pid, name in session.execute(
                select(Participant.id, Participant.first_name).where(Participant.review_id == review_id)
            )
        }
        return render_template(
            "staff/feedback.html",
            review=review,
            lines=lines,
            rows=rows,
            names=names,
            progress=progress(session, review_id),
            segments={
                i: count_segments(r.body).segments for i, r in rows.items() if r.channel == "sms" and r.body
            },
        )


@council_feedback.post("/feedback/draft")
@requires("feedback", load=review_in_url)
def draft(review_id: int) -> WerkzeugResponse:
    lines = draft_review(runtime(), review_id, new_round=request.form.get("new_round") == "yes")
    drafted = sum(1 for line in lines if line.status == "drafted")
    flash(f"{drafted} drafts made. Check each one, then approve.")
    return redirect(url_for("council_feedback.feedback", review_id=review_id), code=303)


@council_feedback.post("/feedback/approve")
@requires("feedback", load=review_in_url)
def approve_all(review_id: int) -> WerkzeugResponse:
    approved, refused = approve(runtime(), review_id, current_user.email)
    flash(f"{approved} approved." + (f" {len(refused)} need changes first." if refused else ""))
    return redirect(url_for("council_feedback.feedback", review_id=review_id), code=303)


@council_feedback.post("/feedback/send")
@requires("feedback", load=review_in_url)
def send_all(review_id: int) -> WerkzeugResponse:
    how = start_delivery(runtime(), review_id)
    flash(HOW[how])
    return redirect(url_for("council_feedback.feedback", review_id=review_id, _anchor="progress"), code=303)


@council_feedback.get("/feedback/<int:message_id>")
@requires("feedback", load=review_in_url)
def message(review_id: int, message_id: int) -> str:
    rt = runtime()
    with rt.db.reading() as session:
        row = _message(session, review_id, message_id)
        count = count_segments(row.body) if row.channel == "sms" and row.body else None
        return render_template(
            "staff/feedback_message.html",
            review=row.review,
            row=row,
            participant=row.participant,
            segments=count,
            link=feedback_link(rt, row.token),
        )


@council_feedback.post("/feedback/<int:message_id>")
@requires("feedback", load=review_in_url)
def save_message(review_id: int, message_id: int) -> WerkzeugResponse:
    rt = runtime()
    with rt.db.reading() as session:
        row = _message(session, review_id, message_id)
        count = len(row.blocks or [])
    texts = [request.form.get(f"block_{i}", "") for i in range(count)]
    if not any(t.strip() for t in texts) and request.form.get("body") is None:
        abort(400)
    try:
        edit_draft(rt, message_id, request.form.get("body"), texts, current_user.email)
        flash("Saved. It needs approving again.")
    except ValueError as error:
        flash(str(error), "error")
    return redirect(url_for("council_feedback.message", review_id=review_id, message_id=message_id), code=303)


@council_feedback.get("/feedback/<int:message_id>/page")
@requires("feedback", load=review_in_url)
def preview_page(review_id: int, message_id: int) -> str:
    with runtime().db.reading() as session:
        return _page(_message(session, review_id, message_id), preview=True)


@council_feedback.get("/feedback/<int:message_id>/letter.pdf")
@requires("feedback", load=review_in_url)
def preview_letter(review_id: int, message_id: int) -> WerkzeugResponse:
    with runtime().db.reading() as session:
        return _letter_response(_message(session, review_id, message_id))


@council_feedback.post("/feedback/<int:message_id>/resolve")
@requires("feedback", load=review_in_url)
def resolve_message(review_id: int, message_id: int) -> WerkzeugResponse:
    with runtime().db.reading() as session:
        _message(session, review_id, message_id)
    decision = request.form.get("decision", "")
    if decision not in ("sent", "resend", "posted"):
        abort(400)
    try:
        resolve(runtime(), message_id, decision)
    except ValueError as error:
        flash(str(error), "error")
    else:
        if decision == "resend":
            start_delivery(runtime(), review_id)
    return redirect(url_for("council_feedback.feedback", review_id=review_id, _anchor="progress"), code=303)
