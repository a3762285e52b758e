"""Revision history, diffs between any two revisions, restore as a new revision."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.access import requires
from portal.content import diff, editing, events, overview
from portal.extensions import db
from portal.write.messages import edit_error
from portal.write.views import _load, bp, source_lang


def _translation(lang, slug):
    page, translation = _load(lang, slug)
    if translation is None or not translation.revisions:
        abort(404)
    return page, translation


@bp.get("/pages/<lang:lang>/<path:slug>/history")
@requires("writer")
def history(lang, slug):
    """Every revision of the page in `lang`: number, author, time, message, state."""
    page, translation = _translation(lang, slug)
    return render_template("write/history.html", page=page, translation=translation, lang=lang,
                           revisions=overview.history(translation),
                           head=editing.latest_revision(translation),
                           is_source=lang == source_lang())


def _number(name, default):
    try:
        return int(request.args.get(name) or default)
    except ValueError:
        abort(404)


@bp.get("/pages/<lang:lang>/<path:slug>/diff")
@requires("writer")
def compare(lang, slug):
    """The changes from revision `from` to revision `to`, unified or side by side."""
    page, translation = _translation(lang, slug)
    head = editing.latest_revision(translation)
    new_no = _number("to", head.number)
    old_no = _number("from", max(new_no - 1, 1))
    old, new = overview.revision(translation, old_no), overview.revision(translation, new_no)
    if old is None or new is None:
        abort(404)
    view = "split" if request.args.get("view") == "split" else "unified"
    lines = diff.unified(old.markdown, new.markdown)
    rows = diff.side_by_side(old.markdown, new.markdown) if view == "split" else None
    return render_template("write/diff.html", page=page, translation=translation, lang=lang,
                           old=old, new=new, lines=lines, rows=rows, view=view,
                           stats=diff.stats(lines), title_changed=old.title != new.title,
                           revisions=overview.history(translation))


@bp.post("/pages/<lang:lang>/<path:slug>/restore")
@requires("writer")
def restore(lang, slug):
    """Publish an old revision's text again, as a new revision (history is never rewritten)."""
    page, translation = _translation(lang, slug)
    try:
        number = int(request.form.get("number", ""))
        base = int(request.form.get("base_revision", ""))
    except ValueError:
        abort(400)
    try:
        revision = editing.restore(db.session, translation, number, current_user, base,
                                   message=_("Restore revision %(number)d", number=number))
    except editing.StaleRevision as exc:
        db.session.rollback()
        flash(_("Not restored: the page changed to revision %(number)d since you opened the "
                "history. Check the newer revision and try again.", number=exc.current), "error")
    except editing.EditError as exc:
        db.session.rollback()
        flash(edit_error(exc), "error")
    else:
        if revision is None:
            flash(_("Revision %(number)d is already the published text.", number=number), "info")
        else:
            db.session.commit()
            events.published([translation])
            flash(_("Revision %(old)d restored and published as revision %(new)d.",
                    old=number, new=revision.number), "success")
    return redirect(url_for("write.history", lang=lang, slug=page.slug), 303)
