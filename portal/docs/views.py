"""Reader views: per-language home and page."""
from flask import Blueprint, abort, current_app, g, make_response, redirect, render_template, url_for

from portal.auth.access import public
from portal.content import queries
from portal.content.editing import redirect_target
from portal.docs import reading
from portal.extensions import db
from portal.pagecache import PRIVATE, begin_shared_render

bp = Blueprint("docs", __name__, template_folder="templates")


@bp.route("/<lang:lang>/")
@public
def home(lang):
    """The docs home: the `index` page when there is one, and the navigation tree."""
    entries = reading.nav_entries(lang)
    view = queries.get_page_view(db.session, "index", lang, current_app.config["SOURCE_LANGUAGE"])
    return _render_page(view, entries, template="docs/home.html",
                        contents=reading.contents_html(lang, entries))


@bp.route("/<lang:lang>/docs/")
@public
def docs_root(lang):
    """`/<lang>/docs/` (what a reader gets by trimming a page's address) is the docs home."""
    return redirect(url_for("docs.home", lang=lang), 301)


@bp.route("/<lang:lang>/docs/<path:slug>")
@public
def page(lang, slug):
    """One page in the reader's language, or the source-language page with a notice."""
    view = queries.get_page_view(db.session, slug.strip("/"), lang,
                                 current_app.config["SOURCE_LANGUAGE"])
    if view is None:
        moved = redirect_target(db.session, slug.strip("/"))
        if moved is None:
            abort(404)
        return redirect(url_for("docs.page", lang=lang, slug=moved), 301)
    return _render_page(view, reading.nav_entries(lang))


def _render_page(view, entries, template="docs/page.html", **context):
    """The page; the anonymous variant when the page cache asks for it (see portal.pagecache).

    `context`: more template variables, such as the home's `contents`.
    """
    shared = begin_shared_render()
    slug = view.page.slug if view else None
    previous, following = queries.neighbours(entries, slug) if slug else (None, None)
    crumbs = queries.breadcrumbs(entries, slug)
    response = make_response(render_template(
        template, view=view, rendered=reading.rendered(view) if view else None,
        crumbs=crumbs, nav_html=reading.nav_html(g.lang, slug, entries, [c.slug for c in crumbs]),
        previous=previous, following=following, slug=slug, **context))
    if not shared:  # rendered for this session (account menu, drafts, flashes): never shared
        response.headers["Cache-Control"] = PRIVATE
    return response
