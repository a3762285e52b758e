"""Several nodes on one database: a change log that every node follows.

Each node (an app server with its own instance folder: search indexes, page cache) keeps
things derived from the shared database. When content changes through one node, the
others must bring their copies up to date:

- Writing: a flush listener (`portal/changes.py` names the changes) adds a `change_log`
  row in the same transaction as the change itself (an outbox: no change commits without
  its row, no row without its change):
  `page` rows name a (slug, language) whose published translation changed (publish,
  unpublish, restore, translation, move, import), `site` rows say something else readers
  see changed (comments, surveys, navigation redirects, a user's shown name). Each row
  carries the writing node's id, so a node skips what it did itself (its publish hooks
  already updated its own index and page cache).
- Following: in every node, one worker (whichever holds the node's `sync.lock` file lock;
  the kernel hands it on when that worker dies) polls the log every
  `NODE_SYNC_INTERVAL` seconds, re-reads each changed page from the database, updates the
  node's search index (incrementally: only those pages), and bumps the node's page-cache
  stamp once (`portal.pagecache.bump`), which every worker of the node sees at once. The
  other workers' searchers reopen the index when it changed on disk, as they do after a
  local publish. Applying is idempotent (it reads the current state, not the row's), so a
  row read twice does no harm.
- Ids are handed out at insert but become visible at commit, so a later id can be seen
  before an earlier one: the follower remembers such gaps for `GAP_SECONDS` and reads
  them again until they fill in (or were rolled back).
- The position (last id applied) is kept in the instance folder, so a restarted node
  catches up on what it missed; a node whose position lies before the oldest kept row
  (rows are pruned after `KEEP`) rebuilds its index from the database. A new node starts
  by replaying the last `REPLAY_SECONDS` of the log.

Polling (one indexed query per second per node) was chosen over LISTEN/NOTIFY: it works the
same on every backend and through connection poolers, needs no dedicated connection, and a
notification missed during a reconnect cannot lose a change; it easily meets the goal of
"seen on every node within 5 seconds".
"""
import fcntl
import logging
import os
import threading
import time
import uuid
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, Index, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow

log = logging.getLogger(__name__)
KEEP = timedelta(days=1)            # change-log rows older than this are pruned
REPLAY_SECONDS = 600                # a node without a position starts this far back
GAP_SECONDS = 600                   # how long a missing id may still commit
PRUNE_EVERY = 600.0                 # seconds between prunes (by each node's follower)
BATCH = 2000                        # rows read per poll at most
POSITION_FILE = "sync-position"
LOCK_FILE = "sync.lock"
NODE_FILE = "node-id"


class ChangeLog(db.Model):
    """One change that other nodes must apply to what they derive from the database."""

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_at", "at"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    node: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(8))       # "page" or "site"
    slug: Mapped[str] = mapped_column(String(255), default="")
    lang: Mapped[str] = mapped_column(String(16), default="")


# -- which node this is -------------------------------------------------------------------

def node_id(app):
    """This node's id: `NODE_ID` if set, else one made once and kept in the instance folder."""
    ext = app.extensions
    if "signpost_node_id" not in ext:
        ext["signpost_node_id"] = app.config.get("NODE_ID") or _instance_node_id(app.instance_path)
    return ext["signpost_node_id"]


def _instance_node_id(instance_path):
    path = os.path.join(instance_path, NODE_FILE)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(uuid.uuid4().hex)
    with open(path) as fh:
        return fh.read().strip()[:32]


# -- writing: rows in the same transaction as the change ----------------------------------

def _log(session, changes):
    """Add this flush's changes to the log, in the same transaction (`changes.on_flush`)."""
    from flask import current_app, has_app_context
    if not has_app_context():
        return
    node = node_id(current_app)
    session.add_all(ChangeLog(node=node, kind=kind, slug=slug, lang=lang)
                    for kind, slug, lang in sorted(changes))


# -- following ---------------------------------------------------------------------------

