"""Serving settings: a plain `gunicorn wsgi:app` in this folder reads them (`make run` too).

Environment: PORT (5000) and HOST (127.0.0.1) for the address, WEB_CONCURRENCY for the
worker processes (2), GUNICORN_THREADS for the threads of each (16). Options given on
gunicorn's command line win over this file.
"""
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A thread waiting for the database (an event batch waits for its group commit) holds no
# CPU; with only 4 per worker, readers' page requests queued behind such waits while events
# streamed in (bench_pages: 4 threads lost about half the page throughput at 10,000
# events/s, 16 lost a fifth). Threads cost little memory.
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
worker_class = "gthread"
# The app is built once in the master and the workers are forked from it: what it loads
# at start (templates, catalogs) is shared copy-on-write instead of loaded again by every
# worker. The Korean model lives in one analyzer process of its own (SEARCH_ANALYZER,
# portal.search.index), which exits when this master does: it finds the master by this
# variable, which the workers inherit.
preload_app = True
os.environ["SIGNPOST_SERVER_PID"] = str(os.getpid())
# gunicorn >= 25.1 opens a control socket by default (runtime worker management through
# `gunicornc`); Signpost does not use it.
control_socket_disable = True
keepalive = 5
graceful_timeout = 20


def post_fork(server, worker):
    """Drop database connections a preloaded app may have opened in the master.

    A connection shared by two processes corrupts both ends' protocol state; `close=False`
    leaves the master's own sockets alone and gives the worker an empty pool.
    """
    import sys
    module = sys.modules.get("wsgi")
    app = getattr(module, "app", None)
    if app is None:
        return
    from portal.extensions import db
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
