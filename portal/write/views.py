"""The writers' workspace: page list, new page, editor, live preview, translate view.

Revisions (history, diff, restore) live in `revisions.py`, page actions (move, unpublish)
in `actions.py`; both add routes to this blueprint.
"""
from flask import (Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.access import requires
from portal.content import diff, editing, events, overview
from portal.content.checks import images_without_alt
from portal.content.render import render_markdown
from portal.extensions import db
from portal.write.forms import CreateForm, EditForm
from portal.write.messages import edit_error

bp = Blueprint("write", __name__, url_prefix="/write", template_folder="templates")


@bp.url_value_preprocessor
def _writer_language(endpoint, values):
    """The workspace speaks the writer's language, not that of the page being edited."""
    ui = list(current_app.config["UI_LANGUAGES"])
    g.lang = request.accept_languages.best_match(ui) or current_app.config["BABEL_DEFAULT_LOCALE"]


def source_lang():
    """The language translations are made from."""
    return current_app.config["SOURCE_LANGUAGE"]


def languages():
    """The docs languages, source first."""
    return list(current_app.config["CONTENT_LANGUAGES"])


def open_task_counts():
    """Open tasks per page slug from the tasks area, or None when it offers none."""
    try:
        from portal.tasks.queries import open_task_counts as counts
    except ImportError:  # pragma: no cover - the tasks area is optional
        return None
    return counts(db.session)


@bp.get("/")
@requires("writer")
def index():
    """Every page with its status, language coverage and outdated translations."""
    args = request.args
    lang = args.get("lang") if args.get("lang") in languages() else None
    status = args.get("status") if args.get("status") in overview.STATUS_FILTERS else None
    section = args.get("section") or None
    rows = overview.page_rows(db.session, languages(), source_lang(), lang=lang,
                              section=section, status=status, text=args.get("q"))
    return render_template("write/index.html", rows=rows, lang=lang, status=status,
                           section=section, q=args.get("q", ""),
                           sections=overview.sections(db.session), languages=languages(),
                           task_counts=open_task_counts())


@bp.route("/new", methods=["GET", "POST"])
@requires("writer")
def new():
    """Create a page (or a first text in a language)."""
    form = CreateForm()
    form.lang.choices = [(code, name) for code, name in
                         current_app.config["CONTENT_LANGUAGES"].items()]
    if not form.is_submitted():
        form.lang.data = request.args.get("lang") or source_lang()
        form.section.data = request.args.get("section", "")
    if form.validate_on_submit():
        edit = editing.Edit(form.markdown.data or f"# {form.title.data.strip()}\n",
                            form.title.data, _("Create the page"), draft=bool(form.save_draft.data))
        try:
            translation = editing.create_page(db.session, form.slug.data, form.lang.data, edit,
                                              current_user, source_lang(), form.section.data)
        except editing.EditError as exc:
            db.session.rollback()
            form.slug.errors.append(edit_error(exc))
        except editing.PageExists:
            db.session.rollback()
            form.slug.errors.append(_("This page already exists in that language."))
        else:
            db.session.commit()
            _announce(translation, draft=edit.draft)
            return redirect(url_for("write.edit", lang=translation.lang,
                                    slug=translation.page.slug), 303)
    return render_template("write/new.html", form=form), 422 if form.errors else 200


def _announce(translation, draft):
    """After commit: readers and search see a publish at once; tell the writer what happened."""
    if draft:
        flash(_("Draft saved. Readers do not see it until you publish."), "success")
        return
    events.published([translation])
    flash(_("Published: readers now see revision %(number)d.",
            number=translation.current_revision.number), "success")


def _load(lang, slug):
    page, translation = overview.find_translation(db.session, slug, lang)
    if page is None or lang not in languages():
        abort(404)
    return page, translation


@bp.route("/pages/<lang:lang>/<path:slug>/edit", methods=["GET", "POST"])
@requires("writer")
def edit(lang, slug):
    """The Markdown editor: save a draft or publish; stale saves are refused with a diff."""
    page, translation = _load(lang, slug)
    if translation is None:
        return redirect(url_for("write.translate", lang=lang, slug=page.slug))
    return _editor(page, translation, "write/edit.html")


@bp.route("/pages/<lang:lang>/<path:slug>/translate", methods=["GET", "POST"])
@requires("writer")
def translate(lang, slug):
    """Source left, translation right, the source's changes since the followed revision."""
    page, translation = _load(lang, slug)
    source = editing.source_of(page, source_lang())
    if lang == source_lang() or source is None or source.current_revision is None:
        if translation is None:
            abort(404)
        return redirect(url_for("write.edit", lang=lang, slug=page.slug))
    return _editor(page, translation, "write/translate.html", source=source)


def _editor(page, translation, template, source=None):
    form = EditForm()
    head = editing.latest_revision(translation) if translation else None
    if not form.is_submitted():
        _fill(form, head, source)
    conflict = None
    if form.validate_on_submit():
        outcome = _save(page, translation, form)
        if isinstance(outcome, dict):
            conflict = outcome
        elif outcome is not None:
            return outcome
    status = 409 if conflict else (422 if form.errors else 200)
    return render_template(template, form=form, page=page, translation=translation,
                           lang=translation.lang if translation else request.view_args["lang"],
                           head=editing.latest_revision(translation) if translation else None,
                           conflict=conflict, **_context(page, translation, source)), status


def _fill(form, head, source):
    if head is not None:
        form.title.data, form.markdown.data = head.title, head.markdown
        form.base_revision.data = str(head.number)
    elif source is not None:
        form.title.data = source.current_revision.title
        form.markdown.data = source.current_revision.markdown
        form.follow.data = True


def _save(page, translation, form):
    """Save the form; a redirect when done, a conflict dict when stale, None on bad input."""
    lang = translation.lang if translation else request.view_args["lang"]
    edit = editing.Edit(form.markdown.data or "", form.title.data, form.message.data or "",
                        form.base(), draft=bool(form.save_draft.data), follow=bool(form.follow.data))
    try:
        if translation is None:
            translation = editing.create_page(db.session, page.slug, lang, edit, current_user,
                                              source_lang())
            revision = editing.latest_revision(translation)
        else:
            revision = editing.save(db.session, translation, edit, current_user, source_lang())
    except editing.StaleRevision as exc:
        db.session.rollback()
        return _conflict(translation, form, exc.current)
    except (editing.EditError, editing.PageExists) as exc:
        db.session.rollback()
        form.markdown.errors.append(edit_error(exc) if isinstance(exc, editing.EditError)
                                    else _("This page already exists in that language."))
        return None
    if revision is None:
        flash(_("Nothing changed, so no revision was saved."), "info")
    else:
        db.session.commit()
        _announce(translation, draft=revision.draft)
    return redirect(url_for("write.edit", lang=lang, slug=page.slug), 303)


def _conflict(translation, form, current_number):
    """What the writer needs after a stale save: the newer revision and a diff to their text."""
    newer = overview.revision(translation, current_number)
    form.base_revision.data = str(current_number)
    lines = diff.unified(newer.markdown, form.markdown.data or "")
    return {"newer": newer, "lines": lines, "stats": diff.stats(lines)}


def _context(page, translation, source):
    """Translation state the editor shows: followed and current source revisions, changes."""
    source = source or editing.source_of(page, source_lang())
    ctx = {"source": source, "followed": None, "source_current": None, "source_changes": None,
           "outdated": False, "is_source": translation is not None and translation is source}
    if source is None or ctx["is_source"] or source.current_revision is None:
        return ctx
    current = source.current_revision
    head = editing.latest_revision(translation) if translation else None
    followed = head.source_revision if head else None
    ctx.update(source_current=current, followed=followed,
               outdated=followed is not None and followed < current.number)
    old = overview.revision(source, followed) if followed else None
    if old is not None and followed != current.number:
        ctx["source_changes"] = diff.unified(old.markdown, current.markdown)
    return ctx


@bp.post("/preview")
@requires("writer")
def preview():
    """Render Markdown exactly as the reader page would, with its images lacking alt text."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("markdown"), str):
        abort(400, description="Send a JSON object with a markdown string.")
    if len(data["markdown"]) > editing.MAX_MARKDOWN:
        abort(413, description="The text is too long to preview.")
    lang = data.get("lang") if data.get("lang") in languages() else source_lang()
    slug = data.get("slug") if isinstance(data.get("slug"), str) else ""
    rendered = render_markdown(data["markdown"], slug=slug, lang=lang,
                               url_prefix=request.script_root)
    return jsonify(html=rendered.html, image_alt_missing=images_without_alt(rendered.html))


from portal.write import actions, revisions  # noqa: E402,F401  (routes on this blueprint)