class Follower:
    """Applies other nodes' changes to this node; `poll` does one round."""

    def __init__(self, app):
        self.app = app
        self.position = None
        self.gaps = {}  # id -> monotonic time it was first missed
        self.pruned_at = 0.0

    def poll(self):
        """Read and apply the log rows after this node's position; returns rows applied."""
        with self.app.app_context():
            try:
                return self._poll(db.session)
            finally:
                db.session.remove()

    def _poll(self, session):
        if self.position is None:
            self.position = self._start_position(session)
        floor = min([self.position, *(g - 1 for g in self.gaps)])
        rows = session.execute(select(ChangeLog.id, ChangeLog.node, ChangeLog.kind,
                                      ChangeLog.slug, ChangeLog.lang)
                               .where(ChangeLog.id > floor).order_by(ChangeLog.id)
                               .limit(BATCH)).all()
        fresh = [r for r in rows if r.id > self.position or r.id in self.gaps]
        self._note_gaps([r.id for r in rows])
        mine = node_id(self.app)
        theirs = [r for r in fresh if r.node != mine]
        if theirs:
            apply_changes(session, self.app, theirs)
        if fresh:
            self.position = max(self.position, rows[-1].id)
            self._save_position()
        self._prune(session)
        return len(theirs)

    def _note_gaps(self, ids):
        now = time.monotonic()
        for gap in [g for g in self.gaps if g in ids or now - self.gaps[g] > GAP_SECONDS]:
            del self.gaps[gap]
        last = self.position
        for i in ids:
            if i > last + 1 and i - last < 10_000:
                for missing in range(last + 1, i):
                    self.gaps.setdefault(missing, now)
            last = max(last, i)

    def _start_position(self, session):
        saved = _read_position(self.app)
        oldest, newest = session.execute(select(func.min(ChangeLog.id), func.max(ChangeLog.id))).one()
        if saved is not None:
            if saved > (newest or 0):  # a database restored from a backup, or a new one
                log.warning("The change log is behind this node's position (database restored?); "
                            "rebuilding its search index from the database")
                _rebuild(session, self.app)
                return newest or 0
            if oldest is not None and oldest > saved + 1 and saved > 0:
                log.warning("This node missed changes older than the change log keeps; "
                            "rebuilding its search index from the database")
                _rebuild(session, self.app)
            return saved
        since = utcnow() - timedelta(seconds=REPLAY_SECONDS)
        before = session.scalar(select(func.max(ChangeLog.id)).where(ChangeLog.at < since))
        return before or 0

    def _save_position(self):
        path = os.path.join(self.app.instance_path, POSITION_FILE)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w") as fh:
            fh.write(str(self.position))
        os.replace(tmp, path)

    def _prune(self, session):
        if time.monotonic() - self.pruned_at < PRUNE_EVERY:
            return
        self.pruned_at = time.monotonic()
        from portal.feedback.models import EventBatch
        now = utcnow()
        session.execute(delete(ChangeLog).where(ChangeLog.at < now - KEEP))
        session.execute(delete(EventBatch).where(EventBatch.received_at < now - 2 * KEEP))
        session.commit()


def _read_position(app):
    try:
        with open(os.path.join(app.instance_path, POSITION_FILE)) as fh:
            return int(fh.read().strip() or 0)
    except (OSError, ValueError):
        return None


def apply_changes(session, app, rows):
    """Bring this node's search index and page cache up to date with `rows`."""
    from portal.content.models import Page, Translation
    from portal.search import index
    pages = {(r.slug, r.lang) for r in rows if r.kind == "page"}
    if pages:
        slugs = {slug for slug, _lang in pages}
        current = {(page.slug, t.lang): t for t, page in session.execute(
            select(Translation, Page).join(Page).where(Page.slug.in_(slugs)))}
        found = [current[key] for key in pages if key in current]
        try:
            index.add(found)  # indexes the published ones, drops the others
            for slug, lang in pages - set(current):
                index.remove(slug, lang)
        except Exception:
            log.exception("search index update from the change log failed; run `portal reindex`")
    _bump(app, f"sync: {len(rows)} change(s) from other nodes")
    log.info("applied %d change(s) from other nodes (%d page(s))", len(rows), len(pages))


def _bump(app, reason):
    try:
        from portal import pagecache
    except ImportError:  # no page cache in this build: nothing to invalidate
        return
    pagecache.bump(app, reason)


def _rebuild(session, app):
    from portal.search import index
    try:
        index.rebuild(session)
    except Exception:
        log.exception("search index rebuild failed; run `portal reindex`")
    _bump(app, "sync: rebuilt after a long absence")


# -- running the follower in served processes --------------------------------------------

def enabled(app):
    """Follow the log? `NODE_SYNC`, else on for served apps and off in tests."""
    setting = app.config.get("NODE_SYNC")
    return (not app.testing) if setting is None else bool(setting)


class _Runner:
    """The follower thread of one process: leads while it holds the node's lock file."""

    def __init__(self, app):
        self.app, self.pid = app, os.getpid()
        self.follower = Follower(app)
        self.thread = threading.Thread(target=self._run, name="signpost-sync", daemon=True)
        self.thread.start()

    def _run(self):
        interval = float(self.app.config.get("NODE_SYNC_INTERVAL") or 1.0)
        lock = os.open(os.path.join(self.app.instance_path, LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o600)
        leading, failing = False, False
        while True:
            if not leading:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    leading = True
                    log.info("worker %d follows the change log for this node", os.getpid())
                except BlockingIOError:
                    time.sleep(interval * 5)
                    continue
            try:
                self.follower.poll()
                if failing:
                    log.warning("change log readable again")
                failing = False
            except Exception:
                if not failing:  # one line per outage, not one per second
                    log.exception("cannot follow the change log (retrying every %.0f s)", interval)
                failing = True
            time.sleep(interval)


class SyncStarter:
    """WSGI middleware: starts the follower in each served process on its first request.

    Started lazily rather than in `create_app`, so a process forked from a preloaded
    master gets its own thread, and CLI commands and tests start none.
    """

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self._runner = None
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        runner = self._runner
        if runner is None or runner.pid != os.getpid():
            with self._lock:
                if self._runner is None or self._runner.pid != os.getpid():
                    self._runner = _Runner(self.app)
        return self.wsgi_app(environ, start_response)


def init_app(app):
    """Log changes from this app's sessions; follow other nodes' changes when served."""
    from portal import changes
    changes.watch_sessions()
    changes.on_flush(_log)
    if enabled(app):
        app.wsgi_app = SyncStarter(app, app.wsgi_app)
