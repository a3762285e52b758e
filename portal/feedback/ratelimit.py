"""Rate limits for reader events, without storing who the client is.

Every key is a SHA-256 of a daily salt and what it stands for (an address, or an address
and a user agent); the salt comes from the app's secret and today's date, so keys cannot
be linked across days and the address itself is never kept. Counts run in one-minute
windows, and a batch is charged to three budgets at once:

- the client (address and user agent): `EVENT_RATE_LIMIT`, one reader's budget;
- the address, whatever the user agent: `EVENT_RATE_LIMIT_PER_ADDRESS`. Changing the user
  agent no longer starts a fresh budget, and the many readers of an office or a proxy
  behind one address still share a budget many readers wide;
- bot-looking requests (dropped, only counted) have their own budget per address,
  `EVENT_RATE_LIMIT_BOTS`: past it they get 429 and write nothing, and they never use up
  the budget of the readers behind the same address.

Counts live in this worker's memory, or in Redis when `REDIS_URL` is set, so every worker
of every node shares them. When Redis cannot be reached the limiter counts in memory again
(one log line per outage, one when Redis is back) rather than refusing readers or failing
the request.
"""
import hashlib
import logging
import threading
import time
from datetime import date

log = logging.getLogger(__name__)
WINDOW = 60


def wall_clock():
    """Seconds since the epoch: budgets count per clock minute (the same minute on every
    worker and node)."""
    return time.time()


HASHES_KEPT = 10_000  # client and address keys remembered (of today) before starting over
# Seconds to count in memory after Redis failed before trying it again.
REDIS_RETRY = 5.0

# Check every budget, then charge all of them, in one atomic step on the Redis server.
_TAKE = """
local n = tonumber(ARGV[1])
for i = 1, #KEYS do
  local used = tonumber(redis.call('GET', KEYS[i]) or '0')
  if used + n > tonumber(ARGV[i + 1]) then return 0 end
end
for i = 1, #KEYS do
  if redis.call('INCRBY', KEYS[i], n) == n then redis.call('EXPIRE', KEYS[i], 120) end
end
return 1
"""


class MemoryCounts:
    """Counts of the current window in this process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._window = None
        self._counts = {}

    def take(self, budgets, amount, window):
        """Charge `amount` to every (key, limit) in `budgets` if all have room; True if so."""
        with self._lock:
            if window != self._window:
                self._window, self._counts = window, {}
            if any(self._counts.get(key, 0) + amount > limit for key, limit in budgets):
                return False
            for key, _limit in budgets:
                self._counts[key] = self._counts.get(key, 0) + amount
            return True


class RedisCounts:
    """Counts in Redis, shared by every worker and node; memory while Redis is down."""

    def __init__(self, url, prefix="signpost:rate:"):
        import redis  # only deployments that set REDIS_URL need the server
        self._errors = redis.RedisError
        self._client = redis.Redis.from_url(url, socket_connect_timeout=0.25,
                                            socket_timeout=0.25)
        self._script = self._client.register_script(_TAKE)
        self._prefix, self._url = prefix, _without_password(url)
        self._fallback = MemoryCounts()
        self._down_until = None  # monotonic time to try Redis again while it is down

    def take(self, budgets, amount, window):
        """Charge the budgets in Redis; in memory while Redis is unreachable."""
        if self._down_until is not None and time.monotonic() < self._down_until:
            return self._fallback.take(budgets, amount, window)
        keys = [f"{self._prefix}{window}:{key}" for key, _limit in budgets]
        try:
            allowed = self._script(keys=keys, args=[amount, *(limit for _k, limit in budgets)])
        except self._errors as exc:
            if self._down_until is None:
                log.warning("Redis at %s unreachable (%s): rate limits counted in each "
                            "worker's memory until it is back", self._url, exc)
            self._down_until = time.monotonic() + REDIS_RETRY
            return self._fallback.take(budgets, amount, window)
        if self._down_until is not None:
            log.warning("Redis at %s is back: rate limits shared again", self._url)
            self._down_until = None
        return bool(allowed)


class RateLimiter:
    """Fixed one-minute windows of events per client, per address and per bot address."""

    def __init__(self, secret, limit, address_limit=None, bot_limit=None, redis_url=None):
        self.secret, self.limit = secret, int(limit or 0)
        self.address_limit = int(address_limit if address_limit is not None else self.limit * 10)
        self.bot_limit = int(bot_limit if bot_limit is not None else self.limit)
        self.counts = RedisCounts(redis_url) if redis_url else MemoryCounts()
        self.shared = bool(redis_url)  # counting asks Redis over the network
        # Recent clients' keys: a reader's browser sends a batch every 15 s, each charged
        # to two keys; hashing them again each time was a tenth of a small batch's cost.
        self._hashes = {}

    def _hash(self, *parts, today=None):
        today = today or date.today().isoformat()
        key = (today, parts)
        found = self._hashes.get(key)
        if found is None:
            salt = f"{self.secret}|{today}"
            found = hashlib.sha256("|".join(map(str, (salt, *parts))).encode()).hexdigest()
            if len(self._hashes) >= HASHES_KEPT:  # a new day, or very many clients
                self._hashes.clear()
            self._hashes[key] = found
        return found

    def client_key(self, address, user_agent, today=None):
        """The salted, daily-rotating hash that stands for a client."""
        return self._hash(address, user_agent, today=today)

    def address_key(self, address, today=None):
        """The salted, daily-rotating hash that stands for an address, any user agent."""
        return self._hash("address", address, today=today)

    def allow(self, key, events, now=None):
        """Count `events` for `key` alone; (allowed, seconds to wait) for this minute."""
        return self._take([(key, self.limit)], events, now)

    def allow_events(self, address, user_agent, events, bot=False, now=None):
        """Count an event batch against its client's, address's or bots' budgets."""
        if self.limit <= 0:
            return True, 0
        if bot:
            budgets = [("bot:" + self.address_key(address), self.bot_limit)]
        else:
            budgets = [(self.client_key(address, user_agent), self.limit),
                       (self.address_key(address), self.address_limit)]
        return self._take(budgets, events, now)

    def _take(self, budgets, events, now):
        if self.limit <= 0:
            return True, 0
        now = wall_clock() if now is None else now
        if self.counts.take(budgets, events, int(now // WINDOW)):
            return True, 0
        return False, WINDOW - int(now % WINDOW)


def from_config(config):
    """The event rate limiter that `config` asks for (memory, or Redis with REDIS_URL)."""
    return RateLimiter(config["SECRET_KEY"], config["EVENT_RATE_LIMIT"],
                       config.get("EVENT_RATE_LIMIT_PER_ADDRESS"),
                       config.get("EVENT_RATE_LIMIT_BOTS"), config.get("REDIS_URL") or None)


def _without_password(url):
    """`url` fit for a log line: no password."""
    head, at, tail = url.rpartition("@")
    return (head.split("//", 1)[0] + "//***@" + tail) if at else url
