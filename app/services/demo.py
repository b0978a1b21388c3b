"""A demo review a newcomer can try on one machine (`heard demo`, run by `make run`).

It shows the whole product, every row written by the service that owns it:
a council, a review and five participants; four staff accounts (coordinator,
the review's lead PSW, a peer assigned to Sam and Margaret, a council
officer); the PSWs' audit of the five audit refs, imported from
``content/demo/audit_wm12.csv``; two finished conversations (Priya by text,
Gareth in Welsh on the web) played through ``run_turn`` from
``content/demo/conversations.yaml``; and two "you said, we did" actions from
``content/demo/actions.yaml``. Sam, Margaret and Tom are left for the
newcomer to try.

Every step checks what is there first, so running it again adds nothing and
prints the same links and logins. The staff passwords are generated once per
machine into ``instance/demo_passwords.txt`` (mode 0600), never a password
known to everyone; ``heard demo`` refuses to run when HEARD_ENV=production.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.channels.base import Inbound
from app.config import INSTANCE, ROOT, is_production
from app.engine import State
from app.models import AuditAssessment, AuditRecord, Council, Participant, Response, Review
from app.services import accounts
from app.services.audit_import import import_audit
from app.services.consent import record_consent
from app.services.feedback.actions import NewAction, add_action, review_actions
from app.services.participants import NewParticipant, add_participant, create_review
from app.services.runtime import Runtime
from app.services.turns import current_conversation, open_conversation, run_turn

DEMO_COUNCIL = "Demo Borough Council"
DEMO_THEME = "Strengths-based practice"
DEMO_DIR = ROOT / "content" / "demo"
AUDIT_CSV = "audit_wm12.csv"
CONVERSATIONS = "conversations.yaml"
ACTIONS = "actions.yaml"
RECORDED_BY = "demo"
MAX_TURNS = 60  # a guard: the flow asks about fifteen questions

# Numbers in Ofcom's range kept for drama: they never reach a real phone.
DEMO_PEOPLE = (
    NewParticipant(0, "A1", "Sam", "person", "web", "easy_read", "en", communication_needs=("easy_read",)),
    NewParticipant(0, "A2", "Priya", "relative", "sms", "standard", "en", phone="+447700900101"),
    NewParticipant(0, "A3", "Gareth", "person", "web", "standard", "cy"),
    NewParticipant(
        0,
        "A4",
        "Margaret",
        "carer",
        "voice",
        "easy_read",
        "en",
        phone="+447700900102",
        communication_needs=("audio", "extra_time"),
    ),
    NewParticipant(0, "A5", "Tom", "person", "telegram", "standard", "en"),
)
CHANNEL_WORDS = {"sms": "by text", "web": "on the web", "voice": "by phone", "telegram": "on Telegram"}


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str  # on a reserved domain (RFC 2606): never a real mailbox
    label: str
    home: str  # the page their sign-in lands on (app/services/access.py ROLE_HOME)
    lead: bool = False  # a member (and the lead) of the demo review
    member: bool = False
    talks_with: tuple[str, ...] = ()  # audit refs of the participants a peer is assigned to


DEMO_ACCOUNTS = (
    DemoAccount("coordinator", "coordinator@demo.heard.example", "coordinator", "/coordinator/"),
    DemoAccount("psw", "psw@demo.heard.example", "PSW, the review's lead", "/psw/", lead=True, member=True),
    DemoAccount(
        "peer",
        "peer@demo.heard.example",
        "peer, talks with Sam and Margaret",
        "/peer/",
        talks_with=("A1", "A4"),
    ),
    DemoAccount("council", "council@demo.heard.example", "council officer", "/council/", member=True),
)


class DemoRefused(RuntimeError):
    """`heard demo` was asked for where it must not run."""


@dataclass(frozen=True)
class Login:
    label: str
    email: str
    password: str
    home_url: str


@dataclass
class DemoResult:
    review_id: int
    made: list[str] = field(default_factory=list)  # what this run added; empty when it was all there
    links: list[str] = field(default_factory=list)  # one line per participant, with their chat link
    answered: list[str] = field(default_factory=list)  # the participants whose conversation is done
    logins: list[Login] = field(default_factory=list)
    pages: list[tuple[str, str]] = field(default_factory=list)  # (what it is, its URL)
    passwords_file: Path | None = None
    sign_in_url: str = ""
    sandbox_url: str = ""


def seed(rt: Runtime) -> DemoResult:
    """Make whatever of the demo is missing, through the real services; describe all of it."""
    if is_production(rt.config):
        raise DemoRefused(
            "heard demo does not run when HEARD_ENV=production: it makes staff accounts with "
            "printed passwords and made-up people. Use a development database to try Heard."
        )
    base = rt.config["PUBLIC_BASE_URL"]
    review_id, made_review = _review(rt)
    result = DemoResult(review_id=review_id, sign_in_url=f"{base}/login", sandbox_url=f"{base}/sandbox/")
    if made_review:
        result.made.append(f"the demo review with {len(DEMO_PEOPLE)} participants")
    result.passwords_file = passwords_path(rt)
    result.logins, made_accounts = _accounts(rt, review_id, result.passwords_file)
    if made_accounts:
        result.made.append(made_accounts)
    made_audit = _audit(rt, review_id)
    if made_audit:
        result.made.append(made_audit)
    played = _conversations(rt, review_id)
    if played:
        result.made.append(f"{len(played)} finished conversation(s) ({', '.join(played)})")
    added = _actions(rt, review_id)
    if added:
        result.made.append(f'{added} "you said, we did" action(s)')
    result.links, result.answered = _participant_lines(rt, review_id)
    result.pages = [
        ("PSW dashboard: the audit beside what people said", f"{base}/psw/reviews/{review_id}/dashboard"),
        ("Each audit ref, ratings beside answers", f"{base}/psw/reviews/{review_id}/audit-refs"),
        ("Peer console", f"{base}/peer/"),
        ('Council: "you said, we did" actions', f"{base}/council/reviews/{review_id}/actions"),
        ("Council: draft and send feedback", f"{base}/council/reviews/{review_id}/feedback"),
        ("Coordinator", f"{base}/coordinator/"),
        ('Public "what changed" page (no sign-in)', f"{base}/what-changed/{review_id}"),
    ]
    return result


# -- the review and its participants ------------------------------------------------------


def _review(rt: Runtime) -> tuple[int, bool]:
    with rt.db.writing() as session:
        review = session.scalar(
            select(Review).join(Council).where(Council.name == DEMO_COUNCIL).order_by(Review.id).limit(1)
        )
        if review is not None:
            return review.id, False
        review = create_review(session, DEMO_COUNCIL, DEMO_THEME, rt.config["DEFAULT_FLOW"])
        for person in DEMO_PEOPLE:
            added = add_participant(session, rt.crypto, replace(person, review_id=review.id))
            # As a coordinator records it: they agreed to be contacted (so `heard invite` may text them).
            record_consent(
                session,
                added.id,
                "contact",
                True,
                channel="coordinator",
                recorded_by=RECORDED_BY,
                now=rt.clock(),
            )
        return review.id, True


def _of_ref(query: Select[Any], review_id: int, audit_ref: str) -> Select[Any]:
    """Narrow a query on Participant to the demo review's participant at ``audit_ref``."""
    return query.join(AuditRecord, AuditRecord.id == Participant.audit_record_id).where(
        Participant.review_id == review_id, AuditRecord.audit_ref == audit_ref
    )


