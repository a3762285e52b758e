"""In a real Chromium: a pruned sidebar passes axe and is usable from the keyboard alone."""
import pytest

from tests.docs.test_nav_pruning import DOCS


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pruned_nav_has_no_serious_violations(live_server, make_docs, page, axe_check, scheme):
    server = live_server(make_docs(DOCS), NAV_PRUNE_ABOVE=3)
    page.emulate_media(color_scheme=scheme)
    for slug in ("guide/install", "reference/cli", "index"):
        page.goto(f"{server.url}/en/docs/{slug}")
        assert page.locator("#site-nav a.nav-section").count() >= 1
        axe_check(page)


def test_pruned_nav_collapsed_section_opens_from_the_keyboard(live_server, make_docs, page):
    server = live_server(make_docs(DOCS), NAV_PRUNE_ABOVE=3)
    page.goto(f"{server.url}/en/docs/guide/install")
    assert page.locator("#site-nav a.nav-section").all_inner_texts() == [
        "Advanced", "Reference", "Tutorial"]
    for _ in range(60):  # Tab from the top of the page until the "Reference" section has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Reference":
            break
    else:
        pytest.fail("the collapsed section is not reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/en/docs/reference/api")
    current = page.locator('#site-nav a[aria-current="page"]')
    assert current.inner_text() == "API"
    assert page.locator("#site-nav li > ul a", has_text="CLI").is_visible()
