"""Every route of the app, for every kind of user: allowed means 200, not allowed means 403 or sign-in.

The routes come from ``app.url_map``, so a route added later fails here until
someone decides who may use it (add it to ALLOWED, or to PUBLIC in
app/services/access.py with the reason).
"""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from app.services.access import PUBLIC, is_guarded, is_public
from app.services.runtime import Runtime
from tests.staff_support import World, build_world, csrf_token, is_sign_in_redirect, sign_in

USERS = ("coordinator", "psw", "outsider_psw", "peer", "other_peer", "council")

# endpoint -> who may use it, in the world of tests/staff_support.py (ids point at review A,
# Sam (assigned to "peer") and the concern about Sam; "psw" is review A's lead).
ALLOWED: dict[str, set[str]] = {
    "auth.home": set(USERS),
    "auth.password": set(USERS),
    "auth.logout": set(USERS),
    "coordinator.dashboard": {"coordinator"},
    "coordinator.audit_trail": {"coordinator"},
    "psw.home": {"coordinator", "psw", "outsider_psw"},
    "psw.psw_review": {"coordinator", "psw"},
    "psw.answers": {"coordinator", "psw"},
    "peer.home": {"peer", "other_peer"},
    "peer.conversation": {"peer"},
    "peer.start": {"peer"},
    "peer.answer": {"peer"},
    "peer.card": {"peer"},
    "peer.pause": {"peer"},
    "peer.stop": {"peer"},
    "peer.worried": {"peer"},
    "peer.withdraw": {"peer"},  # issue 9: erases only with the confirm value, which the matrix doesn't send
    "council.council_home": {"coordinator", "council"},
    "council.council_review": {"coordinator", "council"},
    "concerns.concern": {"coordinator", "psw"},
    "concerns.acknowledge": {"coordinator", "psw"},
    # Issue 9: a participant's consent, withdrawal and subject access, for the coordinator.
    **{f"trust.{name}": {"coordinator"} for name in ("participant", "record_consent", "withdraw", "export")},
    # Issue 7's PSW dashboard.
    "dashboard.review": {"coordinator", "psw"},
    "dashboard.audit_refs": {"coordinator", "psw"},
    "dashboard.chart": {"coordinator", "psw"},
    "dashboard.download": {"coordinator", "psw"},
    "dashboard.upload": {"coordinator", "psw"},
    "dashboard.region": {"coordinator"},
    # Issue 8's "you said, we did" pages: the council's own staff (council@ is on review A).
    **{
        f"council_feedback.{name}": {"coordinator", "council"}
        for name in (
            "actions", "add_action", "update_action", "feedback", "draft", "approve_all", "send_all",
            "message", "save_message", "preview_page", "preview_letter", "resolve_message",
        )
    },
}

# Reached with no account, by design; the reason for each is in access.PUBLIC.
PUBLIC_ENDPOINTS = {
    "main.index", "main.healthz", "main.easy_read_picture", "static", "auth.login",
    "chat.chat", "chat.answer", "chat.text_size", "chat.withdraw_answers",
    "webhooks.sms", "webhooks.status", "telegram.webhook",
    "voice.call_started", "voice.gathered", "voice.recording", "voice.call_status", "voice.audio_file",
    "sandbox.phones", "sandbox.phone", "sandbox.reply", "sandbox.invite",
    "sandbox.call", "sandbox.start_call", "sandbox.answer_call",
    "feedback_page.page", "feedback_page.reply", "feedback_page.letter", "feedback_page.what_changed",
}  # fmt: skip


def _url(app: Flask, rule, world: World) -> str:  # type: ignore[no-untyped-def]
    values = {
        "participant_id": world.person_a1,
        "review_id": world.review_a,
        "concern_id": world.concern_a,
        "token": world.token_a1,
        "name": "hello.svg",
        "filename": "heard.css",
        "chart": "overall",
        "fmt": "csv",
        "action_id": getattr(world, "action_id", 0),  # issue 8: review A's action and Sam's feedback
        "message_id": getattr(world, "message_id", 0),
    }
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{arg: values[arg] for arg in rule.arguments})


def _requests(app: Flask) -> list[tuple[str, str, object]]:
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule))
    # Signing out last, so it doesn't sign the client out of the rest.
    return sorted(found, key=lambda item: (item[0] == "auth.logout", item[0], item[1]))


