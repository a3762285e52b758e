"""Sign-in throttling per account and per client, stored in the database.

Every failed sign-in counts against two keys: the account (the email typed) and the
client (the remote address). Both are kept only as an HMAC with the instance's secret
key, so neither typed emails nor IP addresses are stored in clear. The counts live in
the database, so every worker and every node sees the same limits.

A key's first few failures cost nothing. After that each further attempt must wait a
growing time (30 s, 60 s, 120 s, ... capped at 5 minutes), and at the lock threshold the
key is locked for 15 minutes. While a key must wait, attempts are refused without
checking the password (and without counting), so guessing cannot go faster by trying
harder. A successful sign-in clears the account's count; a key whose last failure is a
day old starts again from zero. Clients get more room than accounts, since many people
can share one address.

Functions take the session and `now`, so tests drive them with their own clock.
"""
import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete

from portal.auth.models import SignInThrottle


@dataclass(frozen=True)
class Policy:
    """How many failures a key may have, and how long it then waits."""

    free: int          # failures that cost nothing
    lock_at: int       # failures that lock the key for `lock_seconds`
    first_wait: int = 30
    max_wait: int = 300
    lock_seconds: int = 15 * 60
    forget_after: int = 24 * 3600

    def wait_after(self, failures):
        """Seconds to wait after the `failures`-th failure (0 when it is still free)."""
        if failures >= self.lock_at:
            return self.lock_seconds
        if failures < self.free:
            return 0
        return min(self.first_wait * 2 ** (failures - self.free), self.max_wait)


ACCOUNT = Policy(free=5, lock_at=10)
CLIENT = Policy(free=20, lock_at=50)


def account_key(secret, email):
    """The stored key of an account: an HMAC of the normalised email."""
    return "a:" + _hmac(secret, (email or "").strip().lower())


def client_key(secret, address):
    """The stored key of a client: an HMAC of its remote address (never the address)."""
    return "c:" + _hmac(secret, address or "unknown")


def _hmac(secret, value):
    return hmac.new(str(secret).encode(), value.encode(), hashlib.sha256).hexdigest()[:64]


def _policy(key):
    return ACCOUNT if key.startswith("a:") else CLIENT


def retry_after(session, keys, now):
    """Seconds until these keys may try again (0: go ahead), rounded up."""
    wait = 0
    for key in keys:
        row = session.get(SignInThrottle, key)
        if row is not None and row.blocked_until is not None and row.blocked_until > now:
            wait = max(wait, math.ceil((row.blocked_until - now).total_seconds()))
    return wait


def record_failure(session, keys, now):
    """Count one failed sign-in against every key; returns the longest wait it caused.

    Keys whose last failure is older than a day are deleted on the way, so guessing many
    made-up emails cannot grow the table without bound.
    """
    forget = now - timedelta(seconds=max(ACCOUNT.forget_after, CLIENT.forget_after))
    session.execute(delete(SignInThrottle).where(SignInThrottle.last_failure_at < forget,
                                                 SignInThrottle.key.not_in(keys)))
    wait = 0
    for key in keys:
        row = session.get(SignInThrottle, key)
        if row is None:
            row = SignInThrottle(key=key, failures=0, last_failure_at=now)
            session.add(row)
        elif (now - row.last_failure_at).total_seconds() > _policy(key).forget_after:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        seconds = _policy(key).wait_after(row.failures)
        row.blocked_until = now + timedelta(seconds=seconds) if seconds else None
        wait = max(wait, seconds)
    session.flush()
    return wait


def record_success(session, key):
    """A successful sign-in clears the account's failures."""
    row = session.get(SignInThrottle, key)
    if row is not None:
        session.delete(row)
        session.flush()


def unlock(session, key):
    """Clear a key's failures (an admin resetting a password unlocks the account)."""
    record_success(session, key)
