"""Anonymous reader pages served from prepared bytes, and the content stamp behind them.

A reader page (`/<lang>/`, `/<lang>/docs/<slug>`) asked for without a signed-in session
is the same for every anonymous reader. `PageFastPath` (WSGI middleware) keeps its bytes
per worker, keyed by URL (scheme, host, script root, path), UI language, the content
stamp and the UI catalog's file stamp, and answers repeats without Flask: no dispatch, no
template, no database. The first view of a key goes through Flask, whose reader view
renders the anonymous variant (`begin_shared_render`: no account menu, no CSRF token, no
flashed messages, the session never read, so no `Vary: Cookie`); the middleware stores
what Flask answered and adds `ETag` (a hash of the bytes: strong, and the same in every
worker), `Last-Modified` and `Cache-Control: public, max-age=PAGE_CACHE_MAX_AGE`, then
answers 304 to a matching `If-None-Match` (or, without one, `If-Modified-Since`). Hits
and misses send the same headers: both are built from the stored entry.

Signed-in readers (a session carrying a user, or a remember-me cookie) get the dynamic
page with `Cache-Control: private, no-store`.

Content stamp API (stable: other modules and other nodes' followers call it)
----------------------------------------------------------------------------
    bump(app, reason)   Call after a committed change that alters what readers see
                        (publish, translation, navigation, comments, surveys, a user's
                        shown name), or after learning of such a change made elsewhere
                        (another node). Replaces a small file in the instance folder,
                        so every worker process sees the new stamp on its next request.
                        Cheap (one small file write); safe to call from any thread.
    current(app)        A hashable token that changes on every bump (one os.stat, ~1 us).
    changed_at(app)     When the last bump happened (UNIX seconds, float).

Changes made through this process's SQLAlchemy sessions bump the stamp by themselves
(`watch_sessions`: an after-commit hook on the watched models); code that changes content
by other means (raw SQL, another node) calls `bump`. A bump makes every cached page be
rendered again on its next view; a page whose bytes come out the same keeps its ETag and
Last-Modified, so browsers' and proxies' copies of pages the change did not touch stay
valid (304). A UI catalog (`translations/<ui>/LC_MESSAGES/messages.mo`) that changes on
disk drops Flask-Babel's loaded catalogs and the pages of that UI language.
"""
import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict
from email.utils import formatdate

from sqlalchemy import event, inspect as sa_inspect
from werkzeug.http import parse_cookie, parse_date, parse_etags

log = logging.getLogger(__name__)

STAMP_FILE = "content-stamp"
ENVIRON_KEY = "signpost.pagecache"  # "candidate" from the middleware, "shared" from the view
PRIVATE = "private, no-store"
# Session keys an anonymous visitor can carry (a sign-in form's CSRF token, what
# Flask-Login leaves after sign-out); anything else (a user id, flashed messages, a
# comment draft, a remember-me clean-up) means the page is rendered for that session.
ANONYMOUS_SESSION_KEYS = frozenset({"csrf_token", "_fresh", "_id", "_permanent"})
# Headers Flask sends that a stored page must not repeat, or that are made per answer.
_DROPPED = frozenset({"content-length", "set-cookie", "date", "etag", "last-modified",
                      "cache-control", "expires"})
_NOT_ON_304 = frozenset({"content-type", "content-length", "content-language"})


# -- the content stamp ----------------------------------------------------------------

def _stamp_path(app):
    return os.path.join(app.instance_path, STAMP_FILE)


def bump(app, reason):
    """Tell every worker (and this one) that what readers see has changed."""
    path = _stamp_path(app)
    tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    with open(tmp, "w") as fh:
        fh.write(f"{time.time():.6f} {reason}\n")
    os.replace(tmp, path)  # a new inode each time: the stamp changes even within one mtime tick
    log.info("content stamp bumped: %s", reason)


def current(app):
    """The content stamp: changes on every `bump`."""
    try:
        st = os.stat(_stamp_path(app))
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def changed_at(app):
    """UNIX time of the last bump (0 before the first)."""
    try:
        return os.stat(_stamp_path(app)).st_mtime
    except FileNotFoundError:
        return 0.0


