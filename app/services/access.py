"""Who may do what: every access rule of the staff pages, in this one module.

Views say what they need with ``@requires(action)`` (or ``@requires(action,
load=...)`` for one object named in the URL); :func:`can` decides. A request
for any route that is neither guarded here nor listed in :data:`PUBLIC` is
refused (see :func:`is_public`), so a new page is closed until someone decides
who may see it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, request
from flask_login import current_user
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, object_session

from app.models import Concern, Participant, PeerAssignment, Review, ReviewMember, User

F = TypeVar("F", bound=Callable[..., Any])

# Routes anyone may reach, and why. Matched on the route's rule, by prefix when it ends in "/".
PUBLIC: dict[str, str] = {
    "/": "the front door: says what Heard is, shows no one's data",
    "/healthz": "the load balancer's health check",
    "/login": "signing in",
    "/static/": "style sheets and scripts",
    "/easy-read/": "easy-read pictures: drawings shipped with the app, no one's data",
    "/c/": "a participant's own web chat: the unguessable link is their key, they have no account",
    "/webhooks/": "SMS, voice and Telegram providers: each request's signature or secret is checked",
    "/sandbox/": "the demo phone: fake numbers only, for trying Heard on one machine",
    "/audio/": "prompts spoken ahead of time: the flows' own words, never a first name",
    "/f/": "a participant's own feedback page (issue 8): the unguessable link is their key, as for /c/",
    "/what-changed/": "a review's public 'what changed' page: actions and consented quotes, no personal data",
}

ROLE_HOME = {
    "coordinator": "coordinator.dashboard",
    "psw": "psw.home",
    "peer": "peer.home",
    "council": "council.council_home",
}


def is_public(rule: str) -> bool:
    """Whether a route (its rule, e.g. ``/c/<token>``) is in :data:`PUBLIC`.

    "/" is the front page only; an entry ending in "/" covers everything under it.
    """
    for path in PUBLIC:
        if path == "/" or not path.endswith("/"):
            if rule == path:
                return True
        elif rule.startswith(path) or rule == path.rstrip("/"):
            return True
    return False


# -- the rules ------------------------------------------------------------------------


def _member(session: Session, user: User, review_id: int, *, lead: bool = False) -> bool:
    query = select(ReviewMember.id).where(
        ReviewMember.user_id == user.id, ReviewMember.review_id == review_id
    )
    if lead:
        query = query.where(ReviewMember.is_lead.is_(True))
    return bool(session.scalar(select(exists(query))))


def _assigned(session: Session, user: User, participant_id: int) -> bool:
    query = select(PeerAssignment.id).where(
        PeerAssignment.peer_id == user.id, PeerAssignment.participant_id == participant_id
    )
    return bool(session.scalar(select(exists(query))))


def _council_member(session: Session, user: User, council_id: int) -> bool:
    query = (
        select(ReviewMember.id)
        .join(Review, Review.id == ReviewMember.review_id)
        .where(ReviewMember.user_id == user.id, Review.council_id == council_id)
    )
    return bool(session.scalar(select(exists(query))))


def can(user: Any, action: str, obj: Any = None) -> bool:
    """Whether ``user`` may do ``action`` (to ``obj``, a model loaded in a live session)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    role = user.role
    if action == "signed_in":
        return True
    if action == "coordinate":
        return role == "coordinator"
    if action == "psw_pages":
        return role in ("psw", "coordinator")
    if action == "peer_console":
        return role == "peer"
    if action == "council_pages":
        return role in ("council", "coordinator")
    if obj is None:
        raise ValueError(f"{action!r} needs the object it is about")
    session = object_session(obj)
    assert session is not None, "load the object in a session before asking"
    if action == "see_review" and isinstance(obj, Review):
        return role == "coordinator" or (role == "psw" and _member(session, user, obj.id))
    if action == "import_audit" and isinstance(obj, Review):
        # Issue 7: the review's own PSWs load their case-records audit (a coordinator may help).
        return role == "coordinator" or (role == "psw" and _member(session, user, obj.id))
    if action == "see_answers" and isinstance(obj, Participant):
        # PSWs read answers beside the audit; peers never see stored answers.
        return role == "coordinator" or (role == "psw" and _member(session, user, obj.review_id))
    if action == "conduct" and isinstance(obj, Participant):
        return role == "peer" and _assigned(session, user, obj.id)
    if action == "see_council_review" and isinstance(obj, Review):
        return role == "coordinator" or (role == "council" and _council_member(session, user, obj.council_id))
    if action == "feedback" and isinstance(obj, Review):
        # Issue 8: the council's own staff record actions and send "you said, we did" for its reviews.
        return role == "coordinator" or (role == "council" and _council_member(session, user, obj.council_id))
    if action == "see_concern" and isinstance(obj, Concern):
        return role == "coordinator" or (role == "psw" and _member(session, user, obj.review_id, lead=True))
    raise ValueError(f"no rule for {action!r} on {type(obj).__name__}")


# -- the decorator views use -----------------------------------------------------------


def requires(action: str, load: Callable[[Session, dict[str, Any]], Any] | None = None) -> Callable[[F], F]:
    """Refuse the view unless ``can(current_user, action, obj)``.

    Not signed in: off to the sign-in page. Signed in but not allowed: 403.
    ``load(session, view_args)`` finds the object the URL names (None -> 403, or 404 for a
    coordinator, so ids can't be probed).
    """

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            from app.services.runtime import runtime
            from app.web.security import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if load is None:
                allowed = can(current_user, action)
            else:
                with runtime().db.reading() as session:
                    obj = load(session, dict(request.view_args or {}))
                    user = session.get(User, current_user.id)
                    if obj is None:
                        # Only a coordinator learns that an id doesn't exist: to anyone
                        # else a missing record looks like one they may not see.
                        abort(404 if user is not None and user.role == "coordinator" else 403)
                    allowed = can(user, action, obj)
            if not allowed:
                abort(403)
            return view(*args, **kwargs)

        guarded.heard_access = action  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def is_guarded(view: Callable[..., Any] | None) -> bool:
    return view is not None and hasattr(view, "heard_access")


def participant_in_url(session: Session, args: dict[str, Any]) -> Participant | None:
    return session.get(Participant, args["participant_id"])


def review_in_url(session: Session, args: dict[str, Any]) -> Review | None:
    return session.get(Review, args["review_id"])


def concern_in_url(session: Session, args: dict[str, Any]) -> Concern | None:
    return session.get(Concern, args["concern_id"])
