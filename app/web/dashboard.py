"""The PSW dashboard: the audit beside what people said, its charts, exports and the audit upload.

Also the coordinators' regional view. Who may open what is decided in
app/services/access.py (``see_review``, ``import_audit``, ``coordinate``).
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from app.models import Review
from app.services.access import requires, review_in_url
from app.services.audit_import import AuditImportError, expected_columns, import_audit
from app.services.audit_tools import available_tools, load_tool, theme_label
from app.services.exports import export
from app.services.free_text import sentiment_text
from app.services.region import regional_themes
from app.services.review_report import build_report
from app.services.runtime import runtime
from app.services.sentiment import in_words
from app.services.triangulation import GROUP_LABELS, GROUPS, as_float

bp = Blueprint("dashboard", __name__)

MAX_UPLOAD = 2 * 1024 * 1024  # an audit of a few hundred records is a few tens of kilobytes
DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", "answers"),
    "json": ("application/json", "report"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "report-section"),
}
HELPERS = {
    "sentiment_text": sentiment_text,
    "in_words": in_words,
    "as_float": as_float,
    "theme_label": theme_label,
}


@bp.get("/psw/reviews/<int:review_id>/dashboard")
@requires("see_review", load=review_in_url)
def review(review_id: int) -> str:
    with runtime().db.reading() as session:
        report = build_report(session, review_id)
    return render_template("staff/dashboard.html", report=report, **HELPERS)


@bp.get("/psw/reviews/<int:review_id>/audit-refs")
@requires("see_review", load=review_in_url)
def audit_refs(review_id: int) -> str:
    with runtime().db.reading() as session:
        report = build_report(session, review_id)
    return render_template(
        "staff/audit_refs.html", report=report, groups=GROUPS, group_labels=GROUP_LABELS, **HELPERS
    )


@bp.get("/psw/reviews/<int:review_id>/charts/<any(overall, questions, themes):chart>.svg")
@requires("see_review", load=review_in_url)
def chart(review_id: int, chart: str) -> Response:
    with runtime().db.reading() as session:
        drawn = build_report(session, review_id).charts[chart].render("svg")
    response = Response(drawn, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-store"  # the review's numbers, behind a sign-in
    return response


@bp.get("/psw/reviews/<int:review_id>/export.<any(csv, json, docx):fmt>")
@requires("see_review", load=review_in_url)
def download(review_id: int, fmt: str) -> Response:
    with runtime().db.reading() as session:
        data = export(session, review_id, fmt)
    mimetype, stem = DOWNLOADS[fmt]
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="review-{review_id}-{stem}.{fmt}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/psw/reviews/<int:review_id>/audit/import", methods=["GET", "POST"])
@requires("import_audit", load=review_in_url)
def upload(review_id: int) -> str | WerkzeugResponse:
    rt = runtime()
    with rt.db.reading() as session:
        found = session.get_one(Review, review_id)
        current_tool = found.audit_tool
        title = f"Review {found.id}: {found.theme}"
    page = {"review_id": review_id, "title": title, "tools": [load_tool(t) for t in available_tools()]}
    page["columns"] = {t.id: ",".join(expected_columns(t)) for t in page["tools"]}
    if request.method == "GET":
        return render_template("staff/audit_import.html", tool=current_tool, **page)

    tool = request.form.get("tool") or current_tool
    upload = request.files.get("file")
    problems: list[str] = []
    text = ""
    if upload is None or not upload.filename:
        problems.append("Choose the CSV file of the audit to import.")
    else:
        raw = upload.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            problems.append("The file is larger than 2 MB: is it the audit's CSV?")
        else:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                problems.append("The file is not UTF-8 text. In Excel, save it as 'CSV UTF-8'.")
    if not problems:
        try:
            with rt.db.writing() as session:
                # A file with problems writes nothing: import_audit checks it all before storing any.
                result = import_audit(session, review_id, text, tool, current_user.email, rt.clock())
        except AuditImportError as error:
            problems.append(str(error))
        else:
            if result.ok:
                replaced = f" ({result.replaced} replaced earlier ratings)" if result.replaced else ""
                flash(f"Imported {result.records} records{replaced}.")
                return redirect(url_for("dashboard.review", review_id=review_id), code=303)
            problems.extend(str(problem) for problem in result.problems)
    # 200, as a form shown again with its problems (the GOV.UK pattern): the page title starts "Error:".
    return render_template("staff/audit_import.html", tool=tool, problems=problems, **page)


@bp.get("/coordinator/region")
@requires("coordinate")
def region() -> str:
    with runtime().db.reading() as session:
        view = regional_themes(session)
    return render_template("staff/region.html", region=view, **HELPERS)