# -- what invalidates: commits touching watched models -----------------------------------

_WATCHED = {}  # model class -> (attribute names whose change matters or None for any, inserts)


def watch(model, attributes=None, inserts=True):
    """Bump the stamp after a commit that adds, changes or deletes a `model` row.

    With `attributes`, an update bumps only when one of them changed (a user signing in
    updates `last_sign_in_at`, which no page shows; a renamed user changes comments);
    `inserts=False` ignores new rows (a new account is shown nowhere yet).
    """
    _WATCHED[model] = (frozenset(attributes) if attributes else None, inserts)


def _matters(obj, kind):
    watched = _WATCHED.get(type(obj))
    if watched is None:
        return False
    attrs, inserts = watched
    if kind == "new":
        return inserts
    if kind == "deleted" or attrs is None:
        return True
    state = sa_inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in attrs)


def _before_flush(session, flush_context, instances):
    changed = [o for o in session.new if _matters(o, "new")]
    changed += [o for o in session.deleted if _matters(o, "deleted")]
    changed += [o for o in session.dirty if session.is_modified(o) and _matters(o, "dirty")]
    if changed:
        session.info.setdefault("pagecache_changes", set()).update(
            type(o).__name__ for o in changed)


def _orm_execute(state):
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ in _WATCHED:
        state.session.info.setdefault("pagecache_changes", set()).add(
            state.bind_mapper.class_.__name__)


def _after_commit(session):
    changes = session.info.pop("pagecache_changes", None)
    if not changes:
        return
    from flask import current_app, has_app_context
    if has_app_context():
        bump(current_app._get_current_object(), "commit: " + ", ".join(sorted(changes)))


def _after_rollback(session):
    session.info.pop("pagecache_changes", None)


def init_app(app):
    """Serve anonymous reader pages through `PageFastPath`; bump on content commits."""
    from portal.auth.models import User
    from portal.comments.models import PageComment
    from portal.content.models import Page, PageRedirect, Translation
    from portal.feedback.models import SurveySetting
    for model in (Page, Translation, PageRedirect, PageComment, SurveySetting):
        watch(model)
    watch(User, attributes=("name", "email"), inserts=False)
    watch_sessions()
    _keep_session_untouched(app)
    app.wsgi_app = PageFastPath(app, app.wsgi_app)


def _keep_session_untouched(app):
    """Flask-Login's remember-cookie hook reads the session after every request, which
    makes Flask add `Vary: Cookie`; a shared render has no session and no remember cookie
    to refresh, so the hook is skipped for it (and only for it)."""
    from flask import request
    from flask_login import LoginManager

    def skipping(hook):
        def hook_unless_shared(response):
            if request.environ.get(ENVIRON_KEY) == "shared":
                return response
            return hook(response)
        return hook_unless_shared

    hooks = app.after_request_funcs.get(None, [])
    for i, hook in enumerate(hooks):
        if getattr(hook, "__func__", None) is LoginManager._update_remember_cookie:
            hooks[i] = skipping(hook)


def watch_sessions():
    """Install the session hooks once per process (every Session, every app)."""
    from sqlalchemy.orm import Session
    if event.contains(Session, "after_commit", _after_commit):
        return
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "do_orm_execute", _orm_execute)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)


# -- the view's side -------------------------------------------------------------------

def begin_shared_render():
    """In a reader view: True when this render is the anonymous page every reader shares.

    Makes the request anonymous without reading the session (so Flask adds no
    `Vary: Cookie`) and with no flashed messages; the middleware stores the result.
    """
    from flask import current_app, g, request
    from flask.globals import request_ctx
    if request.environ.get(ENVIRON_KEY) != "candidate":
        return False
    g._login_user = current_app.login_manager.anonymous_user()
    request_ctx.flashes = []
    request.environ[ENVIRON_KEY] = "shared"
    return True


# -- the store and the middleware ------------------------------------------------------

