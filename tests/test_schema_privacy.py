"""The schema has nowhere to put a council's case record number: records are known by audit ref only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.db import Database
from app.models import AuditRecord, Council, Review
from app.services.privacy import looks_like_case_record_number


def test_the_detector_flags_case_record_columns() -> None:
    made_up = [
        "id",
        "audit_ref",
        "audit_record_id",
        "review_id",
        "participant_id",
        "case_record_no",
        "CaseNumber",
        "nhs-number",
        "mosaic_ref",
        "LiquidLogicID",
        "client_id",
        "lead_person_id",
    ]
    flagged = [name for name in made_up if looks_like_case_record_number(name)]
    assert flagged == [
        "case_record_no",
        "CaseNumber",
        "nhs-number",
        "mosaic_ref",
        "LiquidLogicID",
        "client_id",
        "lead_person_id",
    ]


def test_no_column_looks_like_a_case_record_number(database_url: str) -> None:
    database = Database(database_url)
    try:
        inspector = sa.inspect(database.engine)
        columns = {
            f"{table}.{column['name']}"
            for table in inspector.get_table_names()
            for column in inspector.get_columns(table)
        }
    finally:
        database.dispose()

    # Looked at the real, migrated schema, not an empty one.
    assert {"audit_record.audit_ref", "participant.audit_record_id", "response.raw_text"} <= columns
    assert sorted(c for c in columns if looks_like_case_record_number(c.split(".", 1)[1])) == []


def test_audit_ref_is_unique_within_a_review(database_url: str) -> None:
    database = Database(database_url)
    try:
        with database.writing() as session:
            council = Council(name="Anyshire")
            first, second = (
                Review(council=council, theme="strengths"),
                Review(council=council, theme="carers"),
            )
            session.add_all([first, second, AuditRecord(review=first, audit_ref="A1")])
        first_id, second_id = first.id, second.id

        with pytest.raises(IntegrityError), database.writing() as session:
            session.add(AuditRecord(review_id=first_id, audit_ref="A1"))

        # The same ref in another review is another record.
        with database.writing() as session:
            session.add(AuditRecord(review_id=second_id, audit_ref="A1"))

        with database.reading() as session:
            refs = session.execute(sa.select(AuditRecord.review_id, AuditRecord.audit_ref)).all()
        assert sorted(refs) == [(first_id, "A1"), (second_id, "A1")]
    finally:
        database.dispose()
