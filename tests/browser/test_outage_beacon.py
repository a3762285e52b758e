"""In a real Chromium: the beacon keeps a batch the server could not take (503 during a
database outage) and sends it again after Retry-After, with the same batch id; it is
stored once. A batch still unsent when the reader moves on is sent by the next page."""
import json
import re
import time

from sqlalchemy import create_engine, text

DOCS = {"en/index.md": "# Welcome\n\nStart with [Install](guide/install.md).\n",
        "en/guide/install.md": "# Install\n\nRun the installer.\n",
        "en/guide/upload.md": "# Upload\n\nSend the file.\n"}


def _page_views(server):
    engine = create_engine(server.app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(
                "SELECT session, page FROM events WHERE type = 'page_view' ORDER BY id"))]
    finally:
        engine.dispose()


def _wait_for(page, predicate, timeout=15):
    """Wait while Playwright keeps serving the page's routes (time.sleep would block them)."""
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    return predicate()


def _outage(page, refusals):
    """Answer the first `refusals` event batches 503 (Retry-After: 1); let the rest through."""
    sent = []

    def handle(route):
        sent.append(json.loads(route.request.post_data))
        if len(sent) <= refusals:
            route.fulfill(status=503, headers={"Retry-After": "1"}, content_type="application/json",
                          body='{"error": "The event store is unavailable right now."}')
        else:
            route.continue_()
    page.route("**/api/v1/events", handle)
    return sent


def test_a_refused_batch_is_sent_again_with_the_same_id(live_server, make_docs, page):
    server = live_server(make_docs(DOCS))
    sent = _outage(page, refusals=2)
    page.goto(f"{server.url}/en/docs/guide/install")
    page.evaluate("window.signpost.flush()")
    assert _wait_for(page, lambda: len(sent) >= 3), f"sent {len(sent)} batches"
    assert _wait_for(page, lambda: len(_page_views(server)) == 1)
    first = sent[0]
    assert [b["batch"] for b in sent[:3]] == [first["batch"]] * 3
    # 24 hex digits, the time in ms first (ids sent together sort together), as restore()
    # checks kept batches for
    assert re.fullmatch(r"[0-9a-f]{24}", first["batch"])
    assert abs(int(first["batch"][:12], 16) / 1000 - time.time()) < 60
    assert [b["events"] for b in sent[:3]] == [first["events"]] * 3
    page.wait_for_timeout(1500)
    assert [p for _, p in _page_views(server)] == ["guide/install"]  # stored once


def test_a_batch_unsent_when_the_reader_moves_on_is_sent_by_the_next_page(live_server, make_docs,
                                                                          page):
    server = live_server(make_docs(DOCS))
    sent = _outage(page, refusals=1)
    page.goto(f"{server.url}/en/docs/guide/install")
    page.evaluate("window.signpost.flush()")
    assert _wait_for(page, lambda: len(sent) >= 1)
    page.wait_for_timeout(200)  # the 503 is read; the retry is 1 s away
    page.goto(f"{server.url}/en/docs/guide/upload")
    page.evaluate("window.signpost.flush()")
    assert _wait_for(page, lambda: {p for _, p in _page_views(server)} == {"guide/install",
                                                                     "guide/upload"})
    page.wait_for_timeout(1500)
    views = _page_views(server)
    assert sorted(p for _, p in views) == ["guide/install", "guide/upload"]
    assert len({s for s, _ in views}) == 1  # one reading session across both pages
