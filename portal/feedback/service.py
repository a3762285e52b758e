"""Per-app plumbing for ingest: the group committer, the rate limiter, known pages."""
import contextlib
import fcntl
import logging
import os
import threading
import time

from flask import current_app
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from portal.content import queries
from portal.database import health
from portal.extensions import db
from portal.feedback.store import side_effect_events, store_batches, write_events
from portal.feedback.validate import IngestError
from portal.feedback import ratelimit
from portal.feedback.writer import BackgroundCommit, GroupCommit

log = logging.getLogger(__name__)
_lock = threading.Lock()
RETRY_SECONDS = 5


def _state():
    ext = current_app.extensions
    if "signpost_ingest" not in ext:
        with _lock:
            if "signpost_ingest" not in ext:
                write_lock = _write_lock()
                ext["signpost_ingest"] = {
                    "writer": GroupCommit(
                        _flush, spacing=float(current_app.config["EVENT_COMMIT_SPACING"]),
                        enough=int(current_app.config["EVENT_COMMIT_ENOUGH"])),
                    "limiter": ratelimit.from_config(current_app.config),
                    "pages": (float("-inf"), None, frozenset()),
                    "pages_lock": threading.Lock(),
                    "write_lock": write_lock,
                    "background": _background_writer(current_app._get_current_object(),
                                                     db.engine, write_lock)}
    return ext["signpost_ingest"]


def _background_writer(app, engine, write_lock):
    """The committer of batches validated in an event loop (`store_later`).

    It runs in a thread of its own, outside any app context: `_write` pushes one only for
    a group with votes or search clicks (ORM rows), not for every group.
    """
    def flush(batches):
        _write(batches, engine, write_lock, app)
        if health.down:
            health.succeeded(wrote=True)
    return BackgroundCommit(flush, spacing=float(app.config["EVENT_COMMIT_SPACING"]))


def _write_lock():
    """What the committing thread holds while it writes: across workers, for SQLite."""
    if db.engine.dialect.name != "sqlite":
        return contextlib.nullcontext()
    return WorkerLock(os.path.join(current_app.instance_path, "ingest.lock"))


class WorkerLock:
    """An exclusive lock shared by every worker process of one instance (flock on a file).

    SQLite lets one connection write at a time; a writer that finds the database locked
    sleeps in growing steps (1, 2, 5, 10 ms...) however soon the lock frees. Taking turns
    on a file lock instead wakes the next worker the moment the last commit ends: ingest
    measured ~35k -> ~41k events/s with both workers writing. The kernel releases the
    lock of a process that dies.
    """

    def __init__(self, path):
        self.path = path
        self._fd = None
        self._open = threading.Lock()

    def __enter__(self):
        if self._fd is None:
            with self._open:
                if self._fd is None:
                    self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self._fd, fcntl.LOCK_UN)


def _flush(batches):
    """Write one group in one transaction and commit it (under the workers' write lock)."""
    _write(batches, db.engine, _state()["write_lock"])


def _write(batches, engine, write_lock, app=None):
    """Write one group in one transaction on `engine` and commit it, holding `write_lock`.

    Plain events go through a Core connection: the ORM session's bookkeeping cost more per
    group than the rows themselves. A group with votes or search clicks (ORM rows) takes
    the session as before, in an app context of `app` when the caller has none.
    """
    with write_lock:
        if side_effect_events(batches):
            with app.app_context() if app is not None else contextlib.nullcontext():
                try:
                    store_batches(db.session, batches)
                    db.session.commit()
                except Exception:
                    db.session.rollback()
                    raise
            return
        with engine.connect() as conn, conn.begin():  # commits, or rolls back on error
            write_events(conn, batches)


def store(batch):
    """Store a validated batch durably (group commit); returns when it is committed.

    A database that cannot take the write (down, or locked past the busy timeout) is
    IngestError 503 with a Retry-After: the client keeps its events and sends them later.
    """
    try:
        _state()["writer"].submit(batch)
    except (OperationalError, InterfaceError) as exc:
        raise unavailable(exc) from None
    if health.down:  # events are written through the driver: SQLAlchemy's events miss them
        health.succeeded(wrote=True)
    return len(batch.events)


def unavailable(exc):
    """IngestError 503 with Retry-After for a database error that stopped a write (the
    client keeps its events and sends them later); one log line per outage."""
    health.failed(exc)
    refusal = IngestError(503, "The event store is unavailable right now; retry in "
                               f"{RETRY_SECONDS} seconds.", retry_after=RETRY_SECONDS)
    refusal.reason = "unavailable"
    return refusal


def store_later(batch):
    """Queue a validated batch for the background committer; returns an asyncio Future
    done once it is committed (call it in the running event loop, which must not wait in
    a thread)."""
    return _state()["background"].submit(batch)


def loop_safe():
    """True when validating a batch needs no network round trip (no Redis rate limits)."""
    return not _state()["limiter"].shared


def limiter():
    """This worker's rate limiter."""
    return _state()["limiter"]


def known_pages(max_age=2.0):
    """Published (slug, lang) pairs; re-read when content changed, checked every `max_age` s.

    One thread re-reads while the others keep using the last list, and the read uses its
    own short session: a request thread must not hold a pooled connection while it waits
    for a group commit, or a burst of such threads could leave the committer none.
    """
    state = _state()
    checked, stamp, pairs = state["pages"]
    if time.monotonic() - checked < max_age:
        return pairs
    if not state["pages_lock"].acquire(blocking=stamp is None):
        return pairs  # another thread is re-reading
    try:
        checked, stamp, pairs = state["pages"]
        if time.monotonic() - checked < max_age:
            return pairs
        with Session(db.engine) as session:
            current = tuple(str(s) for s in queries.content_stamp(session))
            if current != stamp:
                pairs = frozenset(queries.published_pairs(session))
        state["pages"] = (time.monotonic(), current, pairs)
        return pairs
    finally:
        state["pages_lock"].release()
