"""Signpost on gunicorn's asyncio worker, the default (`gunicorn.conf.py`: `worker_class`).

The application object speaks both protocols (`DualProtocolFlask`): gunicorn's `asgi`
worker calls it as ASGI and gets `WSGIBridge`; a WSGI server (gunicorn `-k gthread`, the
test suite's werkzeug server) calls it as WSGI. So `gunicorn wsgi:app` serves with the
settings file's worker whichever it names.

gunicorn's `gthread` worker spent about 370 us of CPU on each request of a trivial app
(one worker, one wrk run: 2,683 POSTs/s on a core); its asyncio `asgi` worker about 118 us
(8,505/s). bench/probe_worker_floor.py measures both with 3 workers. `WSGIBridge` runs the same Flask app under the
asyncio worker:

- Every request is first tried in the event loop, through the whole WSGI chain (HTTPS
  redirect and ProxyFix, the page cache, the event fast path). A stored anonymous reader
  page (or its 304) is answered right there: no thread, no Flask.
- An event batch is checked and validated in the loop too, then handed to the background
  committer (`portal.feedback.writer.BackgroundCommit`); its answer is sent once the
  commit is done (`COMMIT_KEY`). Waiting batches hold no thread.
- Anything that needs more (Flask itself, a bot's drop count, Redis rate limits) stops
  with `NeedsThread` before doing any work (`LoopGuard` sits just outside Flask) and runs
  again from the start in a thread of the worker's pool (`GUNICORN_THREADS`, 16), as it
  would under gthread. A reader page missing from the page cache is rendered once: the
  same requests arriving meanwhile wait for that render and are answered from the store.

`--reuse-port` gives each worker a listening socket of its own, which the kernel fills
evenly; on one shared socket the worker that wakes first accepts every waiting connection,
so a few keep-alive connections could all land on one worker (8,000-18,600 req/s between
runs, against a steady 12,800-14,500 with the option).

Bodies are read whole before the app runs, at most `MAX_CONTENT_LENGTH`: a larger one is
dropped and the app answers it (413 when it reads the body); the app has no streaming
responses, so answers are sent whole too.
"""
import asyncio
import io
import logging
import os
import sys
from concurrent.futures import ThreadPoolExecutor

from flask import Flask

log = logging.getLogger(__name__)
LOOP_KEY = "signpost.in_loop"  # set while a request is tried in the event loop
# Set by a request answered in the loop whose answer must wait for a commit:
# (asyncio future of the worker's loop, on_error(exc) -> (status, headers, chunks)).
COMMIT_KEY = "signpost.after_commit"
DEFAULT_MAX_BODY = 16 * 1024 * 1024


class NeedsThread(Exception):
    """Raised inside the WSGI chain when a request tried in the event loop needs a thread.

    `page`: the page cache's key of a shareable reader page that is not stored (yet): the
    requests for it arriving meanwhile can wait for this one's render instead of
    rendering it too.
    """

    def __init__(self, page=None):
        super().__init__()
        self.page = page


class LoopGuard:
    """WSGI middleware just outside Flask: in the event loop, go no further."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get(LOOP_KEY):
            raise NeedsThread()
        return self.wsgi_app(environ, start_response)


def in_loop(environ):
    """True while `environ`'s request is being tried in the event loop (no blocking)."""
    return bool(environ.get(LOOP_KEY))


class DualProtocolFlask(Flask):
    """A Flask app that is also an ASGI app: called with (scope, receive, send) it answers
    through a `WSGIBridge` made for it (one per process, on first use)."""

    _bridge = None

    def __call__(self, *args):
        if len(args) == 3:  # ASGI: (scope, receive, send)
            bridge = self._bridge
            if bridge is None:
                bridge = self._bridge = WSGIBridge(self)  # which calls this app as WSGI
            return bridge(*args)
        return super().__call__(*args)


