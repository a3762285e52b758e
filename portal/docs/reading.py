"""Glue between the content domain and the reader views: caches for HTML and navigation."""
import threading

from flask import current_app, request

from portal.content import queries
from portal.content.render import RENDER_VERSION, RenderCache, render_markdown
from portal.extensions import db

_nav_lock = threading.Lock()


def render_cache():
    """The app's cache of rendered revisions."""
    ext = current_app.extensions
    if "signpost_render_cache" not in ext:
        ext["signpost_render_cache"] = RenderCache(current_app.config["RENDER_CACHE_SIZE"])
    return ext["signpost_render_cache"]


def rendered(view):
    """Rendered HTML and TOC of the page view's revision (cached per page, language, revision)."""
    rev, slug, lang = view.revision, view.page.slug, view.translation.lang
    key = (RENDER_VERSION, rev.id, request.script_root)
    return render_cache().get(key, lambda: render_markdown(
        rev.markdown, slug=slug, lang=lang, url_prefix=request.script_root))


def nav_entries(lang):
    """Navigation entries for `lang`, cached until content changes."""
    stamp = queries.content_stamp(db.session)
    cache = current_app.extensions.setdefault("signpost_nav_cache", {})
    key = (lang, tuple(str(s) for s in stamp))
    entries = cache.get(key)
    if entries is None:
        entries = queries.nav_entries(db.session, lang, current_app.config["SOURCE_LANGUAGE"])
        with _nav_lock:
            for old in [k for k in cache if k[0] == lang]:
                cache.pop(old, None)
            cache[key] = entries
    return entries
