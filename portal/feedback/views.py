"""Reader feedback endpoints: the event API and helpful votes (JSON or a plain form post)."""
import json
import secrets

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.extensions import csrf, db
from portal.feedback import service
from portal.feedback.ingest import IngestError, count_drop, is_bot, parse_batch

bp = Blueprint("feedback", __name__, template_folder="templates")


@bp.errorhandler(IngestError)
def _refused(exc):
    if request.mimetype == "application/x-www-form-urlencoded":
        referrer = request.referrer or ""
        back = referrer if referrer.startswith(request.host_url) else url_for("root")
        return render_template("feedback/refused.html", message=exc.message,
                               back=back), exc.status
    response = jsonify(error=exc.message)
    if exc.status == 429:
        response.headers["Retry-After"] = str(getattr(exc, "retry_after", 60))
    return response, exc.status


@bp.post("/api/v1/events")
@csrf.exempt
def events():
    """Store a batch of reader events; 202 once they are committed."""
    payload = _json_body()
    listed = payload.get("events") if isinstance(payload, dict) else None
    count = len(listed) if isinstance(listed, list) else 0
    if is_bot(request.user_agent.string, current_app.config["EVENT_BOT_PATTERNS"]):
        count_drop(db.session, "bot", count)
        db.session.commit()
        return jsonify(accepted=0, dropped=count, reason="bot"), 202
    _rate_limit(max(count, 1))
    batch = parse_batch(payload, service.known_pages(), current_app.config["EVENT_MAX_BATCH"])
    return jsonify(accepted=service.store(batch)), 202


@bp.post("/api/v1/feedback")
@csrf.exempt
def feedback():
    """A helpful vote: JSON from the widget script, or the widget's plain form post."""
    if request.mimetype == "application/x-www-form-urlencoded":
        return _form_vote()
    payload = _json_body()
    if not isinstance(payload, dict):
        raise IngestError(400, "The body must be a JSON object.")
    event = {k: v for k, v in payload.items() if k != "session"}
    batch = parse_batch({"session": payload.get("session"), "events": [dict(event, type="feedback")]},
                        service.known_pages())
    _rate_limit(1)
    return jsonify(accepted=service.store(batch)), 202


def _form_vote():
    form = request.form
    helpful = {"yes": True, "no": False}.get(form.get("helpful"))
    if helpful is None:
        raise IngestError(422, _("Choose whether the page was helpful (yes or no)."))
    event = {"type": "feedback", "page": form.get("page"), "lang": form.get("lang"),
             "helpful": helpful, "reason": form.get("reason") or None,
             "comment": form.get("comment") or None, "section": form.get("section") or None}
    try:
        # No script, so no reading session: each form vote counts on its own.
        batch = parse_batch({"session": secrets.token_hex(16), "events": [event]},
                            service.known_pages())
    except IngestError as exc:
        raise IngestError(exc.status, _("We could not record your answer: %(problem)s",
                                        problem=exc.message)) from None
    _rate_limit(1)
    service.store(batch)
    target = url_for("docs.page", lang=event["lang"], slug=event["page"], feedback="thanks")
    return redirect(target + "#was-this-helpful", 303)


def _json_body():
    limit = current_app.config["EVENT_MAX_BYTES"]
    if (request.content_length or 0) > limit:
        raise IngestError(413, f"The body is larger than {limit} bytes; send smaller batches.")
    if request.mimetype not in ("application/json", "text/plain"):
        raise IngestError(415, "Send JSON with Content-Type: application/json.")
    data = request.get_data(cache=False)
    if len(data) > limit:
        raise IngestError(413, f"The body is larger than {limit} bytes; send smaller batches.")
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise IngestError(400, f"The body is not valid JSON ({str(exc)[:120]}).") from None


def _rate_limit(events):
    limiter = service.limiter()
    key = limiter.client_key(request.remote_addr, request.user_agent.string)
    allowed, wait = limiter.allow(key, events)
    if not allowed:
        exc = IngestError(429, f"Too many events from this client; retry in {wait} seconds.")
        exc.retry_after = wait
        raise exc


@bp.app_context_processor
def _survey_helpers():
    return {"enabled_surveys": _enabled_surveys}


def _enabled_surveys():
    """The surveys owners switched on (cached for a few seconds per worker)."""
    import time
    from portal.feedback.surveys import get_settings
    cache = current_app.extensions.setdefault("signpost_surveys", {})
    if cache.get("until", 0) < time.monotonic():
        cache["value"] = [s for s in get_settings(db.session).values() if s.enabled]
        cache["until"] = time.monotonic() + 10
    return cache["value"]
