"""Search views: the results page, the JSON search API and as-you-type suggestions."""
from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from portal import database
from portal.auth.access import public
from portal.extensions import db
from portal.feedback.ingest import is_bot, opted_out
from portal.i18n import is_content_language, language_name
from portal.search import index, service
from portal.search.log import MAX_QUERY, clean_session

bp = Blueprint("search", __name__, template_folder="templates")
PER_PAGE = 10
MAX_LIMIT = 50
MAX_SEARCH_ID = 2**62


@bp.route("/<lang:lang>/search")
@public
def results(lang):
    """The results page: works without JavaScript; every new query is logged."""
    text = " ".join(request.args.get("q", "").split())[:MAX_QUERY]
    page = request.args.get("page", 1, type=int)
    search_id = request.args.get("sid") or None
    if search_id is not None and not _whole_number(search_id, 1, MAX_SEARCH_ID):
        abort(400, description=_("This search link is broken: search again from the box above."))
    found = popular = None
    page, section = max(1, min(page, 1000)), request.args.get("section") or None
    try:
        if text:
            found = service.results_page(
                db.session, lang, text, current_app.config["SOURCE_LANGUAGE"],
                page=page, per_page=PER_PAGE, section=section,
                search_id=int(search_id) if search_id else None,
                session_id=_reader_session(), from_page=request.args.get("from"))
            db.session.commit()
        popular = None if found else service.popular_pages(
            db.session, lang, current_app.config["SOURCE_LANGUAGE"])
    except Exception as exc:
        if not _database_out(exc):
            raise
        if text:  # the index alone: not logged, not tuned
            result = index.query(lang, text, limit=PER_PAGE, offset=(page - 1) * PER_PAGE,
                                 section=section, with_sections=True)
            found = service.ResultsPage(query=text, lang=lang, result=result, search_id=None,
                                        page=page, pages=-(-result.total // PER_PAGE),
                                        section=section)
    return render_template("search/results.html", q=text, found=found, popular=popular,
                           source_lang=current_app.config["SOURCE_LANGUAGE"])


@bp.route("/api/v1/search")
@public
def api_search():
    """Search as JSON, in the shape DESIGN.md gives; logs the search."""
    args, error = _search_args()
    if error:
        return jsonify(error=error[0]), error[1]
    q, lang, limit = args
    source_lang = current_app.config["SOURCE_LANGUAGE"]
    try:
        tuned, entry = service.search_and_log(db.session, lang, q, limit=limit,
                                              session_id=_reader_session(),
                                              from_page=request.args.get("from"))
        result = tuned.result
        service.did_you_mean(lang, q, result)
        other = (service.fallback(db.session, lang, q, source_lang, limit)
                 if not result.total else None)
        db.session.commit()
    except Exception as exc:
        if not _database_out(exc):
            raise
        result = index.query(lang, q, limit=limit)  # the index alone: not logged, not tuned
        return jsonify(query=q, lang=lang, total=result.total, search_id=None,
                       suggestion=result.suggestion, fallback=None,
                       results=[_hit_json(hit, lang, None, rank)
                                for rank, hit in enumerate(result.hits, 1)])
    return jsonify(query=q, lang=lang, total=result.total, search_id=entry.id,
                   suggestion=result.suggestion,
                   results=[_hit_json(hit, lang, entry.id, rank, tuned.pinned)
                            for rank, hit in enumerate(result.hits, 1)],
                   fallback=other and {
                       "lang": source_lang, "total": other.total,
                       "notice": _("Nothing was found in %(language)s; these results are "
                                   "from the %(source)s pages.", language=language_name(lang),
                                   source=language_name(source_lang)),
                       "results": [_hit_json(hit, source_lang, entry.id, rank)
                                   for rank, hit in enumerate(other.hits, 1)]})


def _reader_session():
    """The beacon session of a search; none for bots, so their searches never teach ranking,
    and none under Do-Not-Track or GPC: the search is logged without linking it to reading."""
    if is_bot(request.headers.get("User-Agent"), current_app.config["EVENT_BOT_PATTERNS"]):
        return None
    if opted_out(request.headers.get("DNT"), request.headers.get("Sec-GPC")):
        return None
    return clean_session(request.args.get("session"))


@bp.route("/api/v1/search/suggest")
@public
def api_suggest():
    """Pages matching what the reader is typing (not logged: it is not a search yet)."""
    args, error = _search_args(default_limit=6)
    if error:
        return jsonify(error=error[0]), error[1]
    q, lang, limit = args
    hits = index.suggest(lang, q, limit=limit)
    try:
        titles = service.section_titles(db.session, lang, current_app.config["SOURCE_LANGUAGE"])
    except Exception as exc:
        if not _database_out(exc):
            raise
        titles = {}
    return jsonify(query=q, lang=lang, suggestions=[
        {"slug": h.slug, "title": h.title, "section": titles.get(h.section, h.section),
         "url": url_for("docs.page", lang=lang, slug=h.slug)} for h in hits])


def _database_out(exc):
    """True (recorded once per outage) when `exc` says the database is unavailable: search
    then answers from its index alone, without the log, tuning or section titles."""
    if not database.is_outage(exc):
        return False
    database.health.failed(exc)
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: nothing to roll back
        db.session.close()
    return True


def _hit_json(hit, lang, search_id, rank, pinned=None):
    return {"slug": hit.slug, "title": hit.title, "section": hit.section,
            "url": url_for("docs.page", lang=lang, slug=hit.slug, from_search=search_id, rank=rank),
            "snippet": str(hit.snippet), "score": hit.score, "rank": rank,
            "pinned": rank == 1 and hit.slug == pinned}


def _search_args(default_limit=10):
    """((q, lang, limit), None) or (None, (message, status)) for the API's query string."""
    q = " ".join(request.args.get("q", "").split())
    lang = request.args.get("lang") or current_app.config["SOURCE_LANGUAGE"]
    if not q:
        return None, (_("Add a search query in the q parameter, e.g. ?q=upload."), 400)
    if len(q) > MAX_QUERY:
        return None, (_("The query is too long: use at most %(n)d characters.", n=MAX_QUERY), 400)
    if not is_content_language(lang):
        langs = ", ".join(current_app.config["CONTENT_LANGUAGES"])
        return None, (_("Unknown language %(lang)s: use one of %(langs)s.", lang=lang[:16],
                        langs=langs), 422)
    limit = request.args.get("limit", str(default_limit))
    if not _whole_number(limit, 1, MAX_LIMIT):
        return None, (_("limit must be a whole number from 1 to %(n)d.", n=MAX_LIMIT), 400)
    return (q, lang, int(limit)), None


def _whole_number(text, low, high):
    """True when `text` is ASCII digits (not '²' or '٣', which isdigit() admits) in range."""
    return text.isascii() and text.isdigit() and low <= int(text) <= high


from portal.search import api  # noqa: E402,F401  (registers the tuning API on `bp`)
