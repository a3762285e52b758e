"""In a real Chromium: as-you-type suggestions in the header search box, and the plain form."""
from tests.search.conftest import DOCS


def test_typing_shows_suggestions_and_keyboard_choice_navigates(live_server, make_docs, page):
    server = live_server(make_docs(DOCS))
    page.goto(f"{server.url}/en/docs/tutorial/security")
    box = page.locator("#header-q")
    box.click()
    box.press_sequentially("backgr", delay=30)
    options = page.locator("#header-q-list [role=option]")
    options.first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert "Background Tasks" in options.first.inner_text()
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    box.press("Enter")
    page.wait_for_url("**/en/docs/tutorial/background-tasks")


def test_korean_suggestion_clicked_with_the_mouse(live_server, make_docs, page):
    server = live_server(make_docs(DOCS))
    page.goto(f"{server.url}/ko/")
    page.locator("#header-q").fill("파일업로드")
    option = page.locator("#header-q-list [role=option]", has_text="파일 요청")
    option.wait_for()
    option.click()
    page.wait_for_url("**/ko/docs/tutorial/request-files")


def test_escape_closes_and_enter_submits_the_form(live_server, make_docs, page):
    server = live_server(make_docs(DOCS))
    page.goto(f"{server.url}/en/")
    box = page.locator("#header-q")
    box.fill("docker")
    page.locator("#header-q-list [role=option]").first.wait_for()
    box.press("Escape")
    assert page.locator("#header-q-list").is_hidden()
    box.press("Enter")
    page.wait_for_url("**/en/search?q=docker*")  # the beacon adds &session=
    assert page.locator(".search-result a").first.inner_text().startswith("FastAPI in Containers")


def test_search_works_without_javascript(live_server, make_docs, browser):
    server = live_server(make_docs(DOCS))
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/en/")
        page.locator("#header-q").fill("uplaod")
        page.locator("#header-q").press("Enter")
        page.wait_for_url("**/en/search?q=uplaod")
        assert page.locator("#header-q-list").count() == 0
        assert "upload" in page.locator(".search-suggestion").inner_text()
        page.locator(".search-result a").first.click()
        page.wait_for_url("**/en/docs/tutorial/request-files?from_search=*&rank=1")
    finally:
        context.close()


def test_last_option_opens_all_results(live_server, make_docs, page):
    server = live_server(make_docs(DOCS))
    page.goto(f"{server.url}/en/")
    box = page.locator("#header-q")
    box.fill("docker")
    page.locator("#header-q-list .suggest-all").wait_for()
    box.press("ArrowUp")  # wraps round to the last option
    box.press("Enter")
    page.wait_for_url("**/en/search?*q=docker*")
    assert page.locator(".search-result").count() >= 1
