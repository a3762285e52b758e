"""The event API's request path, and a WSGI shortcut to it.

Event batches are the one request readers' browsers send in bulk. Flask's full request
dispatch (routing, context processors, error-handler lookup) costs more CPU than
validating and storing a batch, so `EventsFastPath` hands POST /api/v1/events straight to
`accept_events` inside an app context. The Flask view calls the same function, so both
paths answer identically.
"""
import orjson

from portal.asgi import NeedsThread, in_loop
from portal.feedback.intake import (  # noqa: F401  (accept_events: the Flask view's entry)
    accept_events, check_rate, failure_answer, opted_out, parse_body, status_line)
from portal.web import SECURITY_HEADERS

PATH = "/api/v1/events"


class EventsFastPath:
    """WSGI middleware: POST /api/v1/events skips Flask's dispatch; all else passes on."""

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.wsgi_app(environ, start_response)
        if in_loop(environ):  # storing waits for a group commit: not in the event loop
            raise NeedsThread()
        with self.app.app_context():
            status, body, headers = self._handle(environ)
        payload = orjson.dumps(body)
        start_response(status_line(status), [
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
        except Exception as exc:  # the same 503/500 answer as the Flask view's path
            return failure_answer(exc)
