"""Default settings. Overridden by instance/config.py, SIGNPOST_* env vars, then test config."""


class Config:
    """Defaults for every deployment."""

    # Languages the UI is translated into (a catalog in translations/ each).
    UI_LANGUAGES = {"en": "English", "ko": "한국어"}
    # Languages documentation may be published in; the first is the source language.
    CONTENT_LANGUAGES = {
        "en": "English",
        "ko": "한국어",
        "es": "Español",
        "ja": "日本語",
    }
    SOURCE_LANGUAGE = "en"
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # On HTTPS requests cookies get `Secure` and this Strict-Transport-Security max-age is
    # sent (0: no HSTS). Behind a TLS-terminating proxy set PROXY_FIX_X_PROTO (below).
    HSTS_SECONDS = 31536000
    HSTS_INCLUDE_SUBDOMAINS = False
    # How many proxies in front set each X-Forwarded-* header (werkzeug ProxyFix); 0 trusts
    # none. E.g. one nginx: SIGNPOST_PROXY_FIX_X_FOR=1 SIGNPOST_PROXY_FIX_X_PROTO=1.
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0
    PROXY_FIX_X_PORT = 0
    PROXY_FIX_X_PREFIX = 0
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    SEND_FILE_MAX_AGE_DEFAULT = 3600

    # Rendered pages kept in each worker's memory: at most this many, and within
    # RENDER_CACHE_BYTES; each page's sidebar navigation (~7 KB once pruned, see
    # NAV_PRUNE_ABOVE; the whole tree is ~290 KB at 3,100 pages) within NAV_CACHE_BYTES;
    # anonymous pages kept to answer during a database outage within STALE_PAGES_BYTES.
    RENDER_CACHE_SIZE = 2048
    RENDER_CACHE_BYTES = 16 * 1024 * 1024
    NAV_CACHE_BYTES = 16 * 1024 * 1024
    STALE_PAGES_BYTES = 16 * 1024 * 1024
    # Past this many pages in a language's navigation, a page's sidebar holds only what
    # is visible (top level, the path to the page and its siblings; other sections are
    # links to their first page) instead of the whole tree. 0: always the whole tree.
    NAV_PRUNE_ABOVE = 300
    SITE_NAME = "Signpost"

    # Reader events (POST /api/v1/events).
    EVENT_MAX_BYTES = 64 * 1024
    EVENT_MAX_BATCH = 50
    # While events stream in, a worker commits event batches at most every this many seconds
    # (a lone batch on a quiet server at once): each commit's fixed cost (the fsync, the
    # transaction, re-reading the pages another worker changed) is CPU taken from page
    # serving. 50-event batches at 10,000 events/s cost the workers 34 us of CPU an event
    # at 0.02 and 26-27 us at 0.05 (0.1 no better); 3-event batches already form big groups.
    # 0 commits each group as it forms.
    EVENT_COMMIT_SPACING = 0.05
    # ...but no longer than until this many requests wait for the commit: each holds one of
    # the worker's threads (GUNICORN_THREADS), which page requests need too.
    EVENT_COMMIT_ENOUGH = 8
    # Events per minute per client (a salted, daily-rotating hash of address and browser);
    # counted in each worker's memory, or in Redis for every worker and node when REDIS_URL
    # is set. 0 turns the limits off.
    EVENT_RATE_LIMIT = 1200
    # Events per minute per address, whatever the browser: a new User-Agent does not start a
    # new budget, while the readers of an office or proxy behind one address stay served.
    EVENT_RATE_LIMIT_PER_ADDRESS = 12000
    # Events per minute per address from bot-looking clients (dropped and only counted).
    EVENT_RATE_LIMIT_BOTS = 300
    # redis://host:port/db shared by every worker and node for rate limits (env REDIS_URL).
    REDIS_URL = None
    # Follow the change log so this node's search index and page cache learn of content
    # published through other nodes (None: on, except in tests); polled every N seconds.
    NODE_SYNC = None

    # Retention (days) of raw reader events and of search-log rows (with their clicks);
    # `flask portal purge` deletes older ones now. 0 keeps them forever. Reports read the
    # daily rollups, which are kept, so purging does not change them. 400 days: a year and
    # a month, so drill-downs reading raw rows still compare a month with the same month a
    # year ago, while nothing older about readers is kept.
    EVENT_RETENTION_DAYS = 400
    SEARCH_LOG_RETENTION_DAYS = 400
    NODE_SYNC_INTERVAL = 1.0
    # User agents matching any of these (case-insensitive substrings) are dropped as bots.
    EVENT_BOT_PATTERNS = ("bot", "crawler", "spider", "slurp", "curl/", "wget/", "python-requests",
                          "httpclient", "scrapy", "facebookexternalhit", "preview", "monitor",
                          "lighthouse", "pingdom", "phantomjs")
    # Stuck score (0-100) of a page: each signal adds up to its weight, in proportion to how
    # far the page is above the site's average for it (see docs/en/insights.md). The weights
    # should add up to 100; language_gap takes the part of a translation's score that its
    # source page does not have, plus half its weight when the translation is outdated.
    INSIGHTS_WEIGHTS = {"unhelpful": 25, "search_after": 15, "pogo": 15, "dead_end": 15,
                        "drop_off": 10, "loops": 10, "language_gap": 10}
    # Pseudo-readers at the site's average added to every page: small samples shrink towards it.
    INSIGHTS_PRIOR_SESSIONS = 10

    # Anonymous reader pages served from prepared bytes (portal/pagecache.py): on/off, the
    # max-age a browser, reverse proxy or CDN may keep them for, and each worker's budget.
    PAGE_CACHE = True
    PAGE_CACHE_MAX_AGE = 60
    PAGE_CACHE_MAX_BYTES = 16 * 1024 * 1024
