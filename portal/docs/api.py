"""Pages as JSON: list and read published pages (anyone); create and save (writers).

The write views are CSRF-exempt because they only accept `application/json`, which a
cross-site form cannot send; bearer tokens and sessions both authenticate.
"""
from flask import Blueprint, abort, current_app, jsonify, request, url_for
from flask_login import current_user

from portal.auth.access import public, requires
from portal.content import editing, events, overview, queries
from portal.content.render import RENDER_VERSION, render_markdown
from portal.docs import reading
from portal.extensions import csrf, db

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
@public
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
@public
def get_page(slug):
    """One page with Markdown, HTML and revision (`lang` defaults to the source language)."""
    source_lang = current_app.config["SOURCE_LANGUAGE"]
    lang = _language(request.args.get("lang") or source_lang)
    view = queries.get_page_view(db.session, slug, lang, source_lang)
    if view is None or view.is_fallback:
        abort(404, description=f"No published page {slug!r} in {lang!r}.")
    return jsonify(page_json(view, reading.rendered(view)))


@bp.put("/<path:slug>")
@requires("writer")
@csrf.exempt
def put_page(slug):
    """Save a new revision: 200 with the page, 409 when `base_revision` is not the newest."""
    source_lang = current_app.config["SOURCE_LANGUAGE"]
    lang = _language(request.args.get("lang") or source_lang)
    data = _json_body()
    page, translation = overview.find_translation(db.session, slug, lang)
    if translation is None:
        abort(404, description=f"No page {slug!r} in {lang!r}; create it with POST /api/v1/pages.")
    head = editing.latest_revision(translation)
    base = data.get("base_revision")
    if not isinstance(base, int) or isinstance(base, bool):
        abort(422, description="Send base_revision: the revision number your text is based on.")
    follow = data.get("source_revision", False)
    if follow is not False and (not isinstance(follow, int) or isinstance(follow, bool)):
        abort(422, description="source_revision must be the number of a source revision.")
    edit = editing.Edit(data.get("markdown"), data.get("title", head.title if head else ""),
                        data.get("message") or "", base, draft=data.get("draft") is True,
                        follow=follow)
    try:
        revision = editing.save(db.session, translation, edit, current_user, source_lang)
    except editing.StaleRevision as exc:
        db.session.rollback()
        return jsonify(error=f"Revision {base} is stale: the page is now at revision "
                             f"{exc.current}. Fetch it, merge your changes and send them with "
                             f"base_revision {exc.current}.", current_revision=exc.current), 409
    except editing.EditError as exc:
        db.session.rollback()
        abort(422, description=_edit_problem(exc))
    db.session.commit()
    if revision is not None and not revision.draft:
        events.published([translation])
    return jsonify(_saved_json(page, translation, revision))


@bp.post("")
@requires("writer")
@csrf.exempt
def create_page():
    """Create a page (or a page's first text in a language): 201, or 409 when it exists."""
    source_lang = current_app.config["SOURCE_LANGUAGE"]
    data = _json_body()
    lang = data.get("lang")
    if not isinstance(lang, str) or lang not in current_app.config["CONTENT_LANGUAGES"]:
        _language(str(lang))
    slug = data.get("slug")
    if not isinstance(slug, str):
        abort(422, description="Send slug: the page's path, for example guide/install.")
    section = data.get("section") or ""
    if not isinstance(section, str):
        abort(422, description="section must be a string: the parent page's slug.")
    edit = editing.Edit(data.get("markdown"), data.get("title"), data.get("message") or "",
                        draft=data.get("draft") is True)
    try:
        translation = editing.create_page(db.session, slug, lang, edit, current_user,
                                          source_lang, section)
    except editing.EditError as exc:
        db.session.rollback()
        abort(422, description=_edit_problem(exc))
    except editing.PageExists:
        db.session.rollback()
        abort(409, description=f"The page {slug.strip('/')!r} already exists in {lang!r}; "
                               "save to it with PUT.")
    db.session.commit()
    if translation.current_revision is not None:
        events.published([translation])
    return jsonify(_saved_json(translation.page, translation,
                               editing.latest_revision(translation))), 201


def _saved_json(page, translation, revision):
    """The page JSON after a save; `revision` is the newest one, draft or published."""
    source_lang = current_app.config["SOURCE_LANGUAGE"]
    head = revision or editing.latest_revision(translation)
    source = editing.source_of(page, source_lang)
    if source is not None and not (source.published and source.current_revision):
        source = None
    rendered = reading.render_cache().get(
        (RENDER_VERSION, head.id, request.script_root),
        lambda: render_markdown(head.markdown, slug=page.slug, lang=translation.lang,
                                        url_prefix=request.script_root))
    return {"slug": page.slug, "lang": translation.lang, "title": head.title,
            "url": url_for("docs.page", lang=translation.lang, slug=page.slug),
            "revision": head.number, "draft": head.draft,
            "published_revision": (translation.current_revision.number
                                   if translation.current_revision else None),
            "source_revision": head.source_revision,
            "outdated": queries.is_outdated(translation, source),
            "updated_at": head.created_at.isoformat(),
            "markdown": head.markdown, "html": rendered.html}


def _edit_problem(exc):
    """An EditError as a sentence an API client can act on."""
    hints = {"markdown": f"markdown must be a string of at most {editing.MAX_MARKDOWN} characters",
             "title": f"title must be a non-empty string of at most {editing.MAX_TITLE} characters",
             "message": f"message must be a string of at most {editing.MAX_MESSAGE} characters",
             "slug": "slug must be a path of letters, digits, '.', '_' and '-' separated by '/' "
                     f"(at most {editing.MAX_SLUG} characters)" + (
                         ", not used by another page" if exc.code == "taken" else ""),
             "source_revision": "source_revision must be an existing revision of the source page"}
    return f"Invalid {exc.field} ({exc.code}): {hints.get(exc.field, 'check the value')}."


def _json_body():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="Send a JSON object with Content-Type: application/json.")
    return data


def _language(lang):
    """`lang` when it is a docs language, else a 422 that lists the valid ones."""
    languages = current_app.config["CONTENT_LANGUAGES"]
    if lang is not None and lang not in languages:
        abort(422, description=f"Unknown language {lang!r}; use one of: {', '.join(languages)}.")
    return lang
