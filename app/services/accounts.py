"""Staff accounts: passwords, sign-in with throttling, review membership, peer assignments."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.models import USER_ROLES, LoginAttempt, Participant, PeerAssignment, Review, ReviewMember, User

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()  # argon2id with the library's current recommended costs
# Verifying against this when the email is unknown takes as long as a real check,
# so timing doesn't tell a guesser which emails have accounts.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """Something a coordinator asked for that we can't do, with the reason."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(password: str) -> None:
    # Length over complexity rules (NCSC guidance): a long passphrase is the easy strong choice.
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    session: Session, email: str, role: str, password: str | None = None
) -> tuple[User, str | None]:
    """Make an account. Without a password one is generated, returned once, and must be changed."""
    email = normalise_email(email)
    if role not in USER_ROLES:
        raise AccountError(f"Unknown role {role!r}: use one of {', '.join(USER_ROLES)}.")
    if "@" not in email:
        raise AccountError("An account needs an email address.")
    if find_user(session, email) is not None:
        raise AccountError(f"There is already an account for {email}.")
    generated = None
    if password is None:
        generated = secrets.token_urlsafe(15)  # 20 characters, shown once
        password = generated
    check_password_rules(password)
    user = User(
        email=email, role=role, password_hash=hash_password(password), must_change_password=bool(generated)
    )
    session.add(user)
    session.flush()
    return user, generated


def set_password(session: Session, user: User, password: str) -> None:
    """A new password signs the account out of every other session."""
    check_password_rules(password)
    user.password_hash = hash_password(password)
    user.must_change_password = False
    user.session_version += 1


def add_member(session: Session, user: User, review_id: int, lead: bool = False) -> ReviewMember:
    if session.get(Review, review_id) is None:
        raise AccountError(f"There is no review {review_id}.")
    member = session.scalar(
        select(ReviewMember).where(ReviewMember.review_id == review_id, ReviewMember.user_id == user.id)
    )
    if member is None:
        member = ReviewMember(review_id=review_id, user_id=user.id)
        session.add(member)
    member.is_lead = member.is_lead or lead
    session.flush()
    return member


def assign_peer(session: Session, peer_email: str, participant_id: int) -> PeerAssignment:
    """Let a peer talk with a participant; they join that participant's review too."""
    peer = find_user(session, peer_email)
    if peer is None or peer.role != "peer":
        raise AccountError(f"There is no peer account for {normalise_email(peer_email)}.")
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise AccountError(f"There is no participant {participant_id}.")
    add_member(session, peer, participant.review_id)
    assignment = session.scalar(
        select(PeerAssignment).where(
            PeerAssignment.peer_id == peer.id, PeerAssignment.participant_id == participant_id
        )
    )
    if assignment is None:
        assignment = PeerAssignment(peer_id=peer.id, participant_id=participant_id)
        session.add(assignment)
        session.flush()
    return assignment


def peer_ref(user: User) -> str:
    """How a peer is named on what they record (``conducted_by``, ``recorded_by``)."""
    return user.email


# -- signing in ---------------------------------------------------------------------
#
# Failed attempts are counted in the database, not in memory, so the limit holds
# across gunicorn workers and restarts. Two counters: per email and address (a
# mistyping colleague on a shared office address isn't locked out by another),
# and per email alone with a higher ceiling (a guesser spread over many
# addresses). Attempts older than the window are deleted as we go.


@dataclass(frozen=True)
class SignIn:
    user: User | None
    throttled: bool = False


def _key(secret: str, *parts: str) -> str:
    return hmac.new(secret.encode(), "\x00".join(parts).encode(), hashlib.sha256).hexdigest()


def sign_in(
    session: Session,
    email: str,
    password: str,
    address: str,
    *,
    secret: str,
    now: datetime,
    max_failures: int,
    window: timedelta,
) -> SignIn:
    """Check a password, counting failures; refuse outright once the limit is reached."""
    email = normalise_email(email)
    pair_key, email_key = _key(secret, email, address), _key(secret, email)
    since = now - window
    session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < since))
    recent_pair = session.scalar(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.key == pair_key)
    )
    recent_email = session.scalar(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email_key == email_key)
    )
    if (recent_pair or 0) >= max_failures or (recent_email or 0) >= max_failures * 4:
        return SignIn(None, throttled=True)
    user = find_user(session, email)
    if user is not None and user.active and _verify(user.password_hash, password):
        session.execute(delete(LoginAttempt).where(LoginAttempt.key == pair_key))
        user.last_login_at = now
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        return SignIn(user)
    if user is None:
        _verify(_DUMMY_HASH, password)
    session.add(LoginAttempt(key=pair_key, email_key=email_key, attempted_at=now))
    return SignIn(None)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def load_user(session: Session, session_id: str) -> User | None:
    """Flask-Login's loader: ``<id>.<session_version>``; an old version is signed out."""
    user_id, _, version = session_id.partition(".")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def sign_in_check(user: User, password: str) -> bool:
    """The user's own password, checked again before a change (no throttle: they are signed in)."""
    return _verify(user.password_hash, password)
