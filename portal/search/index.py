"""The one module the app uses for search: add, remove, query, rebuild.

Content changes reach it only through the after-commit hook `on_published` below.
"""
import gc
import logging
import sys

from flask import current_app

from portal import lifecycle
from portal.content import queries
from portal.search import analysis
from portal.search.engine import Doc, Engine
from portal.search.snippets import snippet

log = logging.getLogger(__name__)


def init_app(app):
    """In a pre-forking server's master, load the Korean model before the workers fork.

    `SEARCH_PRELOAD` (default: when gunicorn is serving, never in tests) loads it at app
    creation; gunicorn.conf.py's `preload_app` builds the app in the master, so every
    worker shares one copy of the model instead of loading ~500 MB each on its first
    Korean search. `gc.freeze()` then keeps the collector of each worker from writing to
    the objects built so far (a write unshares the page it lands on).
    """
    lifecycle.connect(lifecycle.database_ready, _on_database_ready)
    lifecycle.connect(lifecycle.content_changed, _on_published)
    preload = app.config.get("SEARCH_PRELOAD")
    if preload is None:
        preload = "gunicorn.arbiter" in sys.modules and not app.testing
    if preload and app.config.get("SEARCH_KOREAN", "hybrid") != "bigram" \
            and "ko" in app.config["CONTENT_LANGUAGES"]:
        analysis.preload()
        gc.freeze()


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
