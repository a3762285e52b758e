"""In a real Chromium: reading, searching, clicking a result, voting and leaving produce
exactly the expected events; with Do-Not-Track the beacon sends nothing."""
import time

from sqlalchemy import create_engine, text

FILLER = "\n\n".join(f"Paragraph {i} explains one more detail of the set-up." for i in range(40))
DOCS = {
    "en/index.md": "# Welcome\n\nStart with [Install](guide/install.md).\n",
    "en/guide/install.md": (f"# Install\n\n## Download {{ #download }}\n\n{FILLER}\n\n"
                            f"## Configure {{ #configure }}\n\n{FILLER}\n\n## Verify {{ #verify }}\n\nDone.\n"),
    "en/guide/upload.md": "# Upload files\n\nTo upload a file, send it as multipart form data.\n\n"
                          "## Limits { #limits }\n\nFiles up to 10 MB.\n",
}


def _rows(server, sql):
    engine = create_engine(server.app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def _wait_for(server, sql, predicate, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        rows = _rows(server, sql)
        if predicate(rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def _stay(page, seconds):
    """Stay on the page as an active reader (the beacon counts visible, active seconds)."""
    for i in range(int(seconds * 4)):
        page.mouse.move(100 + i % 50, 200 + i % 30)
        page.wait_for_timeout(250)


def test_reading_session_produces_exactly_the_expected_events(live_server, make_docs, page):
    server = live_server(make_docs(DOCS))
    page.goto(f"{server.url}/en/docs/guide/install")
    _stay(page, 1)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    _stay(page, 2)
    page.fill("#header-q", "upload")
    page.press("#header-q", "Enter")
    page.wait_for_url("**/en/search?*")
    page.locator(".search-results a, main ol a").filter(has_text="Upload files").first.click()
    page.wait_for_url("**/en/docs/guide/upload*")
    _stay(page, 2)
    assert "from_search" not in page.url  # the beacon strips the tracking parameters
    page.locator("[data-vote=no]").click()
    page.locator("input[name=reason][value=unclear]").check()
    page.fill("textarea[name=comment]", "Which field name?")
    page.locator("[data-send]").click()
    page.locator("[data-status]").filter(has_text="Thank you").wait_for()
    page.goto("about:blank")

    sql = "SELECT page, type, data FROM events ORDER BY id"
    rows = _wait_for(server, sql, lambda r: sum(t == "exit" for _, t, _ in r) >= 2)
    types = [(p, t) for p, t, _ in rows]
    install = sorted(t for p, t in types if p == "guide/install")
    upload = sorted(t for p, t in types if p == "guide/upload")
    assert install == ["engagement", "exit", "page_view", "scroll"]
    assert upload == ["engagement", "exit", "feedback", "feedback", "page_view", "scroll", "search_click"]
    import json
    data = {(p, t): json.loads(d) if isinstance(d, str) else d for p, t, d in rows}
    # the page tells the beacon which revision the reader saw (edit impact is exact)
    assert data[("guide/install", "page_view")] == {"ref": "direct", "rev": 1}
    assert data[("guide/install", "scroll")]["depth"] == 100
    assert data[("guide/install", "scroll")]["section"] == "verify"
    assert data[("guide/install", "engagement")]["seconds"] >= 2
    search_id = _rows(server, "SELECT id FROM search_log WHERE query = 'upload'")[0][0]
    assert data[("guide/upload", "page_view")]["ref"] == "search"
    assert data[("guide/upload", "page_view")]["search_id"] == search_id
    assert data[("guide/upload", "search_click")]["rank"] == 1
    sessions = {s for (s,) in _rows(server, "SELECT DISTINCT session FROM events")}
    assert len(sessions) == 1
    # the search made from the header carries the same reading session
    # and names the page it was made from (the "search after reading" signal)
    assert _rows(server, "SELECT session, from_page FROM search_log") == [
        (sessions.pop(), "guide/install")]
    votes = _rows(server, "SELECT page, helpful, reason, comment FROM votes")
    assert votes == [("guide/upload", 0, "unclear", "Which field name?")] or \
        votes == [("guide/upload", False, "unclear", "Which field name?")]
    clicks = _rows(server, "SELECT search_id, rank, slug FROM search_clicks")
    assert clicks == [(search_id, 1, "guide/upload")]


def _read_and_leave(browser, server, script=None):
    """Read a page, scroll, follow a link and leave; returns whether the beacon was on."""
    context = browser.new_context()
    if script:
        context.add_init_script(script)
    page = context.new_page()
    page.goto(f"{server.url}/en/docs/guide/install")
    enabled = page.evaluate("window.signpost.enabled")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    _stay(page, 1.5)
    page.click("a[href$='/en/docs/index'], .breadcrumbs a")
    _stay(page, 0.5)
    page.goto("about:blank")  # leaving is when the beacon sends its last batch
    context.close()
    time.sleep(1)
    return enabled


def test_do_not_track_sends_nothing(live_server, make_docs, browser):
    server = live_server(make_docs(DOCS))
    for script in ("Object.defineProperty(navigator, 'doNotTrack', {get: () => '1'})",
                   "Object.defineProperty(navigator, 'globalPrivacyControl', {get: () => true})"):
        assert _read_and_leave(browser, server, script) is False, script
        assert _rows(server, "SELECT count(*) FROM events") == [(0,)], script
    # the same reading without the signal stores events: the check above can see a send
    assert _read_and_leave(browser, server) is True
    assert _rows(server, "SELECT count(*) FROM events")[0][0] > 0
