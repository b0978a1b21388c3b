"""`heard keys rotate`: re-encrypt every encrypted column with the newest data key.

To rotate: put a new key first in HEARD_DATA_KEY ("new,old"), restart, run
`heard keys rotate`, then drop the old key. Columns are found from the schema
(every ``*_encrypted`` column), so a later one is covered. A ``X_encrypted``
column's ``X_lookup`` beside it is recomputed from the plaintext, since the
look-up key is derived from the newest data key. Look-up hashes that have no
plaintext beside them (the suppression list, an unknown sender's messages, a
used Telegram link) are mapped from old hash to new through the plaintexts we
hold. A hash of a number we never held (a stranger's STOP, an unknown sender's
messages) can't be mapped: it is counted, and after the rotation it no longer
matches that number (were the number later added as a participant, its old
STOP would not be recognised). Rotate rarely, and check the count.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import select, update

from app.db import Base
from app.services.runtime import Runtime

# Look-up hashes with no plaintext of their own: (table, column).
LOOKUP_ONLY = (
    ("suppression", "phone_lookup"),
    ("message", "sender_lookup"),
    ("telegram_link", "chat_lookup"),
)


class DryRun(Exception):
    """Raised inside the transaction to undo it: a dry run counts, then keeps nothing."""


@dataclass
class Rotation:
    reencrypted: dict[str, int] = field(default_factory=dict)  # "table.column" -> values
    lookups_recomputed: int = 0
    lookups_remapped: int = 0
    lookups_unmapped: int = 0


def encrypted_columns() -> list[tuple[sa.Table, str, str | None]]:
    """(table, encrypted column, its look-up column or None) for every ``*_encrypted`` column."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.c:
            if column.name.endswith("_encrypted"):
                lookup = column.name.removesuffix("_encrypted") + "_lookup"
                found.append((table, column.name, lookup if lookup in table.c else None))
    return found


def rotate(rt: Runtime, dry_run: bool = False) -> Rotation:
    """Re-encrypt and re-hash in one transaction: all of it happens, or none."""
    report = Rotation()
    with contextlib.suppress(DryRun):
        _rotate(rt, report, dry_run)
    return report


def _rotate(rt: Runtime, report: Rotation, dry_run: bool) -> None:
    crypto = rt.crypto
    old_to_new: dict[str, str] = {}
    with rt.db.writing() as session:
        for table, name, lookup in encrypted_columns():
            rows = session.execute(select(table.c.id, table.c[name]).where(table.c[name].is_not(None))).all()
            for row_id, token in rows:
                plain = crypto.decrypt(token) or ""
                values = {name: crypto.rotate(token)}
                if lookup:
                    new = crypto.lookup(plain) or ""
                    values[lookup] = new
                    old_to_new.update(dict.fromkeys(crypto.older_lookups(plain), new))
                    report.lookups_recomputed += 1
                session.execute(update(table).where(table.c.id == row_id).values(values))
            report.reencrypted[f"{table.name}.{name}"] = len(rows)
        for table_name, column_name in LOOKUP_ONLY:
            table = Base.metadata.tables.get(table_name)
            if table is None:
                continue
            column = table.c[column_name]
            for row_id, old in session.execute(select(table.c.id, column).where(column.is_not(None))).all():
                if old in old_to_new:
                    session.execute(
                        update(table).where(table.c.id == row_id).values({column_name: old_to_new[old]})
                    )
                    report.lookups_remapped += 1
                elif old not in old_to_new.values():
                    report.lookups_unmapped += 1
        if dry_run:
            raise DryRun
