"""Search tuning as JSON under /api/v1/search/ (owners and admins; session or bearer token).

Writes accept only `application/json`, which a cross-site form cannot send, so they are
CSRF-exempt like the other JSON write routes.
"""
from flask import abort, current_app, jsonify, request
from flask_babel import gettext as _

from portal.auth.access import requires
from portal.extensions import csrf, db
from portal.search import learning, pins, synonyms, tuning
from portal.search.synonyms import TuningError
from portal.search.tuning_models import SearchPin, SearchSynonym
from portal.search.views import bp


def error_message(exc):
    """A TuningError in the user's language."""
    p = exc.params
    messages = {
        "synonym_missing": _("Give at least two different words or phrases, separated by = "
                             "or commas, e.g. k8s = kubernetes."),
        "synonym_many": _("A synonym group can have at most %(num)d entries.", num=p.get("num", 0)),
        "synonym_long": _("Each synonym can have at most %(num)d characters.", num=p.get("num", 0)),
        "pin_query": _("Give the query the page is pinned for."),
        "pin_query_long": _("The query is too long: use at most %(num)d characters.",
                            num=p.get("num", 0)),
        "pin_page": _("Give the slug of the page to show first, e.g. tutorial/first-steps."),
        "pin_unknown_page": _("No published page has the slug %(slug)s in this language.",
                              slug=p.get("slug", "")),
        "pin_exists": _("The query %(query)s already has a pinned page (%(slug)s): delete that "
                        "pin first.", query=p.get("query", ""), slug=p.get("slug", "")),
        "bad_lang": _("Unknown language %(lang)s: use one of %(langs)s.", lang=p.get("lang", ""),
                      langs=p.get("langs", "")),
    }
    return messages.get(exc.code, exc.code)


def check_lang(lang):
    """`lang` if it is a docs language, else TuningError."""
    languages = current_app.config["CONTENT_LANGUAGES"]
    if not isinstance(lang, str) or lang not in languages:
        raise TuningError("bad_lang", lang=str(lang)[:16], langs=", ".join(languages))
    return lang


def _body():
    if not request.is_json:
        abort(415, description="Send JSON with Content-Type: application/json.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="The body must be a JSON object.")
    return data


def _lang_filter():
    lang = request.args.get("lang") or None
    return check_lang(lang) if lang else None


@bp.errorhandler(TuningError)
def _refused(exc):
    db.session.rollback()
    return jsonify(error=error_message(exc)), 422


def synonym_json(group):
    """A synonym group as the API shows it."""
    return {"id": group.id, "lang": group.lang, "terms": group.terms.split(" = "),
            "hits": group.hits,
            "last_hit_at": group.last_hit_at.isoformat() if group.last_hit_at else None}


def pin_json(pin):
    """A pin as the API shows it."""
    return {"id": pin.id, "lang": pin.lang, "query": pin.query, "query_key": pin.query_key,
            "slug": pin.slug, "hits": pin.hits,
            "last_hit_at": pin.last_hit_at.isoformat() if pin.last_hit_at else None}


@bp.get("/api/v1/search/synonyms")
@requires("owner")
def api_synonyms():
    """Synonym groups with how often each fired (`lang` filters)."""
    return jsonify(synonyms=[synonym_json(g) for g in synonyms.listing(db.session, _lang_filter())])


@bp.post("/api/v1/search/synonyms")
@requires("owner")
@csrf.exempt
def api_add_synonym():
    """Add a group: {"lang": "en", "terms": "k8s = kubernetes"} (or a list of terms)."""
    data = _body()
    terms = data.get("terms")
    if isinstance(terms, list) and all(isinstance(t, str) for t in terms):
        terms = " = ".join(terms)
    group = synonyms.add(db.session, check_lang(data.get("lang")), terms)
    tuning.commit(db.session)
    return jsonify(synonym_json(group)), 201


@bp.delete("/api/v1/search/synonyms/<int:item_id>")
@requires("owner")
@csrf.exempt
def api_delete_synonym(item_id):
    """Delete a synonym group."""
    return _delete(SearchSynonym, item_id)


@bp.get("/api/v1/search/pins")
@requires("owner")
def api_pins():
    """Pinned results with how often each fired (`lang` filters)."""
    return jsonify(pins=[pin_json(p) for p in pins.listing(db.session, _lang_filter())])


@bp.post("/api/v1/search/pins")
@requires("owner")
@csrf.exempt
def api_add_pin():
    """Pin a page first for a query: {"lang": "en", "query": "deploy", "slug": "deployment"}."""
    data = _body()
    pin = pins.add(db.session, check_lang(data.get("lang")), data.get("query"), data.get("slug"))
    tuning.commit(db.session)
    return jsonify(pin_json(pin)), 201


@bp.delete("/api/v1/search/pins/<int:item_id>")
@requires("owner")
@csrf.exempt
def api_delete_pin(item_id):
    """Delete a pin."""
    return _delete(SearchPin, item_id)


def _delete(model, item_id):
    if not tuning.delete(db.session, model, item_id):
        abort(404, description=f"There is no item {item_id}.")
    tuning.commit(db.session)
    return "", 204


@bp.get("/api/v1/search/learned")
@requires("owner")
def api_learned():
    """What was learned from clicks, per query key, and whether learning is on."""
    setting = learning.settings(db.session)
    rows = learning.listing(db.session, _lang_filter())
    db.session.commit()
    return jsonify(learning=setting.learning,
                   learned_at=setting.learned_at.isoformat() if setting.learned_at else None,
                   boosts=[{"lang": r.lang, "query_key": r.query_key, "example": r.example,
                            "slug": r.slug, "sessions": r.sessions, "stayed": r.stayed,
                            "came_back": r.came_back, "boost": r.boost} for r in rows])


@bp.put("/api/v1/search/learned")
@requires("owner")
@csrf.exempt
def api_set_learning():
    """Switch learning on or off: {"learning": false}; {"refresh": true} recomputes now."""
    data = _body()
    if "learning" in data and not isinstance(data["learning"], bool):
        abort(422, description="learning must be true or false.")
    if "learning" not in data and data.get("refresh") is not True:
        abort(422, description='Send {"learning": true|false} or {"refresh": true}.')
    if "learning" in data:
        learning.set_learning(db.session, data["learning"])
    if data.get("refresh") is True:
        learning.refresh(db.session)
    tuning.commit(db.session)
    return api_learned()
