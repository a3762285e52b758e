"""In a real Chromium: the whole sidebar (small sites) with sections that have a page of their own.

Such a section is a <details> whose <summary> is the section's title only; the section's page
is the first link inside it, so no link sits in a <summary> (axe nested-interactive).
"""
import shutil

import pytest

from tests.docs.test_nav_pruning import DOCS


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_full_nav_with_section_pages_has_no_serious_violations(live_server, make_docs, page,
                                                               axe_check, scheme):
    server = live_server(make_docs(DOCS))
    page.emulate_media(color_scheme=scheme)
    for path in ("/en/docs/guide/install", "/en/docs/guide/advanced/tuning", "/en/docs/guide/index",
                 "/en/"):
        page.goto(server.url + path)
        assert page.locator("#site-nav details").count() >= 2
        axe_check(page)


def test_corpus_sidebar_and_home_have_no_serious_violations(live_server, corpus_path, tmp_path,
                                                            page, axe_check):
    """The shared MkDocs corpus's English pages (155: the whole tree) imported with --mkdocs.

    Whole pages: python-types holds images written as HTML without alt text, which become
    the file's name (the portal serves no images), not broken images with no name.
    """
    docs = tmp_path / "corpus"
    shutil.copytree(corpus_path / "en", docs / "en")  # English only: a 5 s import, not 30
    shutil.copy(corpus_path / "mkdocs.yml", docs)
    server = live_server(docs, mkdocs=True)
    for path in ("/en/docs/tutorial/first-steps", "/en/docs/advanced/settings",
                 "/en/docs/tutorial/security/first-steps", "/en/docs/python-types"):
        page.goto(server.url + path)
        assert page.locator("#site-nav details > ul > li:first-child > a").count() >= 10
        axe_check(page)
    assert page.locator("article .missing-image.no-alt").count() >= 5
    page.goto(server.url + "/en/")
    # the home shows the corpus's index.md, whose own raw HTML misuses ARIA (a role that
    # needs children it lacks): that is the content's, so the portal's parts are checked
    axe_check(page, "#site-nav")
    axe_check(page, ".contents")


def test_sections_open_along_the_path_and_work_from_the_keyboard(live_server, make_docs, page):
    server = live_server(make_docs(DOCS))
    page.goto(f"{server.url}/en/docs/guide/advanced/tuning")
    nav = page.locator("#site-nav")
    current = nav.locator('a[aria-current="page"]')
    assert current.inner_text() == "Tuning" and current.is_visible()
    guide = nav.locator("details", has=page.locator("summary", has_text="Guide")).first
    assert guide.get_attribute("open") is not None  # the sections holding the page are open
    tutorial = nav.locator("details", has=page.locator("summary", has_text="Tutorial"))
    assert tutorial.get_attribute("open") is None
    assert not nav.locator("a", has_text="First steps").is_visible()
    for _ in range(80):  # Tab from the top of the page until the closed "Tutorial" section
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName + ' ' + document.activeElement"
                         ".textContent.trim()") == "SUMMARY Tutorial":
            break
    else:
        pytest.fail("the closed section's toggle is not reachable with Tab")
    page.keyboard.press("Enter")  # opens the section
    assert tutorial.get_attribute("open") is not None
    page.keyboard.press("Tab")  # the section's own page comes first inside it
    assert page.evaluate("document.activeElement.getAttribute('href')") == "/en/docs/tutorial/index"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "First steps"
    page.keyboard.press("Enter")
    page.wait_for_url("**/en/docs/tutorial/first")
    assert nav.locator('a[aria-current="page"]').inner_text() == "First steps"
    assert nav.locator("details", has=page.locator("summary", has_text="Tutorial")) \
        .get_attribute("open") is not None
