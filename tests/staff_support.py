"""Helpers for tests of the staff side: a small world of reviews, people and accounts, and signing in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.models import Concern
from app.services import accounts
from app.services.participants import NewParticipant, add_participant, create_review
from app.services.runtime import Runtime

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class World:
    """Two reviews of two councils; people assigned to two peers; one account per kind of user."""

    review_a: int = 0
    review_b: int = 0
    person_a1: int = 0  # review A, assigned to peer@
    person_a2: int = 0  # review A, assigned to other-peer@
    person_b1: int = 0  # review B, no peer
    token_a1: str = ""
    concern_a: int = 0
    emails: dict[str, str] = field(default_factory=dict)  # name -> email


def add_user(rt: Runtime, email: str, role: str, reviews: tuple[int, ...] = (), lead: bool = False) -> int:
    with rt.db.writing() as session:
        user, _ = accounts.create_user(session, email, role, PASSWORD)
        for review_id in reviews:
            accounts.add_member(session, user, review_id, lead=lead)
        return user.id


def add_person(rt: Runtime, review_id: int, audit_ref: str, **fields: Any) -> tuple[int, str]:
    with rt.db.writing() as session:
        person = add_participant(
            session, rt.crypto, NewParticipant(review_id=review_id, audit_ref=audit_ref, **fields)
        )
        return person.id, person.chat_token


def build_world(rt: Runtime) -> World:
    world = World()
    with rt.db.writing() as session:
        world.review_a = create_review(session, "Northshire Council", "Strengths-based practice").id
        world.review_b = create_review(session, "Southshire Council", "Carers").id
    world.person_a1, world.token_a1 = add_person(
        rt, world.review_a, "A1", first_name="Sam", variant="easy_read", channel="sms",
        phone="07700 900123", communication_needs=("easy_read", "extra_time"),
    )  # fmt: skip
    world.person_a2, _ = add_person(rt, world.review_a, "A2", first_name="Priya", role="relative")
    world.person_b1, _ = add_person(rt, world.review_b, "B1", first_name="Gareth", language="cy")
    users = {
        "coordinator": ("coord@example.org", "coordinator", (), False),
        "psw": ("psw@example.org", "psw", (world.review_a,), True),
        "outsider_psw": ("psw-b@example.org", "psw", (world.review_b,), False),
        "peer": ("peer@example.org", "peer", (), False),
        "other_peer": ("other-peer@example.org", "peer", (), False),
        "council": ("council@example.org", "council", (world.review_a,), False),
    }
    for name, (email, role, reviews, lead) in users.items():
        add_user(rt, email, role, reviews, lead)
        world.emails[name] = email
    with rt.db.writing() as session:
        accounts.assign_peer(session, "peer@example.org", world.person_a1)
        accounts.assign_peer(session, "other-peer@example.org", world.person_a2)
        concern = Concern(
            participant_id=world.person_a1, review_id=world.review_a, source="peer", channel="peer",
            note="Seemed frightened when the door went.", raised_by="peer@example.org",
        )  # fmt: skip
        session.add(concern)
        session.flush()
        world.concern_a = concern.id
    return world


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path)
    found = _CSRF.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {path} ({page.status_code})"
    return found.group(1)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def post(client: FlaskClient, path: str, data: dict[str, str] | None = None, **kwargs: Any) -> TestResponse:
    """A form post as the browser sends it, with the CSRF token of this client's session."""
    token = csrf_token(client, "/account/password")
    return client.post(path, data={**(data or {}), "csrf_token": token}, **kwargs)


def is_sign_in_redirect(response: TestResponse) -> bool:
    return response.status_code in (302, 303) and "/login" in response.headers.get("Location", "")


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2id, at the lowest cost: the production cost (~0.5 s a hash here) would slow every test."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