def test_every_route_is_public_by_design_or_guarded_and_in_this_matrix(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint in PUBLIC_ENDPOINTS:
            assert is_public(rule.rule), f"{rule.rule} is not listed in access.PUBLIC with a reason"
            assert not is_guarded(view)
        else:
            assert is_guarded(view), f"{rule.rule} ({rule.endpoint}) says nobody may use it: add @requires"
            assert not is_public(rule.rule), f"{rule.rule} is guarded but also listed as public"
            assert rule.endpoint in ALLOWED, f"{rule.endpoint} is new: add it to this matrix"
    assert all(reason.strip() for reason in PUBLIC.values())


def _with_feedback(rt: Runtime, world: World) -> None:
    """Review A gets an action, and Sam (who asked to hear back by text) a draft about it (issue 8)."""
    from app.models import Participant
    from app.services.feedback.actions import NewAction, add_action
    from app.services.feedback.drafting import draft_review

    with rt.db.writing() as session:
        sam = session.get_one(Participant, world.person_a1)
        sam.hear_back, sam.hear_back_channel = True, "text"
        new = NewAction(world.review_a, "Calls were slow", "We call back", "done")
        action = add_action(session, new, rt.clock())
        world.action_id = action.id  # type: ignore[attr-defined]
    [line] = [x for x in draft_review(rt, world.review_a) if x.participant_id == world.person_a1]
    world.message_id = line.feedback_message_id  # type: ignore[attr-defined]


def test_role_by_endpoint_matrix(app: Flask, rt: Runtime) -> None:
    world = build_world(rt)
    _with_feedback(rt, world)
    clients: dict[str, FlaskClient] = {}
    for name in USERS:
        clients[name] = app.test_client()
        assert sign_in(clients[name], world.emails[name]).status_code == 302
    anonymous = app.test_client()
    checked = 0
    failures: list[str] = []
    for endpoint, method, rule in _requests(app):
        if endpoint in PUBLIC_ENDPOINTS:
            continue
        url = _url(app, rule, world)
        for name in (*USERS, "anonymous"):
            client = clients.get(name, anonymous)
            if method == "GET":
                response = client.get(url)
            else:
                token = csrf_token(client, "/account/password" if name != "anonymous" else "/login")
                response = client.post(url, data={"csrf_token": token, "note": "worried", "answer": "yes"})
            allowed = name in ALLOWED[endpoint]
            if allowed and endpoint == "auth.logout":
                ok = is_sign_in_redirect(response) and is_sign_in_redirect(client.get("/home"))
            elif allowed:
                ok = response.status_code in (200, 400) if method == "POST" else response.status_code == 200
                if response.status_code in (302, 303):
                    ok = not is_sign_in_redirect(response)
            elif name == "anonymous":
                ok = is_sign_in_redirect(response)
            else:
                ok = response.status_code == 403
            checked += 1
            if not ok:
                failures.append(f"{name:13} {method:4} {url}: {response.status_code} (allowed: {allowed})")
    assert not failures, "\n".join(failures)
    assert checked >= len(ALLOWED) * (len(USERS) + 1)


def test_public_routes_need_no_account(client: FlaskClient, rt: Runtime) -> None:
    world = build_world(rt)
    for path in (
        "/",
        "/healthz",
        "/login",
        "/easy-read/hello.svg",
        "/static/heard.css",
        f"/c/{world.token_a1}",
    ):
        response = client.get(path)
        assert response.status_code == 200, path


def test_a_peer_cannot_reach_another_peers_participant_by_changing_the_id(app: Flask, rt: Runtime) -> None:
    world = build_world(rt)
    client = app.test_client()
    sign_in(client, world.emails["other_peer"])
    own = client.get(f"/peer/participants/{world.person_a2}")
    assert own.status_code == 200 and "Priya" in own.get_data(as_text=True)
    for person in (world.person_a1, world.person_b1):
        for suffix in ("", "/card", "/worried"):
            response = client.get(f"/peer/participants/{person}{suffix}")
            assert response.status_code == 403, suffix
            assert "Sam" not in response.get_data(as_text=True)
    token = csrf_token(client, "/account/password")
    started = client.post(f"/peer/participants/{world.person_a1}/start", data={"csrf_token": token})
    assert started.status_code == 403
    home = client.get("/peer/").get_data(as_text=True)
    assert "Priya" in home and "Sam" not in home and "Gareth" not in home
    # A missing id answers like someone else's, so a peer can't probe which ids exist.
    assert client.get("/peer/participants/99999").status_code == 403
