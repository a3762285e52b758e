"""Signpost under gunicorn's asyncio worker (portal/asgi.py), what `gunicorn wsgi:app`
runs with gunicorn.conf.py.

In-process tests drive `WSGIBridge` with ASGI messages and record where each request ran:
a stored anonymous page and the checks of an event batch run in the event loop (the batch
is answered once the background committer has written it), everything else runs Flask in a
thread, with the same answers gthread gives. A served test runs real gunicorn with the
settings file, as an operator would.
"""
import asyncio
import json
import uuid

import pytest
from sqlalchemy import func, select

from portal.asgi import LOOP_KEY, WSGIBridge
from portal.extensions import db
from portal.feedback.models import Event
from tests.support import run_loop

GUIDE = {
    "en/index.md": "---\ntitle: Welcome\n---\n# Welcome\n\nStart here.\n",
    "en/guide/install.md": "# Install\n\nOriginal install text.\n",
    "ko/guide/install.md": "# 설치\n\n한국어 설치 안내.\n",
}
URL = "/en/docs/guide/install"
BROWSER = [("Content-Type", "application/json"), ("User-Agent", "Mozilla/5.0 (X11; Linux)")]


@pytest.fixture
def guide(make_docs, import_docs):
    return import_docs(make_docs(GUIDE))


class Recording(WSGIBridge):
    """The bridge, noting for each request whether it was answered in the loop or a thread."""

    def __init__(self, app, **kwargs):
        super().__init__(app, **kwargs)
        self.ran = []

    def _call(self, environ):
        answer = super()._call(environ)  # NeedsThread passes through: not answered here
        self.ran.append("loop" if environ.get(LOOP_KEY) else "thread")
        return answer


def request(bridge, method, path, headers=(), body=b"", query=b"", chunks=None):
    """(status, {header: value}, body) of one ASGI HTTP request to `bridge`."""
    return run_loop(arequest(bridge, method, path, headers, body, query, chunks))


async def arequest(bridge, method, path, headers=(), body=b"", query=b"", chunks=None):
    """`request` inside a running event loop (several at once share it, as in a worker)."""
    parts = chunks if chunks is not None else [body]
    messages = [{"type": "http.request", "body": p, "more_body": i < len(parts) - 1}
                for i, p in enumerate(parts)]
    sent = []
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": query, "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
             "server": ("127.0.0.1", 5000), "client": ("10.1.2.3", 40000)}

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    await bridge(scope, receive, send)
    start, body_message = sent
    assert body_message["type"] == "http.response.body"
    return (start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]},
            body_message["body"])


def test_a_stored_page_is_answered_in_the_loop_and_flask_runs_in_a_thread(app, guide):
    bridge = Recording(app)
    status, headers, first = request(bridge, "GET", URL)
    assert status == 200 and b"Original install text." in first
    assert bridge.ran == ["thread"]  # the first view renders through Flask
    status, again, second = request(bridge, "GET", URL)
    assert status == 200 and second == first and again["etag"] == headers["etag"]
    assert bridge.ran == ["thread", "loop"]
    status, _, body = request(bridge, "GET", URL, [("If-None-Match", headers["etag"])])
    assert status == 304 and body == b""
    assert bridge.ran[-1] == "loop"
    status, _, _ = request(bridge, "GET", "/healthz")  # not a reader page: Flask, in a thread
    assert status == 200 and bridge.ran[-1] == "thread"


def test_the_same_page_missing_twice_at_once_renders_once(app, guide):
    """Two readers of a page that is not stored: one renders it in a thread, the other
    waits and is answered from the store in the loop. Other requests never wait."""
    import threading
    import time
    fast = app.extensions["signpost_page_cache"]
    inner = fast.wsgi_app
    both = threading.Barrier(2, timeout=5)  # broken unless both requests run at once

    def slow(environ, start_response):
        if environ.get(LOOP_KEY):  # tried in the loop: Flask's guard sends it to a thread
            return inner(environ, start_response)
        if environ["PATH_INFO"] == "/healthz":
            both.wait()
        else:
            time.sleep(0.2)
        return inner(environ, start_response)
    fast.wsgi_app = slow
    bridge = Recording(app)

    async def together(path):
        return await asyncio.gather(*(arequest(bridge, "GET", path) for _ in range(2)))
    first, second = run_loop(together(URL))
    assert first[0] == second[0] == 200 and first[2] == second[2]
    assert sorted(bridge.ran) == ["loop", "thread"]
    bridge.ran.clear()
    answers = run_loop(together("/healthz"))  # not a reader page: both run at once
    assert [status for status, _, _ in answers] == [200, 200]
    assert bridge.ran == ["thread", "thread"]


