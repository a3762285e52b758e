"""The event API's request path, and a WSGI shortcut to it.

Event batches are the one request readers' browsers send in bulk. Flask's full request
dispatch (routing, context processors, error-handler lookup) costs more CPU than
validating and storing a batch, so `EventsFastPath` hands POST /api/v1/events straight to
`accept_events` inside an app context. The Flask view calls the same function, so both
paths answer identically.
"""
import json
import logging

from flask import current_app

from portal import database
from portal.extensions import db
from portal.feedback import service
from portal.feedback.ingest import IngestError, count_drop, is_bot, opted_out, parse_batch
from portal.web import SECURITY_HEADERS

log = logging.getLogger(__name__)
PATH = "/api/v1/events"


def accept_events(read_body, mimetype, content_length, user_agent, address, opted_out=False):
    """Validate and store one batch; returns (status, JSON-able body, extra headers).

    `opted_out` (Do-Not-Track or GPC sent): nothing is stored or counted, the answer is
    202 with every event dropped for the reason "do_not_track".
    """
    try:
        payload = parse_body(read_body, mimetype, content_length)
        listed = payload.get("events") if isinstance(payload, dict) else None
        count = len(listed) if isinstance(listed, list) else 0
        if opted_out:
            return 202, {"accepted": 0, "dropped": count, "reason": "do_not_track"}, {}
        bot = is_bot(user_agent, current_app.config["EVENT_BOT_PATTERNS"])
        if bot:  # a batch counts at most what a valid one could hold
            count = min(count, current_app.config["EVENT_MAX_BATCH"])
        check_rate(address, user_agent, max(count, 1), bot=bot)
        if bot:
            count_drop(db.session, "bot", count)
            db.session.commit()
            return 202, {"accepted": 0, "dropped": count, "reason": "bot"}, {}
        batch = parse_batch(payload, service.known_pages(), current_app.config["EVENT_MAX_BATCH"])
        return 202, {"accepted": service.store(batch)}, {}
    except IngestError as exc:
        return exc.status, {"error": exc.message}, exc.headers


def parse_body(read_body, mimetype, content_length):
    """The decoded JSON body, or IngestError (400/413/415) saying what is wrong with it."""
    limit = current_app.config["EVENT_MAX_BYTES"]
    if (content_length or 0) > limit:
        raise IngestError(413, f"The body is larger than {limit} bytes; send smaller batches.")
    if mimetype not in ("application/json", "text/plain"):
        raise IngestError(415, "Send JSON with Content-Type: application/json.")
    data = read_body(limit + 1)
    if len(data) > limit:
        raise IngestError(413, f"The body is larger than {limit} bytes; send smaller batches.")
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise IngestError(400, f"The body is not valid JSON ({str(exc)[:120]}).") from None


def check_rate(address, user_agent, events, bot=False):
    """IngestError 429 (with retry_after) when this client or address sent too many events."""
    allowed, wait = service.limiter().allow_events(address, user_agent, events, bot=bot)
    if not allowed:
        exc = IngestError(429, f"Too many events from this client; retry in {wait} seconds.")
        exc.retry_after = wait
        raise exc


class EventsFastPath:
    """WSGI middleware: POST /api/v1/events skips Flask's dispatch; all else passes on."""

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.wsgi_app(environ, start_response)
        with self.app.app_context():
            status, body, headers = self._handle(environ)
        payload = json.dumps(body).encode()
        reason = {202: "Accepted", 400: "Bad Request", 413: "Payload Too Large",
                  415: "Unsupported Media Type", 422: "Unprocessable Content",
                  429: "Too Many Requests", 503: "Service Unavailable"}.get(
                      status, "Internal Server Error")
        start_response(f"{status} {reason}", [
            ("Content-Type", "application/json"), ("Content-Length", str(len(payload))),
            *SECURITY_HEADERS, *headers.items()])
        return [payload]

    def _handle(self, environ):
        stream = environ["wsgi.input"]
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        mimetype = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        try:
            return accept_events(lambda n: stream.read(min(n, length)) if length else b"",
                                 mimetype, length, environ.get("HTTP_USER_AGENT", ""),
                                 environ.get("REMOTE_ADDR", ""),
                                 opted_out(environ.get("HTTP_DNT"), environ.get("HTTP_SEC_GPC")))
        except Exception as exc:  # keep the database session clean, answer JSON
            if database.is_outage(exc):  # counted once per outage, not a traceback each
                database.health.failed(exc)
                _discard_session()
                return 503, {"error": "The event store is unavailable right now; retry in "
                                      f"{database.RETRY_AFTER} seconds."}, {
                    "Retry-After": str(database.RETRY_AFTER)}
            log.exception("Unhandled error while storing events")
            _discard_session()
            return 500, {"error": "internal error"}, {}


def _discard_session():
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: nothing to roll back
        db.session.close()