class Entry:
    """One stored page: its bytes, the headers to send, and what it was made under."""

    __slots__ = ("stamp", "catalog", "body", "headers", "headers_304", "etag", "modified",
                 "modified_at")

    def __init__(self, stamp, catalog, body, headers, modified_at, max_age):
        self.stamp, self.catalog, self.body = stamp, catalog, body
        self.etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        self.modified_at = int(modified_at)
        self.modified = formatdate(self.modified_at, usegmt=True)
        cache = [("ETag", self.etag), ("Last-Modified", self.modified),
                 ("Cache-Control", f"public, max-age={max_age}")]
        self.headers = headers + [("Content-Length", str(len(body)))] + cache
        self.headers_304 = [(k, v) for k, v in headers if k.lower() not in _NOT_ON_304] + cache


class PageStore:
    """A bounded LRU of entries (by total bytes), one per worker process."""

    def __init__(self, max_bytes):
        self.max_bytes, self.size = max_bytes, 0
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        """The entry for `key` (any stamp), or None."""
        entry = self._entries.get(key)
        if entry is not None:
            try:
                self._entries.move_to_end(key)
            except KeyError:  # evicted by another thread meanwhile
                pass
        return entry

    def put(self, key, entry):
        """Keep `entry`, evicting the least recently used past the byte budget."""
        if len(entry.body) > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self._entries[key] = entry
            self.size += len(entry.body)
            while self.size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.size -= len(dropped.body)

    def clear(self):
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self.size = 0


