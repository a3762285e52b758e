"""One intake pipeline for what readers send: the event API, the JSON vote and the form vote.

Every request goes through the same steps in the same order:

    body -> opted out -> bot -> rate -> validate -> store

Each refusal is an `IngestError` carrying a named `reason` (e.g. "too_large", "rate",
"invalid"), counted in this process's `refusals` and logged at debug level; each drop (Do-Not-Track, bot) answers 202 with its reason, and bot drops are
counted per day in `ingest_drops`. The cheap checks come first, so a client over its rate
is refused before any validation work.
"""
import json
import logging
import threading
from collections import Counter

from flask import current_app
from werkzeug.http import HTTP_STATUS_CODES

from portal import database
from portal.extensions import db
from portal.feedback import service
from portal.feedback.store import count_drop
from portal.feedback.validate import IngestError, is_bot, opted_out, parse_batch  # noqa: F401

log = logging.getLogger(__name__)
# Refusals of this process by reason (drops are counted per day in the database instead):
# a 4xx storm must not turn into database writes.
refusals = Counter()
_refusals_lock = threading.Lock()


def note_refusal(exc):
    """Count and log a refusal under its reason (IngestError.reason, else 'invalid')."""
    reason = getattr(exc, "reason", None) or "invalid"
    exc.reason = reason
    with _refusals_lock:
        refusals[reason] += 1
    log.debug("intake refused (%s, %s): %s", reason, exc.status, exc.message)


def refuse(status, message, reason, **kwargs):
    """An IngestError with its named reason (what a log or a test can count on)."""
    exc = IngestError(status, message, **kwargs)
    exc.reason = reason
    return exc


def parse_body(read_body, mimetype, content_length):
    """The decoded JSON body, or IngestError (400/413/415) saying what is wrong with it."""
    limit = current_app.config["EVENT_MAX_BYTES"]
    if (content_length or 0) > limit:
        raise refuse(413, f"The body is larger than {limit} bytes; send smaller batches.",
                     "too_large")
    if mimetype not in ("application/json", "text/plain"):
        raise refuse(415, "Send JSON with Content-Type: application/json.", "media_type")
    data = read_body(limit + 1)
    if len(data) > limit:
        raise refuse(413, f"The body is larger than {limit} bytes; send smaller batches.",
                     "too_large")
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise refuse(400, f"The body is not valid JSON ({str(exc)[:120]}).",
                     "bad_json") from None


def check_rate(address, user_agent, events, bot=False):
    """IngestError 429 (with retry_after) when this client or address sent too many events."""
    allowed, wait = service.limiter().allow_events(address, user_agent, events, bot=bot)
    if not allowed:
        raise refuse(429, f"Too many events from this client; retry in {wait} seconds.",
                     "rate", retry_after=wait)


def run(payload, *, count, user_agent, address, opted_out=False, build, store=None):
    """The steps after the body: opted out -> bot -> rate -> validate (`build`) -> store.

    `payload` is the decoded body, `count` how many events it claims to hold and `build`
    turns it into a validated `Batch` (raising IngestError); `store` (service.store when
    None) stores it and returns how many events it holds. Returns (status, body); a
    refusal raises IngestError with a named `reason`.
    """
    if opted_out:
        return 202, {"accepted": 0, "dropped": count, "reason": "do_not_track"}
    bot = is_bot(user_agent, current_app.config["EVENT_BOT_PATTERNS"])
    if bot:  # a batch counts at most what a valid one could hold
        count = min(count, current_app.config["EVENT_MAX_BATCH"])
    check_rate(address, user_agent, max(count, 1), bot=bot)
    if bot:
        count_drop(db.session, "bot", count)
        db.session.commit()
        return 202, {"accepted": 0, "dropped": count, "reason": "bot"}
    try:
        batch = build(payload)
    except IngestError as exc:
        if not getattr(exc, "reason", None):
            exc.reason = "invalid"
        raise
    try:
        return 202, {"accepted": (store or service.store)(batch)}
    except IngestError as exc:
        exc.reason = getattr(exc, "reason", None) or "unavailable"
        raise


def accept_events(read_body, mimetype, content_length, user_agent, address, opted_out=False,
                  store=None):
    """Validate and store one event batch; returns (status, JSON-able body, extra headers).

    `store`: what stores the validated batch (service.store, which returns once it is
    committed, when None).

    `opted_out` (Do-Not-Track or GPC sent): nothing is stored or counted, the answer is
    202 with every event dropped for the reason "do_not_track".
    """
    try:
        payload = parse_body(read_body, mimetype, content_length)
        listed = payload.get("events") if isinstance(payload, dict) else None
        status, body = run(
            payload, count=len(listed) if isinstance(listed, list) else 0,
            user_agent=user_agent, address=address, opted_out=opted_out,
            build=lambda p: parse_batch(p, service.known_pages(),
                                        current_app.config["EVENT_MAX_BATCH"]), store=store)
        return status, body, {}
    except IngestError as exc:
        return refused(exc)


def refused(exc):
    """(status, JSON-able body, headers) answering the refusal `exc`, counted and logged
    under its reason."""
    note_refusal(exc)
    return exc.status, {"error": exc.message}, exc.headers


def accept_vote(event, session, user_agent, address):
    """One helpful vote (`event` without its type) through the pipeline; (status, body).

    Refusals raise IngestError (the views answer them as JSON or as a page).
    """
    try:
        return run(event, count=1, user_agent=user_agent, address=address,
                   build=lambda e: parse_batch({"session": session,
                                                "events": [dict(e, type="feedback")]},
                                               service.known_pages()))
    except IngestError as exc:
        note_refusal(exc)
        raise


def failure_answer(exc):
    """(status, JSON-able body, headers) for an unexpected exception on an intake path:
    503 with Retry-After while the database is out (one log line per outage), else a 500
    logged with its traceback. The session is left clean either way."""
    if database.is_outage(exc):
        database.health.failed(exc)
        _discard_session()
        return 503, {"error": "The event store is unavailable right now; retry in "
                              f"{database.RETRY_AFTER} seconds."}, {
            "Retry-After": str(database.RETRY_AFTER)}
    log.exception("Unhandled error while storing events")
    _discard_session()
    return 500, {"error": "internal error"}, {}


def status_line(status):
    """'202 Accepted': the phrase werkzeug (and so the Flask app) uses for `status`."""
    return f"{status} {HTTP_STATUS_CODES.get(status, 'Unknown')}"


def _discard_session():
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: nothing to roll back
        db.session.close()
