"""`heard audit import|summary` and `heard export`: the PSWs' audit in, the report's numbers out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from app.services.audit_import import AuditImportError, import_audit
from app.services.audit_summary import summarise
from app.services.audit_tools import available_tools
from app.services.exports import FORMATS, export
from app.services.runtime import runtime


@click.group(cls=AppGroup)  # AppGroup: its commands run inside the app (the runtime, the database)
def audit() -> None:
    """The PSWs' case-records audit."""


@audit.command("import")
@click.option("--review", "review_id", type=int, required=True)
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tool", "tool_id", type=click.Choice(available_tools()), default=None,
              help="The audit tool the file is for (default: the review's).")  # fmt: skip
@click.option("--json", "as_json", is_flag=True)
def audit_import(review_id: int, csv_file: Path, tool_id: str | None, as_json: bool) -> None:
    """Import CSV_FILE (audit_ref,category,reviewer,q1..qN,overall,comment): all of it, or nothing."""
    rt = runtime()
    try:
        text = csv_file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{csv_file} is not UTF-8 text: save it as 'CSV UTF-8'.") from error
    try:
        with rt.db.writing() as session:
            # A file with problems writes nothing: import_audit checks it all before storing any of it.
            result = import_audit(session, review_id, text, tool_id, imported_by="cli", now=rt.clock())
    except AuditImportError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
    elif result.ok:
        replaced = f" ({result.replaced} replaced earlier ratings)" if result.replaced else ""
        click.echo(f"Imported {result.records} records into review {review_id} ({result.tool}){replaced}.")
    else:
        click.echo(f"Nothing was imported: {csv_file} has {len(result.problems)} problem(s).", err=True)
        for problem in result.problems:
            click.echo(f"  {problem}", err=True)
    sys.exit(0 if result.ok else 1)


@audit.command("summary")
@click.option("--review", "review_id", type=int, required=True)
@click.option("--json", "as_json", is_flag=True)
def audit_summary(review_id: int, as_json: bool) -> None:
    """Counts and percentages per rating, overall and per question, as in the report."""
    with runtime().db.reading() as session:
        from app.models import Review

        if session.get(Review, review_id) is None:
            raise click.ClickException(f"There is no review {review_id}.")
        summary = summarise(session, review_id)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    ratings = summary["ratings"]
    click.echo(f"Review {review_id}: {summary['records']} records, {summary['tool_name']}")
    click.echo(f"All {ratings['total']} ratings:")
    for label, n in ratings["counts"].items():
        click.echo(f"  {label:22} {n:5}  {ratings['percent'][label]:5.1f}%")
    if summary["overall"]:
        overall = summary["overall"]
        click.echo(f"Overall judgements ({overall['total']}):")
        for label, n in overall["counts"].items():
            click.echo(f"  {label:22} {n:5}  {overall['percent'][label]:5.1f}%")
    click.echo("Per question:")
    for q in summary["questions"]:
        counts = ", ".join(f"{label} {n}" for label, n in q["counts"].items())
        positive = f"; positive {q['positive']:g} = {q['percent']}%" if "positive" in q else ""
        click.echo(f"  {q['key']:4} {q['theme']:18} {counts}{positive}")


@click.command("export")
@with_appcontext
@click.option("--review", "review_id", type=int, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True)
def export_command(review_id: int, fmt: str, out: Path) -> None:
    """Write the review's answers (CSV, JSON) or the report's section (DOCX) to OUT.

    Known by audit ref and role only; a person's words only if they agreed to be quoted.
    """
    with runtime().db.reading() as session:
        from app.models import Review

        if session.get(Review, review_id) is None:
            raise click.ClickException(f"There is no review {review_id}.")
        data = export(session, review_id, fmt)
    out.write_bytes(data)
    click.echo(f"Wrote {out} ({len(data)} bytes).")
