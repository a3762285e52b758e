"""In a real Chromium: switching language keeps the reader on the same page and section."""
from tests.docs.test_reader import GUIDE


def test_switch_from_korean_to_english_keeps_page_and_section(live_server, make_docs, page):
    server = live_server(make_docs(GUIDE))
    page.goto(f"{server.url}/ko/docs/guide/install#configure")
    assert page.locator("html").get_attribute("lang") == "ko"
    page.locator(".lang-switcher summary").click()
    page.locator('.lang-switcher a[hreflang="en"]').click()
    page.wait_for_url("**/en/docs/guide/install#configure")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").first.inner_text().startswith("Install")
    assert page.evaluate("window.location.hash") == "#configure"