class PageFastPath:
    """WSGI middleware: anonymous GET/HEAD of reader pages answered from stored bytes."""

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        cfg = app.config
        self.enabled = cfg.get("PAGE_CACHE", True)
        self.max_age = int(cfg.get("PAGE_CACHE_MAX_AGE", 60))
        self.store = PageStore(int(cfg.get("PAGE_CACHE_MAX_BYTES", 16 * 1024 * 1024)))
        self.content_langs = frozenset(cfg["CONTENT_LANGUAGES"])
        self.ui_langs = list(cfg["UI_LANGUAGES"])
        self.session_cookie = cfg.get("SESSION_COOKIE_NAME", "session")
        self.remember_cookie = cfg.get("REMEMBER_COOKIE_NAME", "remember_token")
        self.started = time.time()
        self._accept_memo = {}
        self._catalogs = {}  # ui language -> last seen catalog stamp
        if current(app) is None:
            bump(app, "first start")
        app.extensions["signpost_page_cache"] = self

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if (not self.enabled or method not in ("GET", "HEAD") or environ.get("QUERY_STRING")
                or environ.get(ENVIRON_KEY)):
            return self.wsgi_app(environ, start_response)
        path = environ.get("PATH_INFO", "")
        ui = self._ui_language(path, environ)
        if ui is None or not self._anonymous(environ):
            return self.wsgi_app(environ, start_response)
        key = (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST") or environ.get("SERVER_NAME"),
               environ.get("SCRIPT_NAME", ""), path, ui)
        stamp, catalog = current(self.app), self._catalog(ui)
        entry = self.store.get(key)
        if entry is None or entry.stamp != stamp or entry.catalog != catalog:
            fresh = self._render(environ, start_response, key, stamp, catalog, entry)
            if not isinstance(fresh, Entry):
                return fresh  # Flask's own answer (a redirect, a 404, a page not to share)
            entry = fresh
        return self._send(entry, environ, start_response)

    # -- deciding --------------------------------------------------------------------

    def _ui_language(self, path, environ):
        """The UI language of a reader page URL, or None when `path` is no reader page."""
        parts = path.split("/", 3)
        if len(parts) < 3 or parts[0] or parts[1] not in self.content_langs:
            return None
        if not ((len(parts) == 3 and parts[2] == "") or (len(parts) == 4 and parts[2] == "docs")):
            return None
        lang = parts[1]
        if lang in self.ui_langs:
            return lang
        header = environ.get("HTTP_ACCEPT_LANGUAGE", "")
        ui = self._accept_memo.get(header)
        if ui is None:
            from werkzeug.datastructures import LanguageAccept
            from werkzeug.http import parse_accept_header
            ui = (parse_accept_header(header, LanguageAccept).best_match(self.ui_langs)
                  or self.app.config["BABEL_DEFAULT_LOCALE"])
            if len(self._accept_memo) > 512:
                self._accept_memo.clear()
            self._accept_memo[header] = ui
        return ui

    def _anonymous(self, environ):
        """True unless the request carries a signed-in (or otherwise personal) session."""
        header = environ.get("HTTP_COOKIE")
        if not header:
            return True
        cookies = parse_cookie(header)
        if self.remember_cookie in cookies:
            return False
        value = cookies.get(self.session_cookie)
        if not value:
            return True
        serializer = self.app.session_interface.get_signing_serializer(self.app)
        try:
            data = serializer.loads(value, max_age=int(
                self.app.permanent_session_lifetime.total_seconds()))
        except Exception:  # a bad or expired cookie: Flask opens an empty session too
            return True
        return isinstance(data, dict) and set(data) <= ANONYMOUS_SESSION_KEYS

    def _catalog(self, ui):
        """The UI catalog's file stamp; a change drops Flask-Babel's loaded catalogs."""
        from flask_babel import get_babel
        stamp = []
        for folder in get_babel(self.app).translation_directories:
            try:
                st = os.stat(os.path.join(folder, ui, "LC_MESSAGES", "messages.mo"))
                stamp.append((st.st_ino, st.st_mtime_ns, st.st_size))
            except OSError:
                stamp.append(None)
        stamp = tuple(stamp)
        if self._catalogs.get(ui) != stamp:
            if ui in self._catalogs:
                log.info("UI catalog %s changed on disk: reloading it", ui)
            with self.app.app_context():  # Flask-Babel finds its domain through current_app
                get_babel(self.app).instance.domain_instance.cache.clear()
            self._catalogs[ui] = stamp
        return stamp

    # -- a miss ----------------------------------------------------------------------

    def _render(self, environ, start_response, key, stamp, catalog, previous):
        """Ask Flask for the page; store and return an Entry, or pass Flask's answer on."""
        inner = dict(environ, REQUEST_METHOD="GET")
        inner[ENVIRON_KEY] = "candidate"
        captured = []

        def capture(status, headers, exc_info=None):
            captured[:] = [status, headers]
            return lambda data: chunks.append(data)

        chunks = []
        app_iter = self.wsgi_app(inner, capture)
        try:
            chunks.extend(app_iter)
        finally:
            if hasattr(app_iter, "close"):
                app_iter.close()
        status, headers = captured
        body = b"".join(chunks)
        if not self._shareable(inner, status, headers):
            start_response(status, headers)
            return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]
        kept = [(k, v) for k, v in headers if k.lower() not in _DROPPED]
        if key[-1] != key[3].split("/")[1]:  # the UI language came from Accept-Language
            kept.append(("Vary", "Accept-Language"))
        catalog_time = max((s[1] / 1e9 for s in catalog if s), default=0)
        modified_at = min(time.time(), max(changed_at(self.app), catalog_time, self.started))
        entry = Entry(stamp, catalog, body, kept, modified_at, self.max_age)
        if previous is not None and previous.etag == entry.etag:
            entry = Entry(stamp, catalog, body, kept, previous.modified_at, self.max_age)
        self.store.put(key, entry)
        return entry

    def _shareable(self, inner, status, headers):
        if inner.get(ENVIRON_KEY) != "shared" or not status.startswith("200"):
            return False
        for name, value in headers:
            lowered = name.lower()
            if lowered == "set-cookie" or (lowered == "vary" and "cookie" in value.lower()):
                log.warning("reader page %s not shared: the render touched the session (%s)",
                            inner.get("PATH_INFO"), name)
                return False
        return True

    # -- answering -------------------------------------------------------------------

    def _send(self, entry, environ, start_response):
        if self._not_modified(entry, environ):
            start_response("304 Not Modified", entry.headers_304)
            return []
        start_response("200 OK", entry.headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [entry.body]

    @staticmethod
    def _not_modified(entry, environ):
        """RFC 9110 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
        match = environ.get("HTTP_IF_NONE_MATCH")
        if match is not None:
            return parse_etags(match).contains_weak(entry.etag[1:-1])
        since = environ.get("HTTP_IF_MODIFIED_SINCE")
        if since:
            when = parse_date(since)
            return when is not None and entry.modified_at <= when.timestamp()
        return False