def test_answers_match_the_wsgi_app(app, client, guide):
    """UTF-8 paths, query strings, 404s and HEAD answer as they do without the bridge."""
    bridge = WSGIBridge(app)
    for method, path, query in (("GET", "/ko/docs/guide/install", b""),
                                ("GET", URL, b"from=%EC%84%A4"),
                                ("GET", "/en/docs/guide/missing", b""),
                                ("HEAD", URL, b"")):
        status, headers, body = request(bridge, method, path, [("Host", "localhost")],
                                        query=query)
        expected = client.open(path, method=method, query_string=query.decode())
        assert status == expected.status_code, path
        assert body == expected.get_data(), path
        assert headers["content-type"] == expected.headers["Content-Type"]
    status, _, body = request(bridge, "GET", "/ko/docs/guide/install")
    assert "한국어 설치 안내." in body.decode()


def test_the_app_object_is_both_a_wsgi_and_an_asgi_app(app, client, guide):
    """`wsgi:app` is what gunicorn serves with either worker: called with (scope, receive,
    send) it answers through its bridge, called with (environ, start_response) as Flask."""
    status, headers, body = request(app, "GET", URL, [("Host", "localhost")])
    expected = client.get(URL)
    assert status == expected.status_code == 200 and body == expected.get_data()
    assert headers["etag"] == expected.headers["ETag"]
    assert isinstance(app._bridge, WSGIBridge)
    status, _, body = request(app, "POST", "/api/v1/events", BROWSER,
                              json.dumps(batch_of(2)).encode())
    assert status == 202 and json.loads(body) == {"accepted": 2}
    assert stored_events(app) == 2


def batch_of(n=2):
    return {"session": uuid.uuid4().hex, "events": [
        {"type": "page_view", "page": "guide/install", "lang": "en", "ref": "direct"},
        {"type": "scroll", "page": "guide/install", "lang": "en", "depth": 40}][:n]}


def stored_events(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Event))


def test_an_event_batch_is_validated_in_the_loop_and_answered_once_committed(app, guide):
    bridge = Recording(app)
    payload = json.dumps(batch_of()).encode()
    status, _, body = request(bridge, "POST", "/api/v1/events", BROWSER,
                              chunks=[payload[:20], payload[20:]])  # sent in two parts
    assert status == 202 and json.loads(body) == {"accepted": 2}
    assert bridge.ran == ["loop"]  # no thread: the background committer wrote it
    assert stored_events(app) == 2  # committed before the answer
    status, _, body = request(bridge, "POST", "/api/v1/events", BROWSER, b'{"events": 3')
    assert status == 400 and "not valid JSON" in json.loads(body)["error"]
    bot = [("Content-Type", "application/json"), ("User-Agent", "curl/8.0")]
    status, _, body = request(bridge, "POST", "/api/v1/events", bot, payload)
    assert status == 202 and json.loads(body)["reason"] == "bot"
    assert bridge.ran[-1] == "thread"  # a drop is counted in the database: not in the loop


def test_a_vote_validated_in_the_loop_is_stored_with_its_event(app, guide):
    """A vote is an ORM row: the background committer, a thread outside any app context,
    writes its group in one (a plain-event group needs none)."""
    from portal.feedback.models import Vote
    payload = batch_of(1)
    payload["events"].append({"type": "feedback", "page": "guide/install", "lang": "en",
                              "helpful": True})
    status, _, _ = request(WSGIBridge(app), "POST", "/api/v1/events", BROWSER,
                           json.dumps(payload).encode())
    assert status == 202 and stored_events(app) == 2
    with app.app_context():
        votes = db.session.scalars(select(Vote)).all()
        assert [(v.session, v.page, v.helpful) for v in votes] == [
            (payload["session"], "guide/install", True)]


def test_batches_arriving_together_share_commits_and_none_is_lost(app, guide, monkeypatch):
    from portal.feedback import service
    groups = []
    write = service._write

    def counting(batches, *args):
        groups.append(len(batches))
        write(batches, *args)
    monkeypatch.setattr(service, "_write", counting)
    bridge = WSGIBridge(app)

    async def many():
        async def one():
            status, _, _ = await arequest(bridge, "POST", "/api/v1/events", BROWSER,
                                          json.dumps(batch_of()).encode())
            return status
        return await asyncio.gather(*(one() for _ in range(40)))
    assert run_loop(many()) == [202] * 40
    assert stored_events(app) == 80 and sum(groups) == 40
    assert len(groups) < 40  # waiting batches went into shared commits


