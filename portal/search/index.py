"""The one module the app uses for search: add, remove, query, rebuild.

Content changes reach it only through the after-commit hook `on_published` below.
"""
import gc
import logging
import os
import sys

from flask import current_app

from portal import lifecycle
from portal.content import queries
from portal.search import analysis
from portal.search.engine import Doc, Engine
from portal.search.snippets import snippet

log = logging.getLogger(__name__)


def init_app(app):
    """Choose where the Korean model lives (`SEARCH_ANALYZER`) and connect the receivers.

    - "process" (default when gunicorn serves the app): one analyzer process per instance
      (`portal.search.analyzer_service`), started here in a preloading master (else by
      the first worker that needs it); workers hold none of the ~320 MB model.
    - "preload": loaded in the master before the workers fork, shared copy-on-write
      (each of N workers still counts 1/(N+1) of it in its PSS).
    - "local" (default in tests and CLI commands): each process loads it on first use.

    `SEARCH_PRELOAD` True/False, the older setting, means "preload"/"local". Under
    gunicorn, `gc.freeze()` then keeps each worker's collector from writing to the objects
    built so far (a write unshares the page it lands on).
    """
    lifecycle.connect(lifecycle.database_ready, _on_database_ready)
    lifecycle.connect(lifecycle.content_changed, _on_published)
    served = "gunicorn.arbiter" in sys.modules and not app.testing
    mode = app.config.get("SEARCH_ANALYZER")
    if mode is None:
        preload = app.config.get("SEARCH_PRELOAD")
        mode = ("process" if served else "local") if preload is None else (
            "preload" if preload else "local")
    if mode not in ("process", "preload", "local"):
        raise ValueError(f"SEARCH_ANALYZER must be process, preload or local, not {mode!r}")
    korean = app.config.get("SEARCH_KOREAN", "hybrid") != "bigram" \
        and "ko" in app.config["CONTENT_LANGUAGES"]
    if korean and mode == "process":
        from portal.search import analyzer_service
        path = analyzer_service.socket_path(app.config["SEARCH_INDEX_DIR"])
        analysis.use_service(path, owner=_server_pid())
        if _in_master():
            analyzer_service.ensure_running(path, os.getpid())
    elif korean and mode == "preload":
        analysis.preload()
    if served or (korean and mode == "preload"):
        gc.freeze()


def _in_master():
    """True while gunicorn's master preloads the app (its workers are not forked yet)."""
    return os.environ.get("SIGNPOST_SERVER_PID") == str(os.getpid())


def _server_pid():
    """The gunicorn master's pid (set by gunicorn.conf.py), else this process's parent's."""
    pid = os.environ.get("SIGNPOST_SERVER_PID")
    return int(pid) if pid and pid.isdigit() else None


def engine():
    """The app's search engine over `SEARCH_INDEX_DIR` (one per app and process)."""
    ext = current_app.extensions
    if "signpost_search" not in ext:
        ext["signpost_search"] = Engine(current_app.config["SEARCH_INDEX_DIR"],
                                        korean=current_app.config.get("SEARCH_KOREAN", "hybrid"))
    return ext["signpost_search"]


def _doc(translation, page=None):
    page = page or translation.page
    return Doc(slug=page.slug, lang=translation.lang, title=translation.title,
               markdown=translation.current_revision.markdown, section=page.section or "")


def _indexable(translation):
    return translation.published and translation.current_revision is not None


def add(translations):
    """Index published translations; drop unpublished ones from the index."""
    languages = current_app.config["CONTENT_LANGUAGES"]
    translations = [t for t in translations if t.lang in languages]
    engine().add([_doc(t) for t in translations if _indexable(t)])
    for t in translations:
        if not _indexable(t):
            remove(t.page.slug, t.lang)


def remove(slug, lang):
    """Remove one page in one language from the index."""
    engine().remove(slug, lang)


def query(lang, text, limit=10, offset=0, section=None, **options):
    """Search the `lang` index; returns an engine SearchResult."""
    return engine().search(lang, text, limit=limit, offset=offset, section=section, **options)


def add_snippets(lang, text, hits):
    """Give `hits` (found with `with_snippets=False`) the snippets `query` would have made:
    a caller that fetches a deep list to re-rank it makes snippets only for what it shows."""
    eng = engine()
    entry = eng._checkout(lang)
    if entry is None:
        return
    searcher, scorer = entry[0], entry[1]
    try:
        marks = eng.build_query(lang, text, searcher, scorer)[1]
        for hit in hits:
            stored = searcher.document(slug=hit.slug) or {}
            hit.snippet = snippet(stored.get("body", ""), marks)
    finally:
        eng._checkin(lang, entry)


def suggest(lang, text, limit=6):
    """Pages whose titles or headings match what the reader is typing."""
    return engine().search(lang, text, limit=limit, with_snippets=False, prefix=True).hits


def rebuild(db_session):
    """Rebuild every language's index from the published content; returns counts per language."""
    docs = [_doc(t, page) for t, page in queries.list_translations(db_session)]
    return engine().rebuild(docs, langs=current_app.config["CONTENT_LANGUAGES"])


def is_current():
    """True when no content language has an index in an older format."""
    return engine().is_current(current_app.config["CONTENT_LANGUAGES"])


def _on_database_ready(echo):
    """After `init` upgraded the database: rebuild an index left in an older format."""
    from portal.extensions import db
    if not is_current():
        counts = rebuild(db.session)
        echo(f"Search index rebuilt in the current format ({sum(counts.values())} pages).")


def _on_published(translations):
    """After commit: bring the index up to date (a failure must not undo the publish)."""
    try:
        add(translations)
    except Exception:
        log.exception("search index update failed; run `portal reindex`")