def _participant_lines(rt: Runtime, review_id: int) -> tuple[list[str], list[str]]:
    links, answered = [], []
    with rt.db.reading() as session:
        participants = session.scalars(
            select(Participant).where(Participant.review_id == review_id).order_by(Participant.id)
        ).all()
        for p in participants:
            links.append(
                f"{p.audit_ref} {p.first_name} ({p.role}, {p.variant.replace('_', ' ')}, {p.language}, "
                f"prefers {p.channel}): {rt.chat_url(p.chat_token)}"
            )
            conversation = current_conversation(session, p.id)
            if conversation is not None and conversation.status == "completed":
                how = CHANNEL_WORDS.get(conversation.channel, conversation.channel)
                welsh = " in Welsh" if p.language == "cy" else ""
                answered.append(f"{p.audit_ref} {p.first_name} ({how}{welsh})")
    return links, answered


# -- staff accounts --------------------------------------------------------------------------


def passwords_path(rt: Runtime) -> Path:
    return Path(rt.config.get("DEMO_PASSWORDS_FILE") or INSTANCE / "demo_passwords.txt")


def _read_passwords(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        email, _, password = line.strip().partition(" ")
        if email and not email.startswith("#") and password.strip():
            found[email] = password.strip()
    return found


def _write_passwords(path: Path, passwords: dict[str, str]) -> None:
    """Owner-only from the first byte (0600): never world-readable, even for a moment."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Heard demo staff accounts (made by `heard demo`; never used in production): email password"]
    lines += [f"{email} {password}" for email, password in passwords.items()]
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(path, 0o600)  # the file may have been there already, with a looser mode
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


def _accounts(rt: Runtime, review_id: int, path: Path) -> tuple[list[Login], str | None]:
    """The four demo accounts, each with this machine's demo password; no change asked at first sign-in."""
    passwords = _read_passwords(path)
    missing = [a.email for a in DEMO_ACCOUNTS if a.email not in passwords]
    if missing:
        for email in missing:
            passwords[email] = f"demo-{secrets.token_urlsafe(12)}"  # 21 characters: over the 12 asked for
        _write_passwords(path, passwords)  # first, so a failure below never leaves accounts no one can use
    made, reset = 0, 0
    with rt.db.writing() as session:
        for account in DEMO_ACCOUNTS:
            password = passwords[account.email]
            user = accounts.find_user(session, account.email)
            if user is None:
                # A password given here is the account's own: no forced change at first sign-in.
                user, _ = accounts.create_user(session, account.email, account.role, password)
                made += 1
            elif not accounts.sign_in_check(user, password):
                # The file was lost or belongs to another database: make the printed password true.
                accounts.set_password(session, user, password)
                reset += 1
            if account.member or account.lead:
                accounts.add_member(session, user, review_id, lead=account.lead)
            for audit_ref in account.talks_with:
                participant_id = session.scalar(_of_ref(select(Participant.id), review_id, audit_ref))
                if participant_id is not None:
                    accounts.assign_peer(session, account.email, participant_id)
    base = rt.config["PUBLIC_BASE_URL"]
    logins = [Login(a.label, a.email, passwords[a.email], f"{base}{a.home}") for a in DEMO_ACCOUNTS]
    notes = [f"{made} staff account(s)"] if made else []
    if reset:
        notes.append(f"{reset} demo password(s) reset to match {path}")
    return logins, "; ".join(notes) or None


# -- the PSWs' audit -------------------------------------------------------------------------


def _audit(rt: Runtime, review_id: int) -> str | None:
    with rt.db.writing() as session:
        if session.scalar(select(AuditAssessment.id).where(AuditAssessment.review_id == review_id).limit(1)):
            return None  # imported already (perhaps replaced by a PSW's own upload): leave it be
        text = (DEMO_DIR / AUDIT_CSV).read_text(encoding="utf-8-sig")
        imported = import_audit(session, review_id, text, "wm12", imported_by=RECORDED_BY, now=rt.clock())
        if not imported.ok:  # our own file: a problem here is a bug, said plainly
            raise RuntimeError(f"{AUDIT_CSV}: " + "; ".join(str(p) for p in imported.problems))
        return f"the audit of {imported.records} records ({AUDIT_CSV})"


# -- conversations ---------------------------------------------------------------------------


def _load(name: str) -> Any:
    return yaml.safe_load((DEMO_DIR / name).read_text(encoding="utf-8"))


def _conversations(rt: Runtime, review_id: int) -> list[str]:
    """Play each scripted conversation through run_turn, as its channel would deliver it."""
    played = []
    for script in _load(CONVERSATIONS):
        with rt.db.reading() as session:
            participant = session.scalar(_of_ref(select(Participant), review_id, script["audit_ref"]))
            if participant is None or not participant.contactable:
                continue  # withdrawn or opted out since: nothing more is said for them
            conversation = current_conversation(session, participant.id)
            if conversation is not None and conversation.status != "active":
                continue  # finished (or expired, withdrawn): done already
            participant_id, token, name = participant.id, participant.chat_token, participant.first_name
        ref, channel = script["audit_ref"], script["channel"]
        sender = _phone_of(ref) if channel == "sms" else token  # as each channel knows them
        if channel == "web":
            open_conversation(rt, participant_id, "web")  # as opening the chat link does
        elif script.get("opening"):
            _say(rt, channel, sender, script["opening"], f"demo-{ref}-opening")
        tries: dict[str, int] = {}
        for _ in range(MAX_TURNS):
            node = _waiting_on(rt, participant_id)
            if node is None:
                break
            attempt = tries.get(node, 0)
            tries[node] = attempt + 1
            replies = script["replies"].get(node) or []
            text = replies[attempt] if attempt < len(replies) else "SKIP"
            _say(rt, channel, sender, text, f"demo-{ref}-{node}-{attempt}")
        played.append(f"{ref} {name}")
    return played


def _say(rt: Runtime, channel: str, sender: str, text: str, provider_id: str) -> None:
    # With the provider id a real message carries: a run cut short and started again is
    # recognised as a retry (app/services/turns.py), never stored or answered twice.
    run_turn(rt, Inbound(channel=channel, sender=sender, text=text, provider_id=provider_id))


def _waiting_on(rt: Runtime, participant_id: int) -> str | None:
    """The question the participant's conversation is waiting on; None once it has ended."""
    with rt.db.reading() as session:
        conversation = current_conversation(session, participant_id)
        if conversation is None or conversation.status != "active":
            return None
        return State.from_dict(conversation.state).node


def _phone_of(audit_ref: str) -> str:
    return next(p.phone for p in DEMO_PEOPLE if p.audit_ref == audit_ref and p.phone)


# -- "you said, we did" ----------------------------------------------------------------------


def _actions(rt: Runtime, review_id: int) -> int:
    added = 0
    with rt.db.writing() as session:
        already = {a.you_said for a in review_actions(session, review_id)}
        for item in _load(ACTIONS):
            if item["you_said"] in already:
                continue
            new = NewAction(
                review_id=review_id,
                you_said=item["you_said"],
                we_did=item.get("we_did"),
                status=item.get("status", "planned"),
                themes=item.get("themes", ()),
                audit_refs=item.get("audit_refs", ()),
                response_ids=_answers(session, review_id, item.get("answers", ())),
                owner=item.get("owner"),
                headline=bool(item.get("headline")),
                wording=item.get("wording") or {},
                created_by=RECORDED_BY,
            )
            add_action(session, new, rt.clock())
            added += 1
    return added


def _answers(session: Session, review_id: int, names: list[str]) -> list[int]:
    """``A2/easy_to_reach`` -> that participant's stored answer to that question (when there is one)."""
    ids = []
    for name in names:
        audit_ref, _, node = name.partition("/")
        query = select(Response.id).join(Participant, Participant.id == Response.participant_id)
        found = session.scalar(
            _of_ref(query, review_id, audit_ref).where(Response.node == node).order_by(Response.id).limit(1)
        )
        if found is not None:
            ids.append(found)
    return ids
