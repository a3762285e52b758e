"""Serving settings: a plain `gunicorn wsgi:app` in this folder reads them (`make run` too).

Environment: PORT (5000) and HOST (127.0.0.1) for the address, WEB_CONCURRENCY for the
worker processes (CPU cores + 1), GUNICORN_THREADS for the threads of each (16). Options given on
gunicorn's command line win over this file: `-k gthread` serves with threads only.
"""
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
# One worker more than the machine has cores: a worker whose threads wait for the GIL or an
# event commit leaves a core to the others. bench_pages on 2 cores, quiet, 5 interleaved
# rounds: 3 workers served 9,232 req/s (2: 7,992) and lost 21% of it while 10,000 events/s
# streamed in (2 workers: 30%); the workers' CPU per event fell from 45 to 28-38 us.
workers = int(os.environ.get("WEB_CONCURRENCY") or (os.cpu_count() or 1) + 1)
# A thread waiting for the database (an event batch waits for its group commit) holds no
# CPU; with only 4 per worker, readers' page requests queued behind such waits while events
# streamed in (bench_pages: 4 threads lost about half the page throughput at 10,000
# events/s, 16 lost a fifth). Threads cost little memory.
THREADS = int(os.environ.get("GUNICORN_THREADS", "16"))
# gunicorn's asyncio worker (portal/asgi.py): a stored reader page and an event batch are
# answered in the event loop, everything else in a pool of GUNICORN_THREADS threads.
# bench_pages, 2 cores, 3 workers, two quiet runs, against a bare Flask app on gthread:
# 2.35-2.66x its throughput with p99 8.4-9.0 ms; Signpost on gthread in the same runs
# 1.29-1.42x with p99 14.3-18.0 ms. uvloop and gunicorn's C HTTP parser (gunicorn_h1c) are
# picked up when installed (asgi_loop and http_parser "auto"): a trivial app's pages lost
# to 10,000 events/s in 3-event requests fell from 32% to 14% with them (one probe run).
worker_class = "asgi"
# Each worker listens on a socket of its own, which the kernel fills evenly; on one shared
# socket the worker that wakes first takes every waiting connection, so a few keep-alive
# connections could all land on one worker (8,000-18,600 req/s between runs, against a
# steady 12,800-14,500 with it).
reuse_port = True
# `threads` stays unset here: the asyncio worker does not use it (gunicorn warns when it is
# set) and its bridge reads GUNICORN_THREADS itself; `on_starting` gives a threaded worker
# chosen on the command line (`-k gthread`) the same number.
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


def on_starting(server):
    """`-k gthread` without `--threads`: GUNICORN_THREADS threads."""
    cfg = server.cfg
    if cfg.worker_class_str == "gthread" and cfg.threads == 1 and THREADS > 1:
        cfg.set("threads", THREADS)


def post_fork(server, worker):
    """Bound the worker's C heap; drop database connections a preloaded app may have
    opened in the master.

    A connection shared by two processes corrupts both ends' protocol state; `close=False`
    leaves the master's own sockets alone and gives the worker an empty pool.
    """
    import sys
    _bound_malloc()
    module = sys.modules.get("wsgi")
    app = getattr(module, "app", None)
    if app is None:
        return
    from portal.extensions import db
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def _bound_malloc():
    """glibc malloc settings for a worker that runs threads (no effect elsewhere).

    Each thread that finds the heap busy gets a malloc arena of its own (up to 8 per core),
    and freed memory stays in the arena it came from; a large block (a 400 KB page at
    10,000 pages) raises the size above which malloc maps memory directly, so later
    large blocks land in the arenas too and stay there once freed. Two arenas and a fixed
    128 KB threshold give freed pages back to the system (bench_growth: worker PSS).
    """
    import ctypes
    import ctypes.util
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    m_arena_max, m_mmap_threshold = -8, -3
    mallopt(m_arena_max, 2)
    mallopt(m_mmap_threshold, 128 * 1024)
