"""Glue between the content domain and the reader views: caches for HTML and navigation."""
import threading

from flask import current_app, g, get_template_attribute, request

from portal import pagecache
from portal.content import queries
from portal.cache import LRU, size_of
from portal.content.render import RENDER_VERSION, render_markdown
from portal.extensions import db

_nav_lock = threading.Lock()


def render_cache():
    """The app's cache of rendered revisions."""
    ext = current_app.extensions
    if "signpost_render_cache" not in ext:
        cfg = current_app.config
        ext["signpost_render_cache"] = LRU(cfg["RENDER_CACHE_BYTES"], weigh=size_of,
                                           max_items=cfg["RENDER_CACHE_SIZE"])
    return ext["signpost_render_cache"]


def rendered(view):
    """Rendered HTML and TOC of the page view's revision (cached per page, language, revision)."""
    rev, slug, lang = view.revision, view.page.slug, view.translation.lang
    key = (RENDER_VERSION, rev.id, request.script_root)
    return render_cache().get(key, lambda: render_markdown(
        rev.markdown, slug=slug, lang=lang, url_prefix=request.script_root))


def _stamp():
    """This request's content stamp: the database's (one query) and the instance's file.

    The file stamp (`portal.pagecache`) also changes on navigation moves that leave the
    translations' columns alone (a page's order or section).
    """
    if "content_stamp" not in g:
        g.content_stamp = (tuple(str(s) for s in queries.content_stamp(db.session)),
                           pagecache.current(current_app))
    return g.content_stamp


def nav_html(lang, current, entries, open_slugs):
    """The sidebar navigation markup for page `current`, cached until content changes.

    Rendering the whole tree costs more than the rest of a page, so each page's version
    is rendered once per content change and kept in a bounded LRU cache. Past
    NAV_PRUNE_ABOVE entries only the visible part of the tree is sent (`prune_nav_tree`).
    """
    prune = _large(entries)

    def render():
        tree = _nav_tree(lang)
        if prune:
            tree = queries.prune_nav_tree(tree, current)
        return _nav_macro()(tree, lang, current, open_slugs, pruned=prune)
    return _nav_cache().get(("nav", lang, current, prune, _stamp(), request.script_root), render)


def contents_html(lang, entries):
    """The docs home's list of pages (None when there are none), cached like `nav_html`.

    The whole tree, or past NAV_PRUNE_ABOVE entries its top two levels (`outline_nav_tree`):
    the rest is reached through the sections, as from the sidebar.
    """
    if not entries:
        return None
    outline = _large(entries)

    def render():
        tree = _nav_tree(lang)
        if outline:
            tree = queries.outline_nav_tree(tree)
        return _nav_macro()(tree, lang, None, [], pruned=outline)
    return _nav_cache().get(("contents", lang, outline, _stamp(), request.script_root), render)


def _large(entries):
    """Whether a language's navigation is past NAV_PRUNE_ABOVE entries (0: never)."""
    limit = current_app.config["NAV_PRUNE_ABOVE"]
    return bool(limit) and len(entries) > limit


def _nav_macro():
    return get_template_attribute("docs/_nav.html", "nav_tree")


def _nav_cache():
    """The app's LRU of rendered navigation markup (sidebars and the home's contents)."""
    ext = current_app.extensions
    if "signpost_nav_html" not in ext:
        cfg = current_app.config
        ext["signpost_nav_html"] = LRU(cfg["NAV_CACHE_BYTES"], weigh=size_of,
                                       max_items=cfg["RENDER_CACHE_SIZE"])
    return ext["signpost_nav_html"]


def nav_entries(lang):
    """Navigation entries for `lang`, cached until content changes."""
    return _navigation(lang)["entries"]


def _nav_tree(lang):
    """The whole navigation tree of `lang` (read only: pruning builds new nodes), built
    once per content change rather than once for each page's sidebar."""
    navigation = _navigation(lang)
    tree = navigation.get("tree")
    if tree is None:
        tree = navigation["tree"] = queries.build_nav_tree(navigation["entries"])
    return tree


def _navigation(lang):
    """{"entries": [...], "tree": ... once built} of `lang` under this request's content stamp."""
    stamp = _stamp()
    cache = current_app.extensions.setdefault("signpost_nav_cache", {})
    key = (lang, stamp)
    navigation = cache.get(key)
    if navigation is None:
        navigation = {"entries": queries.nav_entries(db.session, lang,
                                                     current_app.config["SOURCE_LANGUAGE"])}
        with _nav_lock:
            for old in [k for k in cache if k[0] == lang]:
                cache.pop(old, None)
            cache[key] = navigation
    return navigation