def test_a_failed_background_commit_answers_503_and_stores_nothing(app, guide, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from portal.feedback import service

    def down(batches, *args):
        raise OperationalError("INSERT", {}, Exception("database is locked"))
    monkeypatch.setattr(service, "_write", down)
    status, headers, body = request(WSGIBridge(app), "POST", "/api/v1/events", BROWSER,
                                    json.dumps(batch_of()).encode())
    assert status == 503 and headers["retry-after"].isdigit()
    assert "unavailable" in json.loads(body)["error"]
    assert stored_events(app) == 0


def test_a_body_over_the_limit_is_not_kept_and_the_app_answers_413(app, guide):
    """The bridge keeps no more than the limit; the app answers as it does under gthread:
    the event API's JSON 413, a page's 413 in the reader's language."""
    app.config.update(MAX_CONTENT_LENGTH=1000, EVENT_MAX_BYTES=500)
    bridge = Recording(app)
    assert bridge.max_body == 1000
    status, _, body = request(bridge, "POST", "/api/v1/events",
                              [("Content-Type", "application/json")], b"x" * 1001)
    assert status == 413 and "larger than" in json.loads(body)["error"]
    status, _, _ = request(bridge, "POST", "/api/v1/events",
                           [("Content-Type", "application/json")], chunks=[b"x" * 600] * 2)
    assert status == 413  # no Content-Length: counted as it arrives
    status, headers, body = request(
        bridge, "POST", "/login", [("Content-Type", "application/x-www-form-urlencoded"),
                                   ("Accept-Language", "ko")], b"email=" + b"x" * 1001)
    assert status == 413 and headers["content-type"].startswith("text/html")
    with app.test_request_context(headers={"Accept-Language": "ko"}):
        from flask_babel import gettext
        assert gettext("What you sent is too large.") in body.decode()
    assert bridge.ran == ["thread"] * 3


def test_repeated_headers_reach_the_app_joined(app):
    seen = {}

    def inner(environ, start_response):
        seen.update(environ)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    request(WSGIBridge(inner), "GET", "/x", [("Cookie", "a=1"), ("Cookie", "b=2"),
                                             ("Accept", "text/html"), ("Accept", "*/*")],
            query=b"q=%ED%95%9C")
    assert seen["HTTP_COOKIE"] == "a=1; b=2"
    assert seen["HTTP_ACCEPT"] == "text/html, */*"
    assert seen["QUERY_STRING"] == "q=%ED%95%9C"
    assert seen["REMOTE_ADDR"] == "10.1.2.3" and seen["SERVER_PORT"] == "5000"


@pytest.mark.slow
def test_served_by_asyncio_workers_pages_events_and_an_edit_reach_every_worker(
        app, guide, tmp_path):
    from tests.docs.test_pagecache import _fetch, _serve, publish
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        proc, port = _serve(app, 2, worker="default", log=log)
    try:
        assert "Using worker: asgi" in log_path.read_text()  # the settings file's default
        etags = set()
        for _ in range(12):
            status, headers, body = _fetch(port, URL)
            assert status == 200 and "Original install text." in body
            etags.add(headers["ETag"])
        assert len(etags) == 1
        old = etags.pop()
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        batch = {"session": uuid.uuid4().hex, "events": [
            {"type": "page_view", "page": "guide/install", "lang": "en", "ref": "direct"}]}
        conn.request("POST", "/api/v1/events", json.dumps(batch), dict(BROWSER))
        response = conn.getresponse()
        assert response.status == 202 and json.loads(response.read()) == {"accepted": 1}
        conn.close()
        assert stored_events(app) == 1
        publish("guide/install", "en", "# Install\n\nEdited in another process.\n")
        for _ in range(12):
            status, headers, body = _fetch(port, URL, {"If-None-Match": old})
            assert status == 200 and "Edited in another process." in body
            assert headers["ETag"] != old
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _settings(monkeypatch, **env):
    """gunicorn.conf.py read as gunicorn reads it (a module run once), with `env` set."""
    import importlib.util

    from tests.conftest import ROOT
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SIGNPOST_SERVER_PID", "0")  # the file sets it: restored afterwards
    spec = importlib.util.spec_from_file_location("signpost_gunicorn_conf",
                                                  ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("args, threads", [
    ([], 1),  # the asyncio worker: gunicorn's own threads setting stays unused
    (["-k", "gthread"], 7),  # threads from GUNICORN_THREADS
    (["-k", "gthread", "--threads", "3"], 3),  # the command line wins
])
def test_the_settings_file_serves_asyncio_and_gives_gthread_its_threads(
        monkeypatch, args, threads):
    from gunicorn.config import Config
    settings = _settings(monkeypatch, GUNICORN_THREADS="7")
    cfg = Config()
    for name in cfg.settings:  # what the file sets, then the command line (as gunicorn does)
        if hasattr(settings, name):
            cfg.set(name, getattr(settings, name))
    for name, value in vars(cfg.parser().parse_args([*args, "wsgi:app"])).items():
        if value is not None and name in cfg.settings:
            cfg.set(name, value)

    class Server:
        pass
    server = Server()
    server.cfg = cfg
    cfg.on_starting(server)
    assert cfg.worker_class_str == ("gthread" if args else "asgi")
    assert cfg.reuse_port is True
    assert cfg.threads == threads
