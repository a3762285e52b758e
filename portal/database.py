"""Database engine settings shared by every backend, and outage detection."""
import errno
import logging
import threading
import time

from sqlalchemy import event
from werkzeug.routing import IntegerConverter

log = logging.getLogger(__name__)


def configure_engine_events(engine, busy_timeout_ms=10000):
    """Watch for outages; turn on WAL, foreign keys and a busy timeout for SQLite."""
    watch_outages(engine)
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.close()


# -- outages ------------------------------------------------------------------------------
#
# While the database cannot be reached (PostgreSQL stopped or restarting, a SQLite file
# locked past the busy timeout, read-only, or on a full disk) requests that need it are
# answered 503 with a Retry-After instead of a 500 and a traceback each. The first such
# error logs one line; the first statement that succeeds afterwards logs the recovery.

RETRY_AFTER = 5  # seconds a client is asked to wait before trying again
# SQLite errors that are about the database file's state, not about the statement.
_SQLITE_OUTAGE = ("database is locked", "database table is locked", "readonly database",
                  "database or disk is full", "disk i/o error", "unable to open database",
                  "database is busy", "attempt to write a readonly")
_FILE_OUTAGE = frozenset({errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EIO})
# PostgreSQL SQLSTATE classes that mean the server or connection is unavailable:
# 08 connection exception, 53 insufficient resources (disk full), 57P operator intervention.
_PG_OUTAGE_STATES = ("08", "53", "57P")


def is_outage(exc):
    """True when `exc` says the database is unreachable or cannot take writes right now."""
    from sqlalchemy import exc as sa_exc
    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(exc, OSError) and exc.errno in _FILE_OUTAGE:  # the instance folder's disk
        return True
    if not isinstance(exc, sa_exc.DBAPIError):
        return False
    if exc.connection_invalidated or isinstance(exc, sa_exc.InterfaceError):
        return True
    orig = exc.orig
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state:
        return state.startswith(_PG_OUTAGE_STATES)
    if isinstance(exc, sa_exc.OperationalError):
        message = str(orig).lower()
        if type(orig).__module__.startswith("sqlite3"):
            return any(part in message for part in _SQLITE_OUTAGE)
        return True  # a driver error without SQLSTATE: the connection could not be made
    return False


class Health:
    """This process's view of the database: up, or down since when (logged once each way).

    A database that cannot be reached at all is back with the first statement that
    works. One that still reads but cannot write (a SQLite file locked, read-only or on a
    full disk) is back only with the first write that commits: reads going through in
    between must not log a recovery and a new outage for every request.
    """

    # A failure this soon after a recovery belongs to the same outage (a server still
    # starting up, a connection from before it): no new pair of log lines for it.
    SETTLE_SECONDS = 10.0

    def __init__(self):
        self.down_since = None
        self.writes_only = False
        self.recovered_at = None
        self.quiet = False  # the current outage continues a logged one: no lines for it
        self._lock = threading.Lock()

    @property
    def down(self):
        """True between a reported outage and the next success that ends it."""
        return self.down_since is not None

    def failed(self, exc):
        """Record an outage error; logs one line when the database was thought up."""
        writes_only = _is_write_side(exc)
        with self._lock:
            if self.down_since is not None:
                self.writes_only = self.writes_only and writes_only
                return
            now = time.monotonic()
            self.down_since, self.writes_only = now, writes_only
            self.quiet = (self.recovered_at is not None
                          and now - self.recovered_at < self.SETTLE_SECONDS)
            if self.quiet:
                return
        log.warning("Database unavailable (%s); answering 503 and serving what is held in "
                    "memory until it is back", _short(exc))

    def succeeded(self, wrote=True):
        """Record a statement (or, `wrote`, a committed write) that worked."""
        with self._lock:
            if self.down_since is None or (self.writes_only and not wrote):
                return
            since, self.down_since = self.down_since, None
            self.recovered_at = time.monotonic()
            if self.quiet:
                return
        log.warning("Database available again after %.1f s", time.monotonic() - since)


health = Health()
_wrote = threading.local()  # this thread's transaction holds a write that went through


def _is_write_side(exc):
    orig = getattr(exc, "orig", None)
    if isinstance(exc, OSError):
        return True
    return orig is not None and type(orig).__module__.startswith("sqlite3") and any(
        part in str(orig).lower() for part in _SQLITE_OUTAGE if part != "unable to open database")


def _short(exc):
    """The first line of the driver's message, without SQL or a traceback."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {text[0][:200] if text else ''}"


def watch_outages(engine):
    """Report the engine's outage errors and the first success after one to `health`."""

    @event.listens_for(engine, "handle_error")
    def _failed(context):
        error = context.sqlalchemy_exception
        if (error is not None and is_outage(error)) or context.is_disconnect:
            health.failed(error or context.original_exception)

    @event.listens_for(engine, "after_cursor_execute")
    def _worked(conn, cursor, statement, parameters, context, executemany):
        if health.down_since is not None:
            if context is not None and (context.isinsert or context.isupdate or context.isdelete):
                _wrote.value = True
            health.succeeded(wrote=False)

    from sqlalchemy.orm import Session
    if not event.contains(Session, "after_commit", _committed):
        event.listen(Session, "after_commit", _committed)
        event.listen(Session, "after_rollback", _rolled_back)


def _committed(_session):
    if getattr(_wrote, "value", False):
        _wrote.value = False
        health.succeeded(wrote=True)


def _rolled_back(_session):
    _wrote.value = False


class IdConverter(IntegerConverter):
    """`<int:...>` in URLs: ids fit the database's integer columns (PostgreSQL's `integer`
    stops at 2**31 - 1); a larger one matches no route (404) instead of failing the query."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
