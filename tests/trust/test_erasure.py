"""Withdrawal erases a person everywhere, on SQLite and PostgreSQL, down to SQLite's free pages."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.channels.base import Inbound
from app.models import AccessLog, CallStep, Concern, Message, Participant, Response, Suppression, User
from app.services import accounts
from app.services.audit_trail import record_access
from app.services.call_steps import keep_recording
from app.services.erasure import withdraw
from app.services.invitations import invite_review
from app.services.outbound import send
from app.services.peer_console import save_quote
from app.services.runtime import Runtime
from app.services.safeguarding import raise_concern
from app.services.telegram_links import new_deep_link
from app.services.turns import run_turn
from tests.trust.trust_support import add_person, post_sms, scan_database, scan_sqlite_files

PHONE = "+447700900461"
CHAT_ID = "987654321"
# Words only this person said or that were noted of them: each must be gone after withdrawal.
WORDS = ["Zanzibar", "Quixotic", "Quillwort", "Ottoline", "Marmalade", "RE0123456789abcdef"]
CONTACT = [PHONE, "07700900461", "7700 900461", CHAT_ID]


def _everything_about_ottoline(rt: Runtime, client: FlaskClient) -> int:
    """A participant with rows in nearly every table: answers, quotes, concerns, calls, links, texts."""
    # Before anyone added her, she texted us: an unknown sender's message, kept by its keyed hash.
    assert post_sms(client, PHONE, "Quixotic hello, who is this?", "SM-before").status_code == 200
    pid = add_person(
        rt, channel="sms", phone=PHONE, telegram_chat_id=CHAT_ID, communication_needs=("easy_read",)
    )
    with rt.db.writing() as session:
        session.get_one(Participant, pid).communication_note = "Ottoline prefers mornings"
        new_deep_link(session, rt, pid)
        user, _ = accounts.create_user(session, "peer@example.org", "peer", "correct horse battery staple")
        accounts.assign_peer(session, "peer@example.org", pid)
        record_access(
            session,
            session.get_one(User, user.id),
            "peer_console",
            session.get_one(Participant, pid),
            rt.clock(),
        )
    assert invite_review(rt, _review_of(rt, pid))[0].action == "invite"
    for index, text in enumerate(["YES", "yes", "yes", "4", "Zanzibar Marmalade, and he hit me"]):
        assert post_sms(client, PHONE, text, f"SM-{index}").status_code == 200
    run_turn(rt, Inbound("telegram", CHAT_ID, "Zanzibar from Telegram", "tg-1"))
    run_turn(rt, Inbound("voice", PHONE, "Zanzibar spoken", "CA1:1", details={"call_sid": "CA1"}))
    assert keep_recording(
        rt, "CA1", 1, "https://api.twilio.com/recordings/RE0123456789abcdef", "RE0123456789abcdef"
    )
    with rt.db.writing() as session:
        session.add(
            CallStep(
                call_sid="CA1",
                step=1,
                participant_id=pid,
                kind="confirm",
                pending="Zanzibar?",
                twiml="<Response/>",
            )
        )
    save_quote(rt, pid, "peer@example.org", "what_matters", "Quillwort was kind to me", True)
    raise_concern(rt, pid, "peer@example.org", "Ottoline said Zanzibar frightened her")
    assert send(rt, pid, "Ottoline, a question is waiting", purpose="prompt").sent  # an outbox text
    return pid


def _review_of(rt: Runtime, pid: int) -> int:
    with rt.db.reading() as session:
        return session.get_one(Participant, pid).review_id


def test_withdrawal_by_text_leaves_no_trace_in_any_table(
    trt: Runtime, tclient: FlaskClient, database_url: str
) -> None:
    pid = _everything_about_ottoline(trt, tclient)
    before = scan_database(database_url, WORDS + CONTACT)
    # The scan can see them (so finding none later means something), and contact details were never in clear.
    assert set(before) == set(WORDS), before
    with trt.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Concern)) == 2

    response = post_sms(tclient, PHONE, "I don't want to take part any more", "SM-withdraw")
    assert response.status_code == 200
    assert "deleted your answers" in response.get_data(as_text=True)

    assert scan_database(database_url, WORDS + CONTACT) == {}
    with trt.db.reading() as session:
        tombstone = session.get_one(Participant, pid)
        assert (tombstone.audit_ref, tombstone.role, tombstone.withdrawn_how) == ("T1", "person", "sms")
        assert tombstone.withdrawn_at is not None and tombstone.phone_lookup is None
        assert session.scalar(select(func.count()).select_from(Response)) == 0
        # The safeguarding concerns stay as facts (Care Act duty), without anyone's words.
        concerns = session.scalars(select(Concern)).all()
        assert len(concerns) == 2 and all(c.note is None and c.matched is None for c in concerns)
        # Staff access stays accountable; nothing queued for her is left to send.
        assert session.scalar(select(func.count()).select_from(AccessLog)) == 1
        assert session.scalars(select(Message.status).where(Message.direction == "out")).all() == ["reply"]
    # Her next text is from a stranger now: nothing links it to her.
    post_sms(tclient, PHONE, "hello again", "SM-after")
    with trt.db.reading() as session:
        late = session.scalars(select(Message).where(Message.provider_id == "SM-after")).one()
        assert late.participant_id is None


def test_erased_words_are_not_left_in_sqlite_free_pages_or_the_wal(
    trt: Runtime, tclient: FlaskClient, sqlite_url: str, database_url: str
) -> None:
    if database_url != sqlite_url:
        pytest.skip("SQLite's files only")
    pid = _everything_about_ottoline(trt, tclient)
    assert set(scan_sqlite_files(database_url, WORDS)) == set(WORDS)  # on disk before
    withdraw(trt, pid, "coordinator")
    assert scan_database(database_url, WORDS) == {}
    # secure_delete zeroes what was deleted; the checkpoint empties the WAL of old page copies.
    assert scan_sqlite_files(database_url, WORDS) == {}


def test_the_scan_would_see_words_left_in_free_pages_without_secure_delete(
    trt: Runtime, tclient: FlaskClient, sqlite_url: str, database_url: str
) -> None:
    """The check above can fail: with secure_delete off, deleted words stay in the file."""
    if database_url != sqlite_url:
        pytest.skip("SQLite's files only")
    engine = trt.db.engine
    engine.dispose()
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _insecure(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.execute("PRAGMA secure_delete=OFF")

    pid = _everything_about_ottoline(trt, tclient)
    withdraw(trt, pid, "coordinator")
    assert scan_database(database_url, WORDS) == {}
    assert scan_sqlite_files(database_url, WORDS) != {}


@pytest.mark.parametrize(
    ("channel", "text"),
    [
        ("web", "I don't want to take part any more"),
        ("web", "Dw i ddim eisiau cymryd rhan mwyach"),
        ("telegram", "withdraw"),
        ("peer", "delete my answers"),
    ],
)
def test_every_channel_withdraws_through_the_same_erasure(trt: Runtime, channel: str, text: str) -> None:
    pid = add_person(trt, channel=channel, telegram_chat_id=CHAT_ID)
    with trt.db.reading() as session:
        token = session.get_one(Participant, pid).chat_token
    sender = {"web": token, "telegram": CHAT_ID, "peer": str(pid)}[channel]
    for index, reply in enumerate(["hi", "yes", "yes", "4", "Zanzibar words"]):
        run_turn(trt, Inbound(channel, sender, reply, f"{channel}-{index}"))
    with trt.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Response)) == 4
    result = run_turn(trt, Inbound(channel, sender, text, f"{channel}-withdraw"))
    assert result.replies and result.replies[0].kind == "notice"
    with trt.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Response)) == 0
        assert session.get_one(Participant, pid).withdrawn_how == channel
        bodies = session.scalars(select(Message.body)).all()
        assert not any("Zanzibar" in (b or "") for b in bodies)
    # A retry of the withdrawal is recognised and answered the same; nothing else is stored.
    again = run_turn(trt, Inbound(channel, sender, text, f"{channel}-withdraw"))
    assert again.replayed and [p.text for p in again.replies] == [p.text for p in result.replies]


def test_stop_by_text_offers_withdrawal_and_withdraw_still_works_after_stop(
    trt: Runtime, tclient: FlaskClient
) -> None:
    pid = add_person(trt, channel="sms", phone=PHONE)
    for index, text in enumerate(["YES", "yes", "yes", "4"]):
        post_sms(tclient, PHONE, text, f"SM-{index}")
    stop = post_sms(tclient, PHONE, "STOP", "SM-stop").get_data(as_text=True)
    assert "Reply WITHDRAW to delete them too" in stop
    with trt.db.reading() as session:
        assert session.get_one(Participant, pid).withdrawn_at is None  # STOP alone keeps the answers
        assert session.scalar(select(func.count()).select_from(Response)) == 3
    reply = post_sms(tclient, PHONE, "WITHDRAW", "SM-withdraw").get_data(as_text=True)
    assert "deleted your answers" in reply
    with trt.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Response)) == 0
        assert session.get_one(Participant, pid).withdrawn_how == "sms"
        # Still never texted again: the number stays on the suppression list, as a keyed hash only.
        assert session.scalar(select(func.count()).select_from(Suppression)) == 1


def test_web_chat_delete_button_needs_its_confirm_step(trt: Runtime, tclient: FlaskClient) -> None:
    pid = add_person(trt, channel="web")
    with trt.db.reading() as session:
        token = session.get_one(Participant, pid).chat_token
    page = tclient.get(f"/c/{token}").get_data(as_text=True)
    assert f'action="/c/{token}/withdraw"' in page and "Delete my answers" in page
    tclient.post(f"/c/{token}", data={"answer": "yes", "nonce": "n1"})
    tclient.post(f"/c/{token}/withdraw", data={})  # the button without its confirm value: nothing happens
    with trt.db.reading() as session:
        assert session.get_one(Participant, pid).withdrawn_at is None
    response = tclient.post(f"/c/{token}/withdraw", data={"confirm": "yes"})
    assert response.status_code == 303
    page = tclient.get(f"/c/{token}").get_data(as_text=True)
    assert "Your answers and contact details have been deleted" in page
    assert f'action="/c/{token}/withdraw"' not in page
    tclient.post(f"/c/{token}", data={"answer": "Zanzibar after", "nonce": "n2"})
    with trt.db.reading() as session:
        assert session.get_one(Participant, pid).withdrawn_how == "web"
        assert not any("Zanzibar" in (b or "") for b in session.scalars(select(Message.body)))


def test_cli_withdraw(trt: Runtime, trust_app) -> None:  # type: ignore[no-untyped-def]
    from app.cli import main

    pid = add_person(trt, channel="sms", phone=PHONE)
    run_turn(trt, Inbound("sms", PHONE, "YES", "SM-1"))
    result = trust_app.test_cli_runner().invoke(main, ["participant", "withdraw", "--id", str(pid), "--yes"])
    assert result.exit_code == 0, result.output
    assert "withdrawn" in result.output
    with trt.db.reading() as session:
        person = session.get_one(Participant, pid)
        assert person.withdrawn_how == "coordinator" and person.phone_encrypted is None
    missing = trust_app.test_cli_runner().invoke(main, ["participant", "withdraw", "--id", "999", "--yes"])
    assert missing.exit_code != 0 and "no participant 999" in missing.output


def test_stop_on_telegram_offers_withdrawal_too(trt: Runtime) -> None:
    add_person(trt, channel="telegram", telegram_chat_id=CHAT_ID)
    for index, reply in enumerate(["hi", "yes", "yes", "4"]):
        run_turn(trt, Inbound("telegram", CHAT_ID, reply, f"tg-{index}"))
    stopped = run_turn(trt, Inbound("telegram", CHAT_ID, "STOP", "tg-stop"))
    assert [p.text for p in stopped.replies][-1].startswith("Your answers so far are kept. Reply WITHDRAW")
    withdrawn = run_turn(trt, Inbound("telegram", CHAT_ID, "WITHDRAW", "tg-w"))
    assert withdrawn.replies[0].text.startswith("Thank you")
