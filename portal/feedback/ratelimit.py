"""Per-client rate limit without storing who the client is.

The key is a SHA-256 of a daily salt, the address and the user agent; the salt comes
from the app's secret and today's date, so keys cannot be linked across days and the
address itself is never kept. Counts live in this worker's memory (one minute windows).
"""
import hashlib
import threading
import time
from datetime import date


class RateLimiter:
    """Fixed one-minute windows of `limit` events per client key."""

    def __init__(self, secret, limit):
        self.secret, self.limit = secret, int(limit or 0)
        self._lock = threading.Lock()
        self._window = None
        self._counts = {}

    def client_key(self, address, user_agent, today=None):
        """The salted, daily-rotating hash that stands for a client."""
        salt = f"{self.secret}|{today or date.today().isoformat()}"
        return hashlib.sha256(f"{salt}|{address}|{user_agent}".encode()).hexdigest()

    def allow(self, key, events, now=None):
        """Count `events` for `key`; (allowed, seconds to wait) for this minute."""
        if self.limit <= 0:
            return True, 0
        now = time.time() if now is None else now
        window = int(now // 60)
        with self._lock:
            if window != self._window:
                self._window, self._counts = window, {}
            used = self._counts.get(key, 0)
            if used + events > self.limit:
                return False, 60 - int(now % 60)
            self._counts[key] = used + events
            return True, 0
