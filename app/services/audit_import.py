"""Import the PSWs' case-records audit from a CSV: all of it, or none of it.

Layout: ``audit_ref,category,reviewer,q1,...,qN,overall,comment`` (the WLGA
pro forma: ``c1..cN`` and no overall). Every problem is reported with the
spreadsheet row it is on (the header is row 1), and nothing is stored until
the file has none: a half-imported audit would give a summary that looks
right and isn't.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditAssessment, AuditRating, AuditRecord, Review
from app.services.audit_tools import NOT_APPLICABLE, AuditTool, ToolError, load_tool
from app.services.participants import get_or_create_audit_record
from app.services.privacy import looks_like_case_record_number, looks_like_record_number_value

OPTIONAL_COLUMNS = ("category", "reviewer", "comment")
MAX_ROWS = 5000  # a review reads tens of records; this only stops a wrong file filling the database
MAX_REF = 20  # audit_record.audit_ref's length


@dataclass(frozen=True)
class Problem:
    row: int | None  # the spreadsheet row (header = 1); None for the file as a whole
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}" if self.row is not None else self.reason


@dataclass(frozen=True)
class ParsedRecord:
    row: int
    audit_ref: str
    category: str | None
    reviewer: str | None
    ratings: dict[str, str | None]  # question key -> rating key (None: not applicable)
    overall: str | None
    comment: str | None


@dataclass
class ImportResult:
    review_id: int
    tool: str
    records: int = 0
    replaced: int = 0  # audit refs whose earlier ratings this file replaced
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        return {
            "review_id": self.review_id,
            "tool": self.tool,
            "imported": self.ok,
            "records": self.records if self.ok else 0,
            "replaced": self.replaced if self.ok else 0,
            "problems": [{"row": p.row, "reason": p.reason} for p in self.problems],
        }


class AuditImportError(ValueError):
    """The import can't start (no such review, unknown tool): nothing to report row by row."""


def expected_columns(tool: AuditTool) -> list[str]:
    middle = [*tool.question_keys, *(["overall"] if tool.overall else [])]
    return ["audit_ref", "category", "reviewer", *middle, "comment"]


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _rating(tool: AuditTool, value: str, column: str, problems: list[Problem], row: int) -> str | None:
    text = value.strip()
    if not text:
        problems.append(Problem(row, f"{column} is empty: give a rating, or N/A if it doesn't apply"))
        return None
    if text.lower() in NOT_APPLICABLE:
        return None
    rating = tool.parse(text)
    if rating is None:
        problems.append(Problem(row, f"{column} is {text!r}, which is not a rating: use {tool.accepted()}"))
        return None
    return rating.key


def _check_header(header: list[str], tool: AuditTool) -> tuple[list[str], list[Problem]]:
    names = [h.strip().lower() for h in header]
    suspects = [h for h in header if looks_like_case_record_number(h)]
    if suspects:
        # Refuse before reading a single value: the numbers must not be kept, even briefly.
        return names, [
            Problem(
                1,
                f"the column {', '.join(repr(s) for s in suspects)} looks like a case record number. "
                "Heard keeps only the review's own audit refs (such as A1), never the council's record "
                "numbers: remove the column and import again.",
            )
        ]
    problems: list[Problem] = []
    expected = expected_columns(tool)
    required = [c for c in expected if c not in OPTIONAL_COLUMNS]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(Problem(1, f"the column {name!r} appears more than once"))
    missing = [c for c in required if c not in names]
    if missing:
        problems.append(Problem(1, f"missing column(s) {', '.join(missing)} for the {tool.name}"))
    unexpected = [n for n in names if n not in expected]
    if unexpected:
        problems.append(
            Problem(
                1,
                f"unexpected column(s) {', '.join(repr(n) for n in unexpected)}; "
                f"the {tool.name} expects {','.join(expected)}",
            )
        )
    return names, problems


