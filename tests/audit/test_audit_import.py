"""Importing the audit: a 20-record file gives the hand-computed summary; a bad file is refused whole."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.cli import main
from app.models import AuditAssessment, AuditRating, AuditRecord, Review
from app.services.audit_import import AuditImportError
from app.services.audit_summary import percent, summarise
from app.services.runtime import Runtime
from tests.audit.support import WLGA_HEADER, WM12_20, WM12_HEADER, import_text, new_review, wm12_row

# tests/audit/data/wm12_20_records.csv, counted by hand:
#   A1-A5 Outstanding on every question, except A1's q12 (Good)      -> 59 Outstanding
#   A6-A14 Good on every question, plus A1's q12                       -> 109 Good
#   A15-A18 Requires Improvement on every question, plus A19's q1      -> 49 Requires Improvement
#   A19-A20 Inadequate on every question, except A19's q1              -> 23 Inadequate
#   240 ratings: 59/240 = 24.58 -> 24.6%, 109/240 = 45.42 -> 45.4%,
#                49/240 = 20.42 -> 20.4%, 23/240 = 9.58 -> 9.6%
#   Overall: A1-A3 Outstanding (3), A4-A13 Good (10), A14-A18 RI (5), A19-A20 Inadequate (2), of 20
# Ratings are spelled every way the issue allows: Outstanding, O, outstanding, o, GOOD, ri, ...
HAND_COUNTED = {
    "records": 20,
    "ratings": {
        "total": 240,
        "counts": {"Outstanding": 59, "Good": 109, "Requires Improvement": 49, "Inadequate": 23},
        "percent": {"Outstanding": 24.6, "Good": 45.4, "Requires Improvement": 20.4, "Inadequate": 9.6},
    },
    "overall": {
        "total": 20,
        "counts": {"Outstanding": 3, "Good": 10, "Requires Improvement": 5, "Inadequate": 2},
        "percent": {"Outstanding": 15.0, "Good": 50.0, "Requires Improvement": 25.0, "Inadequate": 10.0},
    },
}
Q1 = {"Outstanding": 5, "Good": 9, "Requires Improvement": 5, "Inadequate": 1}
Q2_TO_Q11 = {"Outstanding": 5, "Good": 9, "Requires Improvement": 4, "Inadequate": 2}
Q12 = {"Outstanding": 4, "Good": 10, "Requires Improvement": 4, "Inadequate": 2}


def _counts(rt: Runtime) -> tuple[int, int, int]:
    with rt.db.reading() as session:
        return (
            session.scalar(select(func.count()).select_from(AuditAssessment)) or 0,
            session.scalar(select(func.count()).select_from(AuditRating)) or 0,
            session.scalar(select(func.count()).select_from(AuditRecord)) or 0,
        )


def test_twenty_records_summarise_as_counted_by_hand(rt: Runtime) -> None:
    review_id = new_review(rt)
    result = import_text(rt, review_id, WM12_20.read_text())
    assert result.ok, result.problems
    assert (result.records, result.replaced) == (20, 0)
    assert _counts(rt) == (20, 20 * 12, 20)

    with rt.db.reading() as session:
        summary = summarise(session, review_id)
        categories = dict(session.execute(select(AuditRecord.audit_ref, AuditRecord.category)).all())
    assert {key: summary[key] for key in HAND_COUNTED} == HAND_COUNTED
    assert [q["counts"] for q in summary["questions"]] == [Q1, *[Q2_TO_Q11] * 10, Q12]
    assert [q["theme"] for q in summary["questions"]][:4] == [
        "voice_of_person", "strengths", "outcomes", "family_and_carers",
    ]  # fmt: skip
    assert categories["A1"] == "Learning disability"


def test_the_cli_imports_and_summarises_as_json(app: Flask, rt: Runtime) -> None:
    review_id = new_review(rt)
    runner = app.test_cli_runner()
    imported = runner.invoke(main, ["audit", "import", "--review", str(review_id), str(WM12_20), "--json"])
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.output)["records"] == 20
    shown = runner.invoke(main, ["audit", "summary", "--review", str(review_id), "--json"])
    assert shown.exit_code == 0, shown.output
    summary = json.loads(shown.output)
    assert {key: summary[key] for key in HAND_COUNTED} == HAND_COUNTED
    assert summary["questions"][0] == {
        "key": "q1",
        "theme": "voice_of_person",
        "text": summary["questions"][0]["text"],
        "counts": Q1,
        "not_applicable": 0,
    }
    text = runner.invoke(main, ["audit", "summary", "--review", str(review_id)]).output
    assert re.search(r"Outstanding\s+59\s+24\.6%", text) and re.search(r"Inadequate\s+2\s+10\.0%", text)


def test_a_bad_rating_refuses_the_whole_file_with_row_numbers(
    app: Flask, rt: Runtime, tmp_path: Path
) -> None:
    review_id = new_review(rt)
    lines = [
        WM12_HEADER,
        wm12_row("A1"),
        wm12_row("A2", q3="Excellent"),  # row 3
        wm12_row("A3"),
        wm12_row("A4", q7=""),  # row 5
        wm12_row("A1"),  # row 6: A1 again
        wm12_row("A6", overall="Goodish"),  # row 7
        "A7,Older people,PSW1,G,G",  # row 8: too few values
    ]
    result = import_text(rt, review_id, "\n".join(lines) + "\n")
    assert not result.ok
    assert [(p.row, p.reason.split(" ")[0]) for p in result.problems] == [
        (3, "q3"), (5, "q7"), (6, "audit_ref"), (7, "overall"), (8, "has"),
    ]  # fmt: skip
    assert "'Excellent', which is not a rating: use Outstanding (O), Good (G)" in str(result.problems[0])
    assert str(result.problems[2]) == "row 6: audit_ref A1 is already on row 2"
    assert _counts(rt) == (0, 0, 0)  # not even the good rows

    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n")
    refused = app.test_cli_runner().invoke(main, ["audit", "import", "--review", str(review_id), str(path)])
    assert refused.exit_code == 1
    assert "Nothing was imported" in refused.output
    assert "row 3: q3 is 'Excellent'" in refused.output and "row 8: has 5 values" in refused.output
    assert _counts(rt) == (0, 0, 0)


@pytest.mark.parametrize("column", ["case_record_no", "NHS Number", "CaseNumber", "mosaic_id"])
def test_a_case_record_number_column_refuses_the_file(rt: Runtime, column: str) -> None:
    review_id = new_review(rt)
    text = f"{WM12_HEADER},{column}\n{wm12_row('A1')},1234567\n"
    result = import_text(rt, review_id, text)
    assert not result.ok
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.row == 1
    assert column in problem.reason and "only the review's own audit refs" in problem.reason
    assert _counts(rt) == (0, 0, 0)


def test_an_audit_ref_that_is_a_long_number_is_refused(rt: Runtime) -> None:
    review_id = new_review(rt)
    result = import_text(rt, review_id, f"{WM12_HEADER}\n{wm12_row('A1')}\n{wm12_row('4857773456')}\n")
    assert [str(p) for p in result.problems] == [
        "row 3: audit_ref looks like a case record number; use the review's own ref (A1)"
    ]
    assert _counts(rt) == (0, 0, 0)


def test_wlga_counts_y_as_one_and_p_as_a_half(rt: Runtime) -> None:
    review_id = new_review(rt)
    rows = [
        # c1: Y Y P N -> 1 + 1 + 0.5 + 0 = 2.5 of 4 = 62.5%
        # c2: P P P P -> 2.0 of 4 = 50.0%
        # c3: N N N y -> 1 of 4 = 25.0%
        # c4: Y P N n/a -> 1.5 of the 3 rated = 50.0%
        # c5..c10: all Y -> 4 of 4 = 100.0%
        "W1,,PSW1,Y,P,N,Y," + ",".join(["Y"] * 6) + ",",
        "W2,,PSW1,yes,p,n,partly," + ",".join(["Y"] * 6) + ",",
        "W3,,PSW2,P,Partly,N,N," + ",".join(["Y"] * 6) + ",",
        "W4,,PSW2,n,P,y,N/A," + ",".join(["Y"] * 6) + ",",
    ]
    result = import_text(rt, review_id, WLGA_HEADER + "\n" + "\n".join(rows) + "\n", tool="wlga")
    assert result.ok, result.problems
    with rt.db.reading() as session:
        summary = summarise(session, review_id)
        assert session.get_one(Review, review_id).audit_tool == "wlga"
    assert summary["records"] == 4
    assert summary["overall"] is None
    by_key = {q["key"]: q for q in summary["questions"]}
    assert (by_key["c1"]["positive"], by_key["c1"]["percent"]) == (2.5, 62.5)
    assert (by_key["c2"]["positive"], by_key["c2"]["percent"]) == (2.0, 50.0)
    assert (by_key["c3"]["positive"], by_key["c3"]["percent"]) == (1.0, 25.0)
    assert (by_key["c4"]["rated"], by_key["c4"]["positive"], by_key["c4"]["percent"]) == (3, 1.5, 50.0)
    assert by_key["c4"]["not_applicable"] == 1
    assert by_key["c5"]["percent"] == 100.0
    assert by_key["c1"]["counts"] == {"Y": 2, "P": 1, "N": 1}
    # 39 ratings (40 less the N/A): Y = 2+0+1+1 + 24 = 28, P = 1+4+0+1 = 6, N = 1+0+3+1 = 5
    assert summary["ratings"]["counts"] == {"Y": 28, "P": 6, "N": 5}
    assert summary["ratings"]["total"] == 39


def test_a_wm12_file_is_refused_by_a_wlga_review_header(rt: Runtime) -> None:
    review_id = new_review(rt)
    result = import_text(rt, review_id, f"{WM12_HEADER}\n{wm12_row('A1')}\n", tool="wlga")
    reasons = " ".join(p.reason for p in result.problems)
    assert "missing column(s) c1, c2" in reasons
    assert "unexpected column(s) 'q1'" in reasons and "'overall'" in reasons


def test_importing_a_record_again_replaces_its_ratings(rt: Runtime) -> None:
    review_id = new_review(rt)
    assert import_text(rt, review_id, f"{WM12_HEADER}\n{wm12_row('A1')}\n{wm12_row('A2')}\n").ok
    again = import_text(rt, review_id, f"{WM12_HEADER}\n{wm12_row('a2', rating='O', overall='O')}\n")
    assert (again.ok, again.records, again.replaced) == (True, 1, 1)
    assert _counts(rt) == (2, 24, 2)
    with rt.db.reading() as session:
        summary = summarise(session, review_id)
    assert summary["ratings"]["counts"] == {
        "Outstanding": 12, "Good": 12, "Requires Improvement": 0, "Inadequate": 0,
    }  # fmt: skip
    assert summary["overall"]["counts"]["Outstanding"] == 1


def test_a_review_cannot_mix_two_tools(rt: Runtime) -> None:
    review_id = new_review(rt)
    assert import_text(rt, review_id, f"{WM12_HEADER}\n{wm12_row('A1')}\n").ok
    with pytest.raises(AuditImportError, match="already uses the wm12 tool"):
        import_text(rt, review_id, WLGA_HEADER + "\nW1,,," + ",".join(["Y"] * 10) + ",\n", tool="wlga")


def test_percentages_round_half_up_to_one_place() -> None:
    assert percent(1, 8) == 12.5
    assert percent(1, 16) == 6.3  # 6.25: half up, where float rounding would give 6.2
    assert percent(2, 3) == 66.7
    assert percent(0, 0) == 0.0
