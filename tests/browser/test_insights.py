"""In a real Chromium: an owner signs in, reads the insights page table, filters to Korean,
opens a page detail and sees its charts with accessible names; a reader gets 403."""
import uuid
from tests.browser.conftest import sign_in

DOCS = {
    "en/index.md": "# Welcome\n\nStart with [Install](guide/install.md).\n",
    "en/guide/install.md": "# Install\n\n## Download { #download }\n\nGet it.\n\n"
                           "## Configure { #configure }\n\nSet it up.\n",
    "ko/index.md": "# 환영합니다\n\n[설치](guide/install.md)부터 시작하세요.\n",
    "ko/guide/install.md": "# 설치\n\n## 내려받기 { #download }\n\n받으세요.\n\n"
                           "## 설정 { #configure }\n\n설정하세요.\n",
}
PASSWORD = "password-123"


def _send_traffic(page, server):
    """Reading sessions through the public event API: Korean readers stop early and vote no."""
    for i in range(12):
        lang = "ko" if i % 2 else "en"
        events = [{"type": "page_view", "page": "index", "lang": lang, "ref": "direct", "t": 1000},
                  {"type": "page_view", "page": "guide/install", "lang": lang, "ref": "internal",
                   "t": 5000},
                  {"type": "scroll", "page": "guide/install", "lang": lang, "depth": 30,
                   "section": "download", "t": 6000},
                  {"type": "engagement", "page": "guide/install", "lang": lang,
                   "seconds": 4 if lang == "ko" else 40, "t": 9000},
                  {"type": "feedback", "page": "guide/install", "lang": lang,
                   "helpful": lang != "ko", "reason": None if lang != "ko" else "unclear",
                   "t": 9500}]
        response = page.request.post(f"{server.url}/api/v1/events",
                                     data={"session": uuid.uuid4().hex, "events": events})
        assert response.status == 202, response.text()


def _users(server):
    from portal.auth.operations import create_user
    from portal.extensions import db
    with server.app.app_context():
        create_user(db.session, "owner@example.com", "owner", PASSWORD)
        create_user(db.session, "reader@example.com", "reader", PASSWORD)
        db.session.commit()
        db.session.remove()


def _sign_in(page, server, email):
    sign_in(page, server, email, PASSWORD)


def test_owner_filters_to_korean_and_opens_a_page_detail(live_server, make_docs, page, axe_check):
    server = live_server(make_docs(DOCS))
    _users(server)
    _send_traffic(page, server)
    _sign_in(page, server, "owner@example.com")
    page.goto(f"{server.url}/insights/")
    assert page.locator("h1").inner_text() == "Where readers get stuck"
    axe_check(page)
    page.select_option("#f-lang", "ko")
    page.click("text=Apply filters")
    page.wait_for_url("**/insights/?*lang=ko*")
    rows = page.locator("#pages-table tbody tr")
    assert rows.count() >= 1
    langs = {rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())}
    assert langs == {"ko"}
    axe_check(page)
    # The no-JS sort links and the script's quick filter both work.
    page.locator("#pages-table thead a", has_text="Views").click()
    page.wait_for_url("**sort=views**")
    page.fill("#table-filter-0", "zzz-no-such-page")
    assert page.locator("#pages-table tbody tr:visible").count() == 0
    page.fill("#table-filter-0", "")
    page.locator("#pages-table tbody th a", has_text="설치").click()
    page.wait_for_url("**/insights/pages/ko/guide/install*")
    assert page.locator("h1").inner_text() == "설치 (ko)"
    charts = page.locator("svg.line-chart")
    assert charts.count() == 3
    names = [charts.nth(i).get_attribute("aria-label") for i in range(3)]
    assert names == ["Views per day", "Helpful rate per day", "Average engaged time per day"]
    assert all(charts.nth(i).get_attribute("role") == "img" for i in range(3))
    page.locator("summary", has_text="Show the numbers as a table").first.click()
    assert page.locator("details[open] table tbody tr").count() >= 1
    axe_check(page)
    for url in ("/insights/searches", "/insights/journeys", "/insights/surveys",
                "/insights/funnels/new"):
        page.goto(server.url + url)
        assert page.locator("h1").count() == 1
        axe_check(page)


def test_a_reader_gets_403(live_server, make_docs, page, axe_check):
    server = live_server(make_docs(DOCS))
    _users(server)
    _sign_in(page, server, "reader@example.com")
    response = page.goto(f"{server.url}/insights/")
    assert response.status == 403
    axe_check(page)
