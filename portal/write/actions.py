"""Page actions: move to a new path (the old one redirects), unpublish and publish again."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.auth.access import requires
from portal.content import editing, events
from portal.extensions import db
from portal.write.forms import MoveForm
from portal.write.messages import edit_error
from portal.write.views import _load, bp


@bp.route("/pages/<lang:lang>/<path:slug>/move", methods=["GET", "POST"])
@requires("writer")
def move(lang, slug):
    """Give a page a new path in every language; `/<lang>/docs/<old>` answers 301."""
    page, _translation = _load(lang, slug)
    form = MoveForm()
    if not form.is_submitted():
        form.slug.data = page.slug
    if form.validate_on_submit():
        try:
            old = editing.move_page(db.session, page, form.slug.data)
        except editing.EditError as exc:
            db.session.rollback()
            form.slug.errors.append(edit_error(exc))
        else:
            db.session.commit()
            if old != page.slug:
                events.withdrawn(old, [t.lang for t in page.translations])
                events.published(list(page.translations))
                flash(_("Page moved from %(old)s to %(new)s. The old address redirects here.",
                        old=old, new=page.slug), "success")
            return redirect(url_for("write.edit", lang=lang, slug=page.slug), 303)
    return render_template("write/move.html", form=form, page=page, lang=lang), (
        422 if form.errors else 200)


@bp.post("/pages/<lang:lang>/<path:slug>/unpublish")
@requires("writer")
def unpublish(lang, slug):
    """Take the page in `lang` away from readers and search; its revisions stay."""
    return _set_published(lang, slug, False)


@bp.post("/pages/<lang:lang>/<path:slug>/republish")
@requires("writer")
def republish(lang, slug):
    """Show the page's published revision to readers again."""
    return _set_published(lang, slug, True)


def _set_published(lang, slug, published):
    page, translation = _load(lang, slug)
    if translation is not None and editing.set_published(translation, published):
        db.session.commit()
        events.published([translation])
        flash(_("The page is published again.") if published else
              _("The page is unpublished: readers and search no longer show it."), "success")
    target = request.form.get("next", "")
    if not target.startswith("/write/") or target.startswith("//"):
        target = url_for("write.edit", lang=lang, slug=page.slug)
    return redirect(target, 303)
