"""Consent: asked before anything else on every path, quotes separately, and recordable from paper."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app.channels.base import Inbound
from app.config import ROOT
from app.engine import Flow, load_flow
from app.models import Consent
from app.services.consent import ConsentError, latest, record_consent
from app.services.erasure import withdraw
from app.services.quotable import consented_quotes
from app.services.runtime import Runtime
from app.services.turns import run_turn
from tests.staff_support import add_user, post, sign_in
from tests.trust.trust_support import add_person

SHIPPED = sorted((ROOT / "flows").glob("*.yaml"))


def _successors(flow: Flow, node_id: str) -> set[str]:
    return {target for target in flow.nodes[node_id].targets() if target}


def _reachable(flow: Flow, start: str, stop_at: set[str]) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        node_id = todo.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        if node_id not in stop_at:
            todo.extend(_successors(flow, node_id))
    return seen


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: Path(p).stem)
def test_nothing_is_asked_before_consent_on_any_path(path: Path) -> None:
    flow = load_flow(path)
    consent = [n for n in flow.nodes.values() if n.records == "consent_taking_part"]
    assert len(consent) == 1, "each shipped flow asks for consent to take part once"
    consent_id = consent[0].id
    before = _reachable(flow, flow.start, stop_at={consent_id}) - {consent_id}
    assert consent_id in _reachable(flow, flow.start, stop_at={consent_id})
    # Before consent: only things said, never a question (themed or not).
    assert [n for n in before if flow.nodes[n].kind == "ask"] == []
    # Saying no leads to no themed question at all.
    refused = (
        _reachable(flow, consent[0].next_for("no") or "", stop_at=set())
        if consent[0].next_for("no")
        else set()
    )
    assert [n for n in refused if flow.nodes[n].theme] == []


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: Path(p).stem)
def test_being_quoted_is_a_question_of_its_own(path: Path) -> None:
    flow = load_flow(path)
    quotes = [n for n in flow.nodes.values() if n.records == "consent_quotes"]
    assert len(quotes) == 1 and quotes[0].theme is None
    assert quotes[0].records != "consent_taking_part"


def test_a_conversation_records_each_scope_with_its_wording_and_flow_version(trt: Runtime) -> None:
    pid = add_person(trt, channel="web", role="relative")
    with trt.db.reading() as session:
        from app.models import Participant

        token = session.get_one(Participant, pid).chat_token
    for index, text in enumerate(["hi", "yes", "no", "4", "Zanzibar was lovely"]):
        run_turn(trt, Inbound("web", token, text, f"w-{index}"))
    with trt.db.reading() as session:
        decisions = latest(session, pid)
        rows = session.scalars(select(Consent).where(Consent.scope == "taking_part")).all()
        quotable = consented_quotes(session, _review(trt, pid))
    assert decisions["taking_part"].given and not decisions["quotes"].given
    assert decisions["taking_part"].given_by == "proxy" and decisions["taking_part"].proxy_role == "relative"
    assert rows[0].flow_id == "practice_review_experience" and rows[0].flow_version == 1
    assert "choice" in (rows[0].wording or "").lower()  # the exact words they were asked
    assert quotable == []  # yes to taking part is not yes to being quoted


def _review(rt: Runtime, pid: int) -> int:
    from app.models import Participant

    with rt.db.reading() as session:
        return session.get_one(Participant, pid).review_id


def test_coordinator_records_paper_consent_from_the_cli(trt: Runtime, trust_app) -> None:  # type: ignore[no-untyped-def]
    from app.cli import main

    pid = add_person(trt)
    runner = trust_app.test_cli_runner()
    args = [
        "participant",
        "consent-record",
        str(pid),
        "--scope",
        "recording",
        "--given",
        "--how",
        "in_person",
    ]
    result = runner.invoke(main, [*args, "--proxy-role", "advocate", "--by", "Coordinator Cat"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        main, ["participant", "consent-record", str(pid), "--scope", "nonsense", "--given", "--by", "x"]
    )
    assert result.exit_code != 0
    with trt.db.reading() as session:
        decision = latest(session, pid)["recording"]
    assert (decision.given, decision.given_by, decision.proxy_role) == (True, "proxy", "advocate")
    assert (decision.channel, decision.recorded_by) == ("in_person", "Coordinator Cat")


def test_nothing_more_is_recorded_for_someone_who_withdrew(trt: Runtime) -> None:
    pid = add_person(trt)
    withdraw(trt, pid, "coordinator")
    with pytest.raises(ConsentError, match="withdrawn"), trt.db.writing() as session:
        record_consent(session, pid, "quotes", True, channel="paper", recorded_by="x", now=trt.clock())


def test_coordinator_page_records_consent_and_others_cannot(trt: Runtime, tclient: FlaskClient) -> None:
    pid = add_person(trt)
    add_user(trt, "coord@example.org", "coordinator")
    add_user(trt, "psw@example.org", "psw", (_review(trt, pid),))
    sign_in(tclient, "psw@example.org")
    assert tclient.get(f"/coordinator/participants/{pid}").status_code == 403
    refused = post(tclient, f"/coordinator/participants/{pid}/consent", {"scope": "quotes", "given": "yes"})
    assert refused.status_code == 403
    tclient.post("/logout", data={})
    client = tclient.application.test_client()
    sign_in(client, "coord@example.org")
    page = client.get(f"/coordinator/participants/{pid}")
    assert page.status_code == 200 and "Record consent taken on paper" in page.get_data(as_text=True)
    form = {"scope": "hear_back", "given": "no", "how": "phone", "wording": "<b>Read out</b>"}
    assert post(client, f"/coordinator/participants/{pid}/consent", form).status_code == 303
    with trt.db.reading() as session:
        decision = latest(session, pid)["hear_back"]
    assert (decision.given, decision.channel, decision.recorded_by) == (False, "phone", "coord@example.org")
    page = client.get(f"/coordinator/participants/{pid}").get_data(as_text=True)
    assert "hear_back" in page
