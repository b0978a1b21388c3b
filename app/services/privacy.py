"""What a council's case record number looks like, so Heard can refuse to keep one.

Records are known only by the review's own audit ref. One detector serves the
schema test (no column of ours may look like a case record number) and the
audit import (a file with such a column is refused whole).
"""

from __future__ import annotations

import re

# Names a case record number goes by: generic ones, the NHS number, and the
# case management systems councils use (Mosaic, LiquidLogic).
FORBIDDEN = (
    "case_record",
    "case_number",
    "case_no",
    "record_number",
    "record_no",
    "nhs_number",
    "nhs_no",
    "mosaic",
    "liquidlogic",
    "client_id",
    "person_id",
)


def _squash(name: str) -> str:
    """Lower case, letters and digits only: CaseRecordNo, case-record-no and case_record_no all agree."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def looks_like_case_record_number(column: str) -> bool:
    squashed = _squash(column)
    return any(_squash(word) in squashed for word in FORBIDDEN)


# A value that is a long run of digits (an NHS number is 10) is a record number, not an audit ref.
_LONG_NUMBER = re.compile(r"^\d[\d\s-]{5,}\d$")


def looks_like_record_number_value(value: str) -> bool:
    return bool(_LONG_NUMBER.match(value.strip()))
