"""The WSGI fast path of anonymous reader pages: stored bytes, validators, 304s.

See `portal.pagecache` for what is shared and when it is invalidated; this module holds the
per-worker store and the middleware that answers from it (a hit runs no Flask code).
"""
import hashlib
import logging
import os
import threading
import time
from email.utils import formatdate

from werkzeug.http import parse_cookie, parse_date, parse_etags

from portal.asgi import NeedsThread, in_loop
from portal.cache import LRU
from portal.pagecache import ANONYMOUS_SESSION_KEYS, ENVIRON_KEY, bump, changed_at, current

log = logging.getLogger(__name__)
# Headers Flask sends that a stored page must not repeat, or that are made per answer.
_DROPPED = frozenset({"content-length", "set-cookie", "date", "etag", "last-modified",
                      "cache-control", "expires"})
_NOT_ON_304 = frozenset({"content-type", "content-length", "content-language"})
RENDER_WAIT = 10.0  # seconds a request waits for another thread rendering the same page



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


class PageFastPath:
    """WSGI middleware: anonymous GET/HEAD of reader pages answered from stored bytes."""

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        cfg = app.config
        self.enabled = cfg.get("PAGE_CACHE", True)
        self.max_age = int(cfg.get("PAGE_CACHE_MAX_AGE", 60))
        # per worker process: entries kept by total bytes, least recently used evicted first
        self.store = LRU(int(cfg.get("PAGE_CACHE_MAX_BYTES", 16 * 1024 * 1024)),
                         weigh=lambda entry: len(entry.body))
        self.content_langs = frozenset(cfg["CONTENT_LANGUAGES"])
        self.ui_langs = list(cfg["UI_LANGUAGES"])
        self.session_cookie = cfg.get("SESSION_COOKIE_NAME", "session")
        self.remember_cookie = cfg.get("REMEMBER_COOKIE_NAME", "remember_token")
        self.started = time.time()
        self._accept_memo = LRU(512)  # Accept-Language header -> UI language
        self._catalogs = {}  # ui language -> last seen catalog stamp
        self._rendering = {}  # key -> Event set when the thread rendering it is done
        self._rendering_lock = threading.Lock()
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
        key = self._key(environ, path, ui)
        stamp, catalog = current(self.app), self._catalog(ui)
        entry = self.store.get(key)
        if entry is None or entry.stamp != stamp or entry.catalog != catalog:
            if in_loop(environ):  # rendering needs Flask: a thread's work (portal/asgi.py)
                raise NeedsThread(page=key)
            fresh = self._render_once(environ, start_response, key, stamp, catalog, entry)
            if not isinstance(fresh, Entry):
                return fresh  # Flask's own answer (a redirect, a 404, a page not to share)
            entry = fresh
        return self._send(entry, environ, start_response)

    @staticmethod
    def _key(environ, path, ui):
        return (environ.get("wsgi.url_scheme"),
                environ.get("HTTP_HOST") or environ.get("SERVER_NAME"),
                environ.get("SCRIPT_NAME", ""), path, ui)

    def last_body(self, environ, ui):
        """The bytes last stored for this page in UI language `ui`, whatever content stamp
        they were made under (a page to serve while the database is unavailable), or None."""
        entry = self.store.get(self._key(environ, environ.get("PATH_INFO", ""), ui))
        return entry.body if entry is not None else None

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
            self._accept_memo.put(header, ui)
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

    def _render_once(self, environ, start_response, key, stamp, catalog, previous):
        """`_render`, by one thread at a time per page: after a publish every stored page
        is stale, and the readers of a popular page arriving together would each render
        it (16 threads rendering one page at once also keep the others from the GIL). The
        rest wait for that render (at most RENDER_WAIT seconds) and send what it stored;
        when it stored nothing they can use (a page not to share, a newer stamp), they
        render it themselves."""
        with self._rendering_lock:
            running = self._rendering.get(key)
            if running is None:
                running = self._rendering[key] = threading.Event()
                leading = True
            else:
                leading = False
        if leading:
            try:
                return self._render(environ, start_response, key, stamp, catalog, previous)
            finally:
                with self._rendering_lock:
                    del self._rendering[key]
                running.set()
        running.wait(RENDER_WAIT)
        entry = self.store.get(key)
        if entry is not None and entry.stamp == stamp and entry.catalog == catalog:
            return entry
        return self._render(environ, start_response, key, stamp, catalog, previous)

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