def parse_csv(text: str, tool: AuditTool) -> tuple[list[ParsedRecord], list[Problem]]:
    """Every record of the file, and every problem with it (nothing is stored here)."""
    text = text.lstrip("\ufeff")  # Excel's "CSV UTF-8" starts with a byte-order mark
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(cell.strip() for cell in rows[0]):
        return [], [
            Problem(None, f"the file is empty: expected the header {','.join(expected_columns(tool))}")
        ]
    names, problems = _check_header(rows[0], tool)
    if problems:
        return [], problems
    if len(rows) - 1 > MAX_ROWS:
        return [], [Problem(None, f"the file has {len(rows) - 1} rows; at most {MAX_ROWS} can be imported")]

    records: list[ParsedRecord] = []
    first_row_of: dict[str, int] = {}
    for row_number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line a spreadsheet left at the end
        if len(cells) != len(names):
            problems.append(Problem(row_number, f"has {len(cells)} values but the header has {len(names)}"))
            continue
        values = dict(zip(names, cells, strict=True))
        ref = (values["audit_ref"] or "").strip().upper()
        if not ref:
            problems.append(Problem(row_number, "audit_ref is empty"))
        elif looks_like_record_number_value(ref):
            problems.append(
                Problem(
                    row_number, "audit_ref looks like a case record number; use the review's own ref (A1)"
                )
            )
        elif len(ref) > MAX_REF:
            problems.append(Problem(row_number, f"audit_ref {ref!r} is longer than {MAX_REF} characters"))
        elif ref in first_row_of:
            problems.append(Problem(row_number, f"audit_ref {ref} is already on row {first_row_of[ref]}"))
        else:
            first_row_of[ref] = row_number
        ratings = {key: _rating(tool, values[key], key, problems, row_number) for key in tool.question_keys}
        overall = _rating(tool, values["overall"], "overall", problems, row_number) if tool.overall else None
        records.append(
            ParsedRecord(
                row=row_number,
                audit_ref=ref,
                category=_clean(values.get("category")),
                reviewer=_clean(values.get("reviewer")),
                ratings=ratings,
                overall=overall,
                comment=_clean(values.get("comment")),
            )
        )
    if not records and not problems:
        problems.append(Problem(None, "the file has a header but no records"))
    return records, problems


def import_audit(
    session: Session,
    review_id: int,
    text: str,
    tool_id: str | None = None,
    imported_by: str | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Check the whole file; only if it is clean, store it (a record's earlier ratings are replaced)."""
    review = session.get(Review, review_id)
    if review is None:
        raise AuditImportError(f"There is no review {review_id}.")
    already = session.scalar(
        select(AuditAssessment.id).where(AuditAssessment.review_id == review_id).limit(1)
    )
    chosen = tool_id or review.audit_tool
    if tool_id and already is not None and tool_id != review.audit_tool:
        raise AuditImportError(
            f"Review {review_id}'s audit already uses the {review.audit_tool} tool; "
            f"a {tool_id} file can't be mixed into it."
        )
    try:
        tool = load_tool(chosen)
    except ToolError as error:
        raise AuditImportError(str(error)) from error

    result = ImportResult(review_id=review_id, tool=tool.id)
    records, result.problems = parse_csv(text, tool)
    if result.problems:
        return result

    review.audit_tool = tool.id
    for parsed in records:
        record = get_or_create_audit_record(session, review, parsed.audit_ref)
        if parsed.category:
            record.category = parsed.category
        earlier = session.scalar(select(AuditAssessment).where(AuditAssessment.audit_record_id == record.id))
        if earlier is not None:
            session.delete(earlier)
            session.flush()  # the unique audit_record_id must be free before the new row goes in
            result.replaced += 1
        session.add(_assessment(review_id, record, parsed, imported_by, now))
    result.records = len(records)
    session.flush()
    return result


def _assessment(
    review_id: int, record: AuditRecord, parsed: ParsedRecord, imported_by: str | None, now: datetime | None
) -> AuditAssessment:
    assessment = AuditAssessment(
        review_id=review_id,
        audit_record_id=record.id,
        reviewer=parsed.reviewer,
        overall=parsed.overall,
        comment=parsed.comment,
        imported_by=imported_by,
        ratings=[AuditRating(question=key, rating=value) for key, value in parsed.ratings.items()],
    )
    if now is not None:
        assessment.imported_at = now
    return assessment
