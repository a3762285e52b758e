"""Account operations: users, passwords, API tokens. The caller commits."""
import re
import secrets

from sqlalchemy import func, select

from portal.auth.models import ROLES, ApiToken, User, hash_password, verify_password
from portal.timeutil import utcnow

DEMO_PASSWORD = "signpost-demo"
DEMO_USERS = (("owner@example.com", "owner", "Olivia Owner"),
              ("writer@example.com", "writer", "Walter Writer"),
              ("reader@example.com", "reader", "Rita Reader"))


# 12 characters: OWASP ASVS 4.0 (2.1.1) asks at least 12; NIST SP 800-63B-4 asks 8 as one
# factor of several and 15 for a password used alone (docs/en/accounts.md says so).
MIN_PASSWORD = 12
MAX_PASSWORD = 200
# One rule for every way an account is made or named (CLI, admin page, sign-in form). The
# portal sends no mail, so only the form matters: reserved names such as .test, .local or
# .internal are real addresses on many intranets and are accepted.
EMAIL = re.compile(r"^[^\s@<>()\[\],;:\"\\]{1,64}@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+"
                   r"[^\W\d_](?:[\w-]{0,61}[^\W_])?$")


class AccountError(ValueError):
    """A request about accounts that cannot be carried out, with a message for people.

    `code` and `params` let a view say the same thing in the reader's language.
    """

    def __init__(self, message, code="invalid", **params):
        super().__init__(message)
        self.code = code
        self.params = params


def create_user(session, email, role, password=None, name=""):
    """Create a user; refuses unknown roles and duplicate emails."""
    email = check_email(email)
    _check_role(role)
    if len(name or "") > 120:
        raise AccountError("A name can have at most 120 characters.", "long_name")
    if find_user(session, email):
        raise AccountError(f"A user with the email {email} already exists.", "duplicate",
                           email=email)
    user = User(email=email, role=role, name=name)
    if password:
        check_new_password(password)
        user.set_password(password)
    session.add(user)
    session.flush()
    return user


def find_user(session, email):
    """The user with this email (case-insensitive), or None."""
    return session.scalar(select(User).where(User.email == (email or "").strip().lower()))


def check_email(email):
    """The normalised (trimmed, lower-case) address, or AccountError when it is not one."""
    email = (email or "").strip().lower()
    if len(email) > 254 or not EMAIL.match(email):
        raise AccountError(f"{email[:254]!r} is not an email address.", "bad_email",
                           email=email[:254])
    return email


def authenticate(session, email, password):
    """The active user whose password matches, or None.

    Every attempt checks one password hash, also for unknown emails, accounts without a
    password and deactivated accounts, so the answer's timing does not tell which exist.
    """
    user = find_user(session, email)
    stored = user.password_hash if user is not None else None
    matches = verify_password(stored or _dummy_hash(), password or "")
    if user is not None and stored and matches and user.active:
        return user
    return None


_dummy = []


def _dummy_hash():
    """A hash made like real ones (same method and cost) that no password matches."""
    if not _dummy:
        _dummy.append(hash_password(secrets.token_urlsafe(24)))
    return _dummy[0]


def revoke_sessions(session, user):
    """Sign `user` out on every device (session and remember cookies); API tokens stay."""
    user.revoke_sessions()
    session.flush()


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


def _check_role(role):
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}; use one of {', '.join(ROLES)}.", "bad_role")


def check_new_password(password):
    """Refuse passwords an admin should not hand out (too short or too long)."""
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"A password needs at least {MIN_PASSWORD} characters.",
                           "short_password", num=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"A password can have at most {MAX_PASSWORD} characters.",
                           "long_password", num=MAX_PASSWORD)


def list_users(session):
    """Every account with its number of active tokens, by email."""
    active_tokens = (select(ApiToken.user_id, func.count().label("n"))
                     .where(ApiToken.revoked_at.is_(None)).group_by(ApiToken.user_id).subquery())
    rows = session.execute(select(User, func.coalesce(active_tokens.c.n, 0))
                           .outerjoin(active_tokens, active_tokens.c.user_id == User.id)
                           .order_by(User.email)).all()
    return [(user, count) for user, count in rows]


def _active_admins(session):
    return session.scalar(select(func.count()).select_from(User)
                          .where(User.role == "admin", User.active.is_(True)))


def _keep_an_admin(session, user):
    if user.role == "admin" and user.active and _active_admins(session) <= 1:
        raise AccountError("This is the last active admin: make another user an admin first.",
                           "last_admin")


def change_role(session, user, role):
    """Give `user` another role; never leaves the instance without an active admin."""
    _check_role(role)
    if role != "admin":
        _keep_an_admin(session, user)
    user.role = role
    session.flush()


def set_active(session, user, active):
    """Deactivate (cannot sign in, tokens refused) or reactivate an account."""
    if not active:
        _keep_an_admin(session, user)
        user.revoke_sessions()
    user.active = bool(active)
    session.flush()


def reset_password(session, user, password):
    """Set a new password chosen by an admin."""
    check_new_password(password)
    user.set_password(password)
    user.revoke_sessions()
    session.flush()


def tokens_of(session, user):
    """A user's tokens, newest first (hashes only: a token is shown once, when created)."""
    return session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                           .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()
