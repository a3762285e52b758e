"""Users with roles, and API tokens stored as hashes."""
import hashlib
import hmac
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow

ROLES = ("reader", "writer", "owner", "admin")


def hash_password(password):
    """A salted hash of `password` (werkzeug's default method and cost)."""
    return generate_password_hash(password)


def verify_password(password_hash, password):
    """True when `password` matches `password_hash`; the one place a hash is checked."""
    return check_password_hash(password_hash, password)


def new_session_nonce():
    """A fresh random value for `User.session_nonce`."""
    return secrets.token_hex(16)


class User(UserMixin, db.Model):
    """A person who can log in. Roles are ordered: each includes the ones before it."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(16), default="reader")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of the login id kept in the session and remember cookies: replacing it (sign-out,
    # new password) makes every copy of those cookies, on any device, sign in no one.
    session_nonce: Mapped[str] = mapped_column(String(32), default=new_session_nonce,
                                               server_default="")
    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user")

    def get_id(self):
        """Flask-Login: the login id stored in the session and remember cookies."""
        return f"{self.id}:{self.session_nonce}"

    def matches_login_id(self, login_id):
        """True when `login_id` (from a cookie) carries this user's current nonce."""
        return hmac.compare_digest(self.get_id().encode(), str(login_id).encode())

    def revoke_sessions(self):
        """Sign this user out everywhere: old session and remember cookies stop working."""
        self.session_nonce = new_session_nonce()

    @property
    def is_active(self):
        """Flask-Login: deactivated users cannot log in."""
        return self.active

    def set_password(self, password):
        """Store a salted hash of `password`."""
        self.password_hash = hash_password(password)

    def check_password(self, password):
        """True when `password` matches the stored hash."""
        return bool(self.password_hash) and verify_password(self.password_hash, password)

    def has_role(self, role):
        """True when the user's role is `role` or a higher one."""
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def display_name(self):
        """Name to show in the UI."""
        return self.name or self.email.split("@")[0]


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user: Mapped[User] = relationship(back_populates="tokens")

    @staticmethod
    def hash(token):
        """The stored form of a token."""
        return hashlib.sha256(token.encode()).hexdigest()


class SignInThrottle(db.Model):
    """Failed sign-ins counted per account or per client, keyed by a salted hash.

    `key` is an HMAC of the email or of the remote address (never stored in clear);
    `blocked_until` is when the next attempt may be checked again.
    """

    __tablename__ = "sign_in_throttle"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
