"""Account operations: users, passwords, API tokens. The caller commits."""
import secrets

from sqlalchemy import select

from portal.auth.models import ROLES, ApiToken, User
from portal.timeutil import utcnow

DEMO_PASSWORD = "signpost-demo"
DEMO_USERS = (("owner@example.com", "owner", "Olivia Owner"),
              ("writer@example.com", "writer", "Walter Writer"),
              ("reader@example.com", "reader", "Rita Reader"))


class AccountError(ValueError):
    """A request about accounts that cannot be carried out, with a message for people."""


def create_user(session, email, role, password=None, name=""):
    """Create a user; refuses unknown roles and duplicate emails."""
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise AccountError(f"{email!r} is not an email address.")
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}; use one of {', '.join(ROLES)}.")
    if find_user(session, email):
        raise AccountError(f"A user with the email {email} already exists.")
    user = User(email=email, role=role, name=name)
    if password:
        user.set_password(password)
    session.add(user)
    session.flush()
    return user


def find_user(session, email):
    """The user with this email (case-insensitive), or None."""
    return session.scalar(select(User).where(User.email == (email or "").strip().lower()))


def authenticate(session, email, password):
    """The active user whose password matches, or None."""
    user = find_user(session, email)
    if user and user.active and user.check_password(password):
        return user
    return None


def create_token(session, user, name=""):
    """Issue a new API token; returns the plain token (only its hash is stored)."""
    token = "sp_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=ApiToken.hash(token), name=name))
    session.flush()
    return token


def user_for_token(session, token):
    """The active user owning an unrevoked token, or None."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token),
                                                ApiToken.revoked_at.is_(None)))
    if row is None or not row.user.active:
        return None
    row.last_used_at = utcnow()
    return row.user


def revoke_tokens(session, user):
    """Revoke every token of `user`; returns how many were revoked."""
    count = 0
    for token in user.tokens:
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            count += 1
    return count


def create_demo_users(session):
    """Create the demo accounts that do not exist yet."""
    created = []
    for email, role, name in DEMO_USERS:
        if not find_user(session, email):
            created.append(create_user(session, email, role, DEMO_PASSWORD, name))
    return created