class WSGIBridge:
    """An ASGI app that serves a WSGI app: in the loop when it can, else in a thread."""

    def __init__(self, wsgi_app, threads=None, max_body=None):
        self.wsgi_app = wsgi_app
        self.threads = int(threads or os.environ.get("GUNICORN_THREADS") or 16)
        config = getattr(wsgi_app, "config", {})
        self.max_body = int(max_body or config.get("MAX_CONTENT_LENGTH") or DEFAULT_MAX_BODY)
        self._pool = None  # made in the worker, after the fork
        self._running = {}  # page cache key rendering in a thread -> future done after it

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self._lifespan(receive, send)
        if scope["type"] != "http":  # no WebSocket endpoints
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1003})
            return
        body = await self._body(scope, receive)
        if body is None:  # too large: not kept, and the app answers its own 413
            answer = await asyncio.get_running_loop().run_in_executor(
                self._executor(), self._call, self._too_large(scope))
            return await self._answer(send, *answer)
        environ = self._environ(scope, body, True)
        try:
            answer = self._call(environ)
        except NeedsThread as need:
            answer = await self._in_thread(scope, body, need.page)
        else:
            waiting = environ.get(COMMIT_KEY)
            if waiting is not None:  # an event batch: answered once it is committed
                committed, on_error = waiting
                try:
                    await committed
                except Exception as exc:
                    answer = on_error(exc)
        await self._answer(send, *answer)

    async def _in_thread(self, scope, body, key=None):
        """Run the request in a thread. A reader page missing from the page cache (`key`,
        the cache's own key) that is already rendering in a thread is waited for first and
        then tried in the loop again: after a publish the readers of a popular page wait
        for one render instead of each rendering it (16 renders of one page at once also
        starve the loop of the GIL, which delays every stored page this worker answers)."""
        loop = asyncio.get_running_loop()
        if key is not None:
            running = self._running.get(key)
            if running is not None:
                await asyncio.shield(running)
                try:
                    return self._call(self._environ(scope, body, True))
                except NeedsThread:  # not stored (a personal page, a redirect): render it
                    pass
            else:
                running = self._running[key] = loop.create_future()
                try:
                    return await loop.run_in_executor(
                        self._executor(), self._call, self._environ(scope, body, False))
                finally:
                    del self._running[key]
                    running.set_result(None)
        return await loop.run_in_executor(
            self._executor(), self._call, self._environ(scope, body, False))

    # -- running the WSGI app ----------------------------------------------------------

    def _too_large(self, scope):
        """The environ of a request whose body is over the limit: no body, and a length
        that Flask refuses (413) as soon as anything reads the body, through the app's own
        error pages (JSON for the API, HTML in the reader's language) as under gthread."""
        environ = self._environ(scope, b"", False)
        environ["CONTENT_LENGTH"] = str(self.max_body + 1)
        return environ

    def _call(self, environ):
        """(status, headers, body chunks) of one WSGI call, its iterable consumed and closed."""
        answer = []

        def start_response(status, headers, exc_info=None):
            if exc_info and answer:
                raise exc_info[1].with_traceback(exc_info[2])
            answer[:] = [status, headers]
            return chunks.append

        chunks = []
        iterable = self.wsgi_app(environ, start_response)
        try:
            for chunk in iterable:
                if chunk:
                    chunks.append(chunk)
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()
        status, headers = answer
        return status, headers, chunks

    def _executor(self):
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="signpost-wsgi")
        return self._pool

    async def _lifespan(self, receive, send):
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._pool is not None:  # let requests in threads finish
                    await asyncio.get_running_loop().run_in_executor(
                        None, self._pool.shutdown, True)
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- ASGI <-> WSGI ----------------------------------------------------------------

    async def _body(self, scope, receive):
        """The whole request body, or None when it is larger than `max_body`."""
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    if int(value) > self.max_body:
                        return None
                except ValueError:
                    pass
        parts, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            parts.append(chunk)
            if not message.get("more_body"):
                break
        return b"".join(parts)

    @staticmethod
    def _environ(scope, body, loop):
        """The PEP 3333 environ of an ASGI HTTP scope (paths as latin-1 of their UTF-8)."""
        server = scope.get("server") or ("localhost", 80)
        client = scope.get("client") or ("", 0)
        environ = {
            "REQUEST_METHOD": scope["method"],
            "SCRIPT_NAME": scope.get("root_path", "").encode("utf-8").decode("latin-1"),
            "PATH_INFO": scope["path"].encode("utf-8").decode("latin-1"),
            "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
            "SERVER_NAME": str(server[0]),
            "SERVER_PORT": str(server[1] if server[1] is not None else 80),
            "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
            "REMOTE_ADDR": str(client[0]),
            "REMOTE_PORT": str(client[1]),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scope.get("scheme", "http"),
            "wsgi.input": io.BytesIO(body),
            "wsgi.input_terminated": True,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        for name, value in scope["headers"]:
            key = name.decode("latin-1").upper().replace("-", "_")
            value = value.decode("latin-1")
            if key == "CONTENT_LENGTH" or key == "CONTENT_TYPE":
                environ[key] = value
                continue
            key = "HTTP_" + key
            if key in environ:  # repeated header: one value, cookies joined as browsers do
                value = environ[key] + ("; " if key == "HTTP_COOKIE" else ", ") + value
            environ[key] = value
        if body and "CONTENT_LENGTH" not in environ:  # sent chunked: the body is whole now
            environ["CONTENT_LENGTH"] = str(len(body))
        if loop:
            environ[LOOP_KEY] = True
        return environ

    @staticmethod
    async def _answer(send, status, headers, chunks):
        await send({"type": "http.response.start", "status": int(status.split(" ", 1)[0]),
                    # names as the app wrote them: gunicorn matches them case-blind and
                    # HTTP/1.1 clients then see what they saw under gthread
                    "headers": [(k.encode("latin-1"), v.encode("latin-1"))
                                for k, v in headers]})
        await send({"type": "http.response.body", "body": b"".join(chunks)})
