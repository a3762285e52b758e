"""Admin views: search tuning (synonyms, pinned results, learning from clicks)."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.admin.views import bp
from portal.auth.access import requires
from portal.extensions import db
from portal.search import learning, pins, synonyms, tuning
from portal.search.api import check_lang, error_message
from portal.search.synonyms import TuningError
from portal.search.tuning_models import SearchPin, SearchSynonym


def _render(errors=None, values=None, status=200):
    page = render_template(
        "admin/search.html", synonyms=synonyms.listing(db.session), pins=pins.listing(db.session),
        learned=learning.listing(db.session), setting=learning.settings(db.session),
        languages=current_app.config["CONTENT_LANGUAGES"], errors=errors or {},
        values=values or {}, min_sessions=learning.MIN_SESSIONS,
        half_life=learning.HALF_LIFE_DAYS)
    db.session.commit()  # the settings row, created on first use
    return page, status


@bp.get("/search")
@requires("owner")
def search_tuning():
    """Synonyms, pinned results and what search learned from readers' clicks."""
    return _render()


def _saved(message):
    tuning.commit(db.session)
    flash(message, "success")
    return redirect(url_for("admin.search_tuning"), 303)


def _refused(form_name, exc, values):
    db.session.rollback()
    return _render({form_name: error_message(exc)}, values, 422)


@bp.post("/search/synonyms")
@requires("owner")
def add_synonym():
    """Add a synonym group in one language."""
    values = {k: (request.form.get(k) or "").strip() for k in ("syn-lang", "terms")}
    try:
        synonyms.add(db.session, check_lang(values["syn-lang"]), values["terms"])
    except TuningError as exc:
        return _refused("synonym", exc, values)
    return _saved(_("Synonyms saved: they apply to the next searches."))


@bp.post("/search/pins")
@requires("owner")
def add_pin():
    """Pin a page first for a query in one language."""
    values = {k: (request.form.get(k) or "").strip() for k in ("pin-lang", "query", "slug")}
    try:
        pins.add(db.session, check_lang(values["pin-lang"]), values["query"], values["slug"])
    except TuningError as exc:
        return _refused("pin", exc, values)
    return _saved(_("Pin saved: the page is shown first for that query."))


@bp.post("/search/synonyms/<int:item_id>/delete")
@requires("owner")
def delete_synonym(item_id):
    """Delete a synonym group."""
    return _deleted(SearchSynonym, item_id, _("Synonyms deleted."))


@bp.post("/search/pins/<int:item_id>/delete")
@requires("owner")
def delete_pin(item_id):
    """Delete a pin."""
    return _deleted(SearchPin, item_id, _("Pin deleted."))


def _deleted(model, item_id, message):
    if not tuning.delete(db.session, model, item_id):
        abort(404)
    return _saved(message)


@bp.post("/search/learning")
@requires("owner")
def set_learning():
    """Switch learning from clicks on or off, or recompute what was learned now."""
    if request.form.get("action") == "refresh":
        count = learning.refresh(db.session)
        return _saved(_("Recomputed from the search log: %(num)d learned boosts.", num=count))
    learning.set_learning(db.session, request.form.get("learning") == "on")
    return _saved(_("Learning from clicks is on.") if request.form.get("learning") == "on"
                  else _("Learning from clicks is off: results keep their own order."))
