"""The event API's request path, and a WSGI shortcut to it.

Event batches are the one request readers' browsers send in bulk. Flask's full request
dispatch (routing, context processors, error-handler lookup) costs more CPU than
validating and storing a batch, so `EventsFastPath` hands POST /api/v1/events straight to
`accept_events` inside an app context. The Flask view calls the same function, so both
paths answer identically.
"""
import orjson
from flask import current_app
from sqlalchemy.exc import InterfaceError, OperationalError

from portal.asgi import COMMIT_KEY, NeedsThread, in_loop
from portal.feedback import service
from portal.feedback.intake import (  # noqa: F401  (accept_events: the Flask view's entry)
    accept_events, check_rate, failure_answer, is_bot, opted_out, parse_body, refused,
    status_line)
from portal.web import SECURITY_HEADERS

PATH = "/api/v1/events"


class EventsFastPath:
    """WSGI middleware: POST /api/v1/events skips Flask's dispatch; all else passes on."""

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.wsgi_app(environ, start_response)
        with self.app.app_context():
            if in_loop(environ):
                status, body, headers = self._in_loop(environ)
            else:
                status, body, headers = self._handle(environ)
        status, headers, chunks = self._answer(status, body, headers)
        start_response(status, headers)
        return chunks

    @staticmethod
    def _answer(status, body, headers):
        payload = orjson.dumps(body)
        return status_line(status), [
            ("Content-Type", "application/json"), ("Content-Length", str(len(payload))),
            *SECURITY_HEADERS, *headers.items()], [payload]

    def _in_loop(self, environ):
        """In the asyncio worker's event loop (portal/asgi.py): the checks and validation
        run here and the batch goes to the background committer; the bridge sends this
        answer once the commit is done, or `_failed_commit`'s if it failed."""
        if not service.loop_safe() or is_bot(environ.get("HTTP_USER_AGENT", ""),
                                             current_app.config["EVENT_BOT_PATTERNS"]):
            raise NeedsThread()  # Redis rate limits (a network round trip), a drop to count
        queued = []

        def later(batch):
            queued.append(service.store_later(batch))
            return len(batch.events)
        answer = self._handle(environ, store=later)
        if queued:
            environ[COMMIT_KEY] = (queued[0], self._failed_commit)
        return answer

    def _failed_commit(self, exc):
        """(status, headers, chunks) for a batch whose background commit failed: 503 with
        Retry-After while the database is out, as when the commit runs in the request."""
        with self.app.app_context():
            if isinstance(exc, (OperationalError, InterfaceError)):
                return self._answer(*refused(service.unavailable(exc)))
            return self._answer(*failure_answer(exc))

    def _handle(self, environ, store=None):
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
                                 opted_out(environ.get("HTTP_DNT"), environ.get("HTTP_SEC_GPC")),
                                 store=store)
        except Exception as exc:  # the same 503/500 answer as the Flask view's path
            return failure_answer(exc)
