"""Reader feedback endpoints: the event API and helpful votes (JSON or a plain form post)."""
import secrets

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import format_number, gettext as _

from portal.auth.access import public
from portal.extensions import csrf, db
from portal.feedback.intake import accept_events, accept_vote, parse_body
from portal.feedback.validate import MAX_COMMENT, IngestError, opted_out
from portal.i18n import is_content_language

bp = Blueprint("feedback", __name__, template_folder="templates")


@bp.errorhandler(IngestError)
def _refused(exc):
    if request.mimetype == "application/x-www-form-urlencoded":
        referrer = request.referrer or ""
        back = referrer if referrer.startswith(request.host_url) else url_for("root")
        return render_template("feedback/refused.html", message=exc.message,
                               back=back), exc.status
    return jsonify(error=exc.message), exc.status, exc.headers


@bp.post("/api/v1/events")
@public
@csrf.exempt
def events():
    """Store a batch of reader events; 202 once they are committed.

    In a served app `EventsFastPath` answers this URL before Flask dispatches it; this view
    runs the same code for anything that calls the Flask app directly.
    """
    status, body, headers = accept_events(
        lambda n: request.stream.read(n), request.mimetype, request.content_length,
        request.user_agent.string, request.remote_addr, _opted_out())
    return jsonify(body), status, headers


@bp.post("/api/v1/feedback")
@public
@csrf.exempt
def feedback():
    """A helpful vote: JSON from the widget script, or the widget's plain form post."""
    if request.mimetype == "application/x-www-form-urlencoded":
        return _form_vote()
    payload = _json_body()
    if not isinstance(payload, dict):
        raise IngestError(400, "The body must be a JSON object.")
    event = {k: v for k, v in payload.items() if k != "session"}
    # A vote is the reader's own act and is kept; under Do-Not-Track or GPC it is not linked
    # to their reading session (a random one, as for the no-JS form).
    session = secrets.token_hex(16) if _opted_out() else payload.get("session")
    status, body = accept_vote(event, session, request.user_agent.string, request.remote_addr)
    return jsonify(body), status


def _form_vote():
    form = request.form
    if is_content_language(form.get("lang") or ""):
        g.lang = form["lang"]  # answer in the language of the page the reader was on
    helpful = {"yes": True, "no": False}.get(form.get("helpful"))
    if helpful is None:
        raise IngestError(422, _("Choose whether the page was helpful (yes or no)."))
    event = {"page": form.get("page"), "lang": form.get("lang"),
             "helpful": helpful, "reason": form.get("reason") or None,
             "comment": form.get("comment") or None, "section": form.get("section") or None}
    try:
        # No script, so no reading session: each form vote counts on its own (a bot's is
        # counted as a drop and the reader-facing answer is the same).
        accept_vote(event, secrets.token_hex(16), request.user_agent.string, request.remote_addr)
    except IngestError as exc:  # the API's message names JSON fields; readers get theirs
        raise IngestError(exc.status, _form_problem(exc), exc.retry_after) from None
    target = url_for("docs.page", lang=event["lang"], slug=event["page"], feedback="thanks")
    return redirect(target + "#was-this-helpful", 303)


def _form_problem(exc):
    """What a reader who sent the plain form should read about `exc`, in their language."""
    if exc.status == 429:
        return _("You sent many answers in a short time. Please try again in a minute.")
    if exc.status == 503:
        return _("Answers cannot be saved right now. Please try again in a few seconds.")
    return {
        "comment": _("Your comment could not be saved: keep it under %(limit)s characters, "
                     "without special control characters.", limit=format_number(MAX_COMMENT)),
        "reason": _("Choose one of the reasons listed for your answer."),
        "page": _("This page does not take answers. It may have been moved or unpublished."),
        "section": _("This section does not take answers. It may have been renamed."),
    }.get(exc.field, _("Your answer could not be saved. Please go back and try again."))


def _opted_out():
    return opted_out(request.headers.get("DNT"), request.headers.get("Sec-GPC"))


def _json_body():
    return parse_body(lambda n: request.stream.read(n), request.mimetype, request.content_length)


@bp.app_context_processor
def _survey_helpers():
    return {"enabled_surveys": _enabled_surveys, "max_comment": MAX_COMMENT}


def _enabled_surveys():
    """The surveys owners switched on (cached for a few seconds per worker)."""
    import time
    from portal.feedback.surveys import get_settings
    from portal import pagecache
    cache = current_app.extensions.setdefault("signpost_surveys", {})
    stamp = pagecache.current(current_app)  # a settings change bumps it: no stale shared page
    if cache.get("until", 0) < time.monotonic() or cache.get("stamp") != stamp:
        cache["value"] = [s for s in get_settings(db.session).values() if s.enabled]
        cache["until"] = time.monotonic() + 10
        cache["stamp"] = stamp
    return cache["value"]
