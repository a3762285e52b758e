"""Anonymous reader pages served from prepared bytes, and the content stamp behind them.

A reader page (`/<lang>/`, `/<lang>/docs/<slug>`) asked for without a signed-in session
is the same for every anonymous reader. `PageFastPath` (WSGI middleware in
`portal/docs/fastpath.py`) keeps its bytes per worker, keyed by URL (scheme, host, script
root, path), UI language, the content stamp and the UI catalog's file stamp, and answers
repeats without Flask: no dispatch, no template, no database. The first view of a key goes through Flask, whose reader view
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
(`portal/changes.py` names them; the stamp is bumped after their commit); code that changes content
by other means (raw SQL, another node) calls `bump`. A bump makes every cached page be
rendered again on its next view; a page whose bytes come out the same keeps its ETag and
Last-Modified, so browsers' and proxies' copies of pages the change did not touch stay
valid (304). A UI catalog (`translations/<ui>/LC_MESSAGES/messages.mo`) that changes on
disk drops Flask-Babel's loaded catalogs and the pages of that UI language.
"""
import logging
import os
import threading
import time

log = logging.getLogger(__name__)

STAMP_FILE = "content-stamp"
ENVIRON_KEY = "signpost.pagecache"  # "candidate" from the middleware, "shared" from the view
PRIVATE = "private, no-store"
# Session keys an anonymous visitor can carry (a sign-in form's CSRF token, what
# Flask-Login leaves after sign-out); anything else (a user id, flashed messages, a
# comment draft, a remember-me clean-up) means the page is rendered for that session.
ANONYMOUS_SESSION_KEYS = frozenset({"csrf_token", "_fresh", "_id", "_permanent"})


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


# -- what invalidates: commits that change what readers see ------------------------------

def _committed(changes):
    from flask import current_app, has_app_context
    if has_app_context():
        kinds = sorted({kind for kind, _slug, _lang in changes})
        bump(current_app._get_current_object(), "commit: " + ", ".join(kinds))


def init_app(app):
    """Serve anonymous reader pages through `PageFastPath`; bump on content commits."""
    from portal import changes, lifecycle
    changes.watch_sessions()
    lifecycle.connect(lifecycle.reader_content_committed, _committed)
    _keep_session_untouched(app)
    from portal.docs.fastpath import PageFastPath
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
