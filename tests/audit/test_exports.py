"""Exports (DOCX, CSV, JSON) carry audit refs and roles, never names, and only consented words."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from flask import Flask

from app.cli import main
from app.services.runtime import Runtime
from tests.audit.support import WM12_HEADER, add, converse, import_text, new_review, note_quote, wm12_row

CONSENTED = "Nobody ever asked me what I wanted from my care plan."
PEER_CONSENTED = "She never once looked at me."
PLANTED = (
    "PLANTED-UNCONSENTED the worker shouted at my care plan meeting.",
    "PLANTED-PEER-NO I'd rather this stayed between us.",
)
NAMES = ("Samira", "Annwen")
PHONE_DIGITS = "7700900123"


@dataclass
class Story:
    review_id: int


@pytest.fixture
def story(rt: Runtime) -> Story:
    """A1 (Outstanding on q1) whose person answered 1 of 5 and agreed to quotes; A2 (Good) who refused."""
    review_id = new_review(rt)
    assert import_text(rt, review_id, f"{WM12_HEADER}\n{wm12_row('A1', q1='O')}\n{wm12_row('A2')}\n").ok
    samira, samira_token = add(rt, review_id, "A1", NAMES[0])
    annwen, annwen_token = add(rt, review_id, "A2", NAMES[1])
    with rt.db.writing() as session:
        from app.models import Participant
        from app.services.crypto import normalise_phone

        person = session.get_one(Participant, annwen)
        person.phone_encrypted = rt.crypto.encrypt(normalise_phone("07700 900123"))
    converse(rt, samira, samira_token, {"consent_quotes": "yes", "listened": "1", "what_matters": CONSENTED})
    converse(rt, annwen, annwen_token, {"consent_quotes": "no", "listened": "2", "what_matters": PLANTED[0]})
    note_quote(rt, samira, "listened", PEER_CONSENTED, consent=True)
    note_quote(rt, samira, "listened", PLANTED[1], consent=False)
    with rt.db.reading() as session:
        from sqlalchemy import select

        from app.models import Quote, Response

        # The planted words really are stored: their absence from an export is the filter's doing.
        assert session.scalar(select(Response.id).where(Response.raw_text == PLANTED[0])) is not None
        assert session.scalar(select(Quote.id).where(Quote.text == PLANTED[1])) is not None
    return Story(review_id)


def _export(app: Flask, review_id: int, fmt: str, out: Path) -> bytes:
    result = app.test_cli_runner().invoke(
        main, ["export", "--review", str(review_id), "--format", fmt, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def _all_text_in_the_file(data: bytes) -> str:
    """Every XML part of the .docx, so nothing hides in a header, comment or property."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return "\n".join(
            package.read(name).decode("utf-8", "replace")
            for name in package.namelist()
            if name.endswith(".xml")
        )


def test_the_docx_section_has_the_theme_table_a_chart_and_only_consented_quotes(
    app: Flask, story: Story, tmp_path: Path
) -> None:
    data = _export(app, story.review_id, "docx", tmp_path / "section.docx")
    document = docx.Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "Conversations with people and their families"
    assert "The record and the experience, by theme" in headings

    tables = {tuple(c.text for c in t.rows[0].cells): t for t in document.tables}
    theme_table = tables[
        ("Theme", "Audit mean", "Lived-experience mean", "Voices", "Disagreements", "Their words")
    ]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in theme_table.rows[1:]}
    # Audit (1 + 2/3) / 2 = 0.83; lived: listened 1 -> 0 and 2 -> 0.25, mean 0.125 -> 0.13; 2 voices;
    # one disagreement (A1: Outstanding against 0).
    assert rows["The person's voice"][:5] == ["The person's voice", "0.83", "0.13", "2", "1"]
    assert rows["Risk"][1:4] == ["0.67", "–", "0"]

    assert len(document.inline_shapes) >= 1
    for shape in document.inline_shapes:
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        image = document.part.related_parts[blip.embed].blob
        assert image.startswith(b"\x89PNG")
        assert shape._inline.docPr.get("descr")  # alt text a screen reader reads
    assert any("Pie chart of the overall judgement of 2 records" in s._inline.docPr.get("descr")
               for s in document.inline_shapes)  # fmt: skip

    everything = _all_text_in_the_file(data)
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert CONSENTED in paragraphs and PEER_CONSENTED in paragraphs
    assert "a person who draws on care" in paragraphs
    for planted in PLANTED:
        assert planted not in everything and "PLANTED" not in everything
    for name in NAMES:
        assert name not in everything
    assert PHONE_DIGITS not in everything
    assert "A1, the person's voice: the audit is 1.00; the person 0.00." in paragraphs


def test_the_csv_has_refs_roles_and_answers_and_only_consented_words(
    app: Flask, story: Story, tmp_path: Path
) -> None:
    text = _export(app, story.review_id, "csv", tmp_path / "answers.csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0] == "audit_ref,role,theme,question,value,words,sentiment"
    by = {(r["audit_ref"], r["question"]): r for r in rows}
    assert by[("A1", "listened")] | {"sentiment": ""} == {
        "audit_ref": "A1", "role": "person", "theme": "voice_of_person", "question": "listened",
        "value": "1", "words": "1", "sentiment": "",
    }  # fmt: skip
    assert by[("A1", "what_matters")]["words"] == CONSENTED
    assert by[("A2", "listened")]["value"] == "2"
    assert by[("A2", "listened")]["words"] == ""  # she didn't agree to be quoted: the meaning only
    assert by[("A2", "what_matters")]["words"] == "" and by[("A2", "what_matters")]["value"] == ""
    assert by[("A2", "consent_quotes")]["value"] == "no"
    assert "PLANTED" not in text
    for name in NAMES:
        assert name not in text
    assert PHONE_DIGITS not in text
    assert {r["audit_ref"] for r in rows} == {"A1", "A2"}


def test_the_json_export_matches_the_summary_and_flags_the_disagreement(
    app: Flask, story: Story, tmp_path: Path
) -> None:
    data = json.loads(_export(app, story.review_id, "json", tmp_path / "report.json"))
    assert data["summary"]["records"] == 2
    assert data["summary"]["ratings"]["counts"] == {
        "Outstanding": 1, "Good": 23, "Requires Improvement": 0, "Inadequate": 0,
    }  # fmt: skip
    assert data["disagreements"] == [
        {"audit_ref": "A1", "theme": "voice_of_person", "voice": "person", "audit": 1.0, "lived": 0.0}
    ]
    assert data["numbers"]["participants"] == 2 and data["numbers"]["completed"] == 2
    flat = json.dumps(data)
    assert "PLANTED" not in flat and PHONE_DIGITS not in flat
    for name in NAMES:
        assert name not in flat
