"""Fixtures for the audit tests (see tests/audit/support.py and tests/staff_support.py)."""

from tests.staff_support import fast_password_hashing  # noqa: F401  (an autouse fixture)
