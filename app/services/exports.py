"""Exports for the review's report: the answers as CSV or JSON, and a DOCX section.

What leaves Heard is known by audit ref and role only: no names, no contact
details, no peer or reviewer. A person's own words leave only if they agreed
to be quoted (see app/services/quotable.py); otherwise the ``words`` column
is left empty and only the meaning of the answer (4, yes, a few weeks) goes.
In the DOCX a quote is attributed by role alone, never by audit ref: the
council holds the key from audit ref to record, and so to the person.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Inches
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Participant, Response
from app.services.audit_charts import Chart
from app.services.audit_tools import theme_label
from app.services.free_text import sentiment_text
from app.services.quotable import quotes_decisions
from app.services.review_report import ReviewReport, build_report
from app.services.sentiment import in_words
from app.services.triangulation import GROUP_LABELS, as_float, ref_order

FORMATS = ("csv", "docx", "json")
CSV_COLUMNS = ("audit_ref", "role", "theme", "question", "value", "words", "sentiment")
SECTION_TITLE = "Conversations with people and their families"
ROLE_WORDS = {
    "person": "a person who draws on care",
    "relative": "a relative",
    "carer": "a carer",
    "advocate": "an advocate",
}


def response_rows(session: Session, review_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Response, Participant)
        .join(Participant, Participant.id == Response.participant_id)
        .where(Response.review_id == review_id, Participant.withdrawn_at.is_(None))
        .order_by(Response.id)
    ).all()
    may_quote = quotes_decisions(session, {person.id for _response, person in rows})
    lines = []
    for response, person in rows:
        words_ok = may_quote.get(person.id) is True
        is_words = response.answer_type == "free_text"
        lines.append(
            {
                "audit_ref": person.audit_ref,
                "role": person.role,
                "theme": response.theme or "",
                "question": response.node,
                "value": "skipped" if response.skipped else ("" if is_words else (response.value or "")),
                "words": (response.raw_text or "") if words_ok and not response.skipped else "",
                "sentiment": "" if response.sentiment is None else response.sentiment,
            }
        )
    return sorted(lines, key=lambda line: ref_order(line["audit_ref"]))  # stable: answer order kept


def export_csv(session: Session, review_id: int) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(response_rows(session, review_id))
    return buffer.getvalue()


def _theme_dict(row: Any) -> dict[str, Any]:
    return {
        "theme": row.theme,
        "label": row.label,
        "audit_mean": row.audit_mean,
        "lived_mean": row.lived_mean,
        "voices": row.voices,
        "disagreements": row.disagreements,
        "sentiment": row.sentiment,
        "sentiment_words": in_words(row.sentiment) if row.sentiment is not None else None,
        "common_phrases": [{"phrase": p, "people": n} for p, n in row.phrases],
        "quotes": [{"text": q.text, "role": q.role} for q in row.quotes],
    }


def export_json(session: Session, review_id: int) -> dict[str, Any]:
    report = build_report(session, review_id)
    result = report.triangulation
    return {
        "review": {"id": review_id, "council": report.council, "theme": report.theme, "tool": report.tool.id},
        "numbers": report.numbers.__dict__,
        "summary": report.summary,
        "themes": [_theme_dict(row) for row in result.themes],
        "disagreements": [
            {
                "audit_ref": cell.audit_ref,
                "theme": cell.theme,
                "voice": group,
                "audit": as_float(cell.audit_score),
                "lived": as_float(cell.accounts[group].score),
            }
            for cell in result.cells
            for group in cell.disagreements
        ],
        "responses": response_rows(session, review_id),
    }


# -- DOCX -------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _table(document: Any, headers: tuple[str, ...], rows: list[tuple[Any, ...]]) -> Any:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = header
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "–" if value is None else str(value)
    return table


def _chart(document: Any, chart: Chart, number: int) -> None:
    """The chart as a picture with its alt text, a caption, and its data as a table."""
    if chart.figure is None:
        return
    document.add_picture(io.BytesIO(chart.render("png")), width=Inches(6))
    picture = document.inline_shapes[-1]
    # Word reads the alt text from the drawing's docPr: a screen reader says it aloud.
    picture._inline.docPr.set("descr", chart.alt)
    picture._inline.docPr.set("title", chart.title)
    caption = document.add_paragraph(f"Figure {number}: {chart.title}. {chart.alt}")
    caption.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _table(document, chart.headers, list(chart.rows))


def _numbers_paragraph(report: ReviewReport) -> str:
    n = report.numbers
    return (
        f"{n.participants} people were invited to talk with us: {n.people} who draw on care and "
        f"{n.family} relatives, carers or advocates. {n.answered} answered at least one question and "
        f"{n.completed} finished the conversation, speaking to {n.records_with_a_voice} of the "
        f"{report.summary['records']} records the review audited."
    )


def _audit_paragraph(report: ReviewReport) -> str:
    summary = report.summary
    ratings = summary["ratings"]
    parts = ", ".join(f"{label} {n} ({ratings['percent'][label]}%)" for label, n in ratings["counts"].items())
    records = summary["records"]
    text = f"The {report.tool.name} gave {ratings['total']} ratings across {records} records: {parts}."
    if summary.get("overall"):
        overall = summary["overall"]
        judged = ", ".join(
            f"{label} {n} ({overall['percent'][label]}%)" for label, n in overall["counts"].items()
        )
        text += f" Overall judgements: {judged}."
    return text


def export_docx(session: Session, review_id: int) -> bytes:
    report = build_report(session, review_id)
    result = report.triangulation
    document = Document()
    document.core_properties.title = f"{SECTION_TITLE}: {report.council}"
    document.core_properties.author = "Heard"
    document.add_heading(SECTION_TITLE, level=1)
    document.add_paragraph(_numbers_paragraph(report))

    document.add_heading("What the audit of records found", level=2)
    document.add_paragraph(_audit_paragraph(report))
    figure = 0
    for name in ("overall", "questions"):
        if report.charts[name].figure is not None:
            figure += 1
            _chart(document, report.charts[name], figure)

    document.add_heading("The record and the experience, by theme", level=2)
    document.add_paragraph(
        "Both are on one scale from 0 (worst) to 1 (best). A disagreement is an audit ref where the record's "
        "rating and what the person (or, separately, their family) said differ by 0.5 or more."
    )
    _table(
        document,
        ("Theme", "Audit mean", "Lived-experience mean", "Voices", "Disagreements", "Their words"),
        [
            (
                row.label,
                _fmt(row.audit_mean),
                _fmt(row.lived_mean),
                row.voices,
                row.disagreements,
                sentiment_text(row.sentiment) if row.sentiment is not None else "–",
            )
            for row in result.themes
        ],
    )
    if report.charts["themes"].figure is not None:
        figure += 1
        _chart(document, report.charts["themes"], figure)

    document.add_heading("Where the record and the experience differ", level=2)
    differing = [(cell, group) for cell in result.cells for group in cell.disagreements]
    if not differing:
        document.add_paragraph("No audit ref differs by 0.5 or more between the record and what was said.")
    for cell, group in differing:
        document.add_paragraph(
            f"{cell.audit_ref}, {theme_label(cell.theme).lower()}: the audit is "
            f"{_fmt(as_float(cell.audit_score))}; {GROUP_LABELS[group].lower()} "
            f"{_fmt(as_float(cell.accounts[group].score))}.",
            style="List Bullet",
        )

    document.add_heading("In their own words", level=2)
    document.add_paragraph("Only the words of people who agreed to be quoted. We never use anyone's name.")
    quoted = [(row, quote) for row in result.themes for quote in row.quotes]
    if not quoted:
        document.add_paragraph("Nobody has yet agreed to be quoted.")
    for row, quote in quoted:
        who = ROLE_WORDS.get(quote.role, "a family member")
        document.add_paragraph(f"“{quote.text}” ({who}, on {row.label.lower()})", style="Quote")

    phrases = [(row, row.phrases) for row in result.themes if row.phrases]
    if phrases:
        document.add_heading("What people often mentioned", level=2)
        for row, found in phrases:
            listed = ", ".join(f"{phrase} ({n} people)" for phrase, n in found)
            document.add_paragraph(f"{row.label}: {listed}.", style="List Bullet")

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def export(session: Session, review_id: int, fmt: str) -> bytes:
    if fmt == "csv":
        return export_csv(session, review_id).encode("utf-8")
    if fmt == "json":
        return (json.dumps(export_json(session, review_id), indent=2, default=str) + "\n").encode("utf-8")
    if fmt == "docx":
        return export_docx(session, review_id)
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
