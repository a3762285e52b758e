"""Published pages as JSON: list and one page."""
from flask import Blueprint, abort, current_app, jsonify, request, url_for

from portal.content import queries
from portal.docs import reading
from portal.extensions import db

bp = Blueprint("pages_api", __name__, url_prefix="/api/v1/pages")


def page_json(view, rendered=None):
    """The JSON shape of a page as DESIGN.md defines it."""
    t, rev = view.translation, view.revision
    data = {"slug": view.page.slug, "lang": t.lang, "title": t.title,
            "url": url_for("docs.page", lang=t.lang, slug=view.page.slug),
            "revision": rev.number, "source_revision": rev.source_revision,
            "outdated": view.outdated, "updated_at": rev.created_at.isoformat()}
    if rendered is not None:
        data.update(markdown=rev.markdown, html=rendered.html)
    return data


@bp.get("")
def list_pages():
    """Every published translation, one item each."""
    lang = _language(request.args.get("lang") or None)
    source_lang = current_app.config["SOURCE_LANGUAGE"]
    sources = {page.id: t for t, page in queries.list_translations(db.session, source_lang)}
    items = [{"slug": page.slug, "lang": t.lang, "title": t.title,
              "url": url_for("docs.page", lang=t.lang, slug=page.slug),
              "revision": t.current_revision.number,
              "outdated": queries.is_outdated(t, sources.get(page.id))}
             for t, page in queries.list_translations(db.session, lang)]
    return jsonify(pages=items)


@bp.get("/<path:slug>")
def get_page(slug):
    """One page with Markdown, HTML and revision (`lang` defaults to the source language)."""
    source_lang = current_app.config["SOURCE_LANGUAGE"]
    lang = _language(request.args.get("lang") or source_lang)
    view = queries.get_page_view(db.session, slug, lang, source_lang)
    if view is None or view.is_fallback:
        abort(404, description=f"No published page {slug!r} in {lang!r}.")
    return jsonify(page_json(view, reading.rendered(view)))


def _language(lang):
    """`lang` when it is a docs language, else a 422 that lists the valid ones."""
    languages = current_app.config["CONTENT_LANGUAGES"]
    if lang is not None and lang not in languages:
        abort(422, description=f"Unknown language {lang!r}; use one of: {', '.join(languages)}.")
    return lang
