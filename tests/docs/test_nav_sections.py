"""Sections that have a page of their own, in the whole sidebar and in the docs home's contents."""
import re

from flask import template_rendered

from tests.docs.test_nav_pruning import (  # noqa: F401 (site is a fixture)
    ALL_PAGES, DOCS, _ListChecker, links, reachable, sidebar, site)


def contents(client, lang="en"):
    """The docs home's list of pages (the <section class="contents">)."""
    response = client.get(f"/{lang}/")
    assert response.status_code == 200
    return response.get_data(as_text=True).split('class="contents"', 1)[1].split("</section>", 1)[0]


def test_a_section_summary_holds_its_title_and_its_page_is_the_first_link_inside(site):
    _, client = site()
    nav = sidebar(client, "guide/install")
    for summary in re.findall(r"<summary>(.*?)</summary>", nav, re.S):
        assert "<a" not in summary  # no link nested in the toggle (axe nested-interactive)
    assert re.search(r'<details open>\s*<summary><span class="nav-label">Guide</span></summary>\s*'
                     r'<ul>\s*<li><a href="/en/docs/guide/index">Guide</a></li>\s*'
                     r'<li>\s*<details>\s*<summary><span class="nav-label">Advanced</span>'
                     r'</summary>\s*<ul>\s*<li><a href="/en/docs/guide/advanced/index">Advanced</a>'
                     r'</li>', nav)
    assert '<li><a href="/en/docs/guide/install" aria-current="page">Install</a></li>' in nav
    # a section without a page is a label, open, with no link of its own
    assert re.search(r'<details open>\s*<summary><span class="nav-label">Reference</span>'
                     r'</summary>\s*<ul>\s*<li>\s*<a href="/en/docs/reference/api">API</a>', nav)
    assert set(links(nav)) == ALL_PAGES
    checker = _ListChecker()
    checker.feed(nav)
    assert checker.problems == []


def test_the_sections_holding_the_current_page_are_open(site):
    _, client = site()
    nav = sidebar(client, "guide/advanced/tuning")
    opened = re.findall(r'<details open>\s*<summary><span class="nav-label">([^<]+)<', nav)
    closed = re.findall(r'<details>\s*<summary><span class="nav-label">([^<]+)<', nav)
    assert opened == ["Guide", "Advanced", "Reference"] and closed == ["Tutorial"]
    assert 'href="/en/docs/guide/advanced/tuning" aria-current="page"' in nav
    own = sidebar(client, "tutorial/index")  # a section's own page opens it and is current
    assert re.search(r'<details open>\s*<summary><span class="nav-label">Tutorial</span>'
                     r'</summary>\s*<ul>\s*<li><a href="/en/docs/tutorial/index" '
                     r'aria-current="page">Tutorial</a></li>', own)


def test_the_home_of_a_small_site_lists_every_page(site):
    _, client = site()
    body = contents(client)
    assert set(links(body)) == ALL_PAGES
    assert "aria-current" not in body
    assert all("<a" not in s for s in re.findall(r"<summary>(.*?)</summary>", body, re.S))


def test_the_home_of_a_large_site_lists_two_levels(site):
    _, client = site(NAV_PRUNE_ABOVE=3)
    body = contents(client)
    assert links(body) == {
        "index": "Welcome",
        "guide/index": "Guide", "guide/install": "Install", "guide/upgrade": "Upgrade",
        "guide/advanced/index": "Advanced",  # a section below the top: a link to its page
        "reference/api": "API", "reference/cli": "CLI",
        "tutorial/index": "Tutorial", "tutorial/first": "First steps",
    }
    assert "guide/advanced/tuning" not in body and "<details" not in body
    assert '<a href="/en/docs/guide/advanced/index" class="nav-section">Advanced</a>' in body
    assert re.search(r'<span class="nav-label">Reference</span>\s*<ul>', body)
    checker = _ListChecker()
    checker.feed(body)
    assert checker.problems == []


def test_every_page_is_reachable_from_a_large_sites_home(site):
    _, client = site(NAV_PRUNE_ABOVE=3)
    assert reachable(client, links(contents(client))) == ALL_PAGES


def test_the_home_without_pages_says_so(site, tmp_path):
    _, client = site()
    response = client.get("/ko/")  # DOCS holds English pages only
    assert "No pages have been published yet." not in response.get_data(as_text=True)
    from portal.content.models import Translation
    from portal.extensions import db
    db.session.query(Translation).delete()
    db.session.commit()
    assert "No pages have been published yet." in client.get("/en/").get_data(as_text=True)


def test_a_page_request_builds_no_tree_once_its_sidebar_is_cached(site, monkeypatch):
    from portal.content import queries
    app, client = site(PAGE_CACHE=False)
    client.get("/en/docs/guide/install")
    client.get("/en/")
    built = []
    real = queries.build_nav_tree
    monkeypatch.setattr(queries, "build_nav_tree", lambda entries: built.append(1) or real(entries))
    seen = []

    def record(sender, template, context, **extra):
        seen.append((template.name, set(context)))
    with template_rendered.connected_to(record, app):
        assert client.get("/en/docs/guide/install").status_code == 200
        assert client.get("/en/").status_code == 200
    assert built == []  # the sidebar and the home's contents come from the cache
    pages = {name: names for name, names in seen if name.startswith("docs/")}
    assert "nav" not in pages["docs/page.html"] and "contents" not in pages["docs/page.html"]
    assert "contents" in pages["docs/home.html"]
