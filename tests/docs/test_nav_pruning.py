"""Sidebar pruning on large sites (NAV_PRUNE_ABOVE): only what a reader sees is sent."""
import re
from html.parser import HTMLParser

import pytest

from portal.content.queries import NavNode
from portal.extensions import db
from tests.conftest import make_app

DOCS = {
    "en/index.md": "# Welcome\n",
    "en/guide/index.md": "# Guide\n",
    "en/guide/install.md": "# Install\n",
    "en/guide/upgrade.md": "# Upgrade\n",
    "en/guide/advanced/index.md": "# Advanced\n",
    "en/guide/advanced/tuning.md": "# Tuning\n",
    "en/reference/api.md": "# API\n",  # no reference/index: "Reference" is a label
    "en/reference/cli.md": "# CLI\n",
    "en/tutorial/index.md": "# Tutorial\n",
    "en/tutorial/first.md": "# First steps\n",
}
ALL_PAGES = {path[3:-3] for path in DOCS}


@pytest.fixture
def site(tmp_path, database_template, make_docs):
    """Factory: a client of an app with DOCS imported and the given settings."""
    def make(**config):
        app = make_app(tmp_path / f"app{len(made)}", database_template, **config)
        ctx = app.app_context()
        ctx.push()
        made.append(ctx)
        from portal.content.commands import run_import
        run_import(make_docs(DOCS))
        return app, app.test_client()
    made = []
    yield make
    for ctx in reversed(made):
        db.session.remove()
        ctx.pop()


def sidebar(client, slug):
    response = client.get(f"/en/docs/{slug}")
    assert response.status_code == 200, slug
    html = response.get_data(as_text=True)
    return html.split('id="site-nav"', 1)[1].split("</nav>", 1)[0]


def links(nav):
    """{slug: text} of every link in the sidebar."""
    return {slug: text for slug, text in re.findall(r'<a href="/en/docs/([^"]+)"[^>]*>([^<]+)</a>', nav)}


def test_a_pruned_sidebar_holds_the_path_siblings_and_top_level(site):
    _, client = site(NAV_PRUNE_ABOVE=3)
    nav = sidebar(client, "guide/install")
    assert links(nav) == {
        "index": "Welcome",  # top level
        "guide/index": "Guide",  # ancestor, open
        "guide/install": "Install", "guide/upgrade": "Upgrade",  # the page and its siblings
        "guide/advanced/index": "Advanced",  # a sibling section, collapsed
        "reference/api": "Reference",  # a collapsed label links to its first page
        "tutorial/index": "Tutorial",  # a collapsed section links to its own page
    }
    assert 'href="/en/docs/guide/install" aria-current="page"' in nav
    assert "<details" not in nav and "<summary" not in nav  # open along the path, no toggle
    assert re.search(r'<a href="/en/docs/guide/index">Guide</a>\s*<ul>((?!</ul>).)*'
                     r'<a href="/en/docs/guide/install" aria-current="page">', nav, re.S)
    assert re.search(r'<a href="/en/docs/reference/api" class="nav-section">Reference</a>', nav)
    assert "nav-label" not in nav


def test_the_current_section_shows_its_children(site):
    _, client = site(NAV_PRUNE_ABOVE=3)
    nav = links(sidebar(client, "guide/advanced/index"))
    assert {"guide/advanced/index", "guide/advanced/tuning", "guide/install"} <= set(nav)
    assert "tutorial/first" not in nav and "reference/cli" not in nav
    deep = sidebar(client, "guide/advanced/tuning")
    assert "<details" not in deep
    assert re.search(r'>Guide</a>\s*<ul>.*>Advanced</a>\s*<ul>\s*<li>\s*'
                     r'<a href="/en/docs/guide/advanced/tuning" aria-current="page">', deep, re.S)
    assert 'href="/en/docs/guide/advanced/tuning" aria-current="page"' in deep
    inside_label = links(sidebar(client, "reference/cli"))
    assert {"reference/api", "reference/cli", "guide/index", "tutorial/index"} == \
        set(inside_label) - {"index"}


def reachable(client, start):
    """Every page a reader reaches by following sidebar links from the pages `start`."""
    seen, todo = set(), list(start)
    while todo:
        slug = todo.pop()
        if slug not in seen:
            seen.add(slug)
            todo += links(sidebar(client, slug))
    return seen


def test_every_page_stays_reachable_by_clicks_in_a_pruned_sidebar(site):
    _, client = site(NAV_PRUNE_ABOVE=3)
    assert reachable(client, ["index"]) == ALL_PAGES


def test_a_pruned_sidebar_is_made_of_valid_lists(site):
    _, client = site(NAV_PRUNE_ABOVE=3)
    for slug in ("index", "guide/install", "guide/advanced/tuning", "reference/api"):
        checker = _ListChecker()
        checker.feed(sidebar(client, slug))
        assert checker.problems == [], slug


def test_the_same_app_with_pruning_off_lists_everything(site):
    app, client = site(NAV_PRUNE_ABOVE=3, PAGE_CACHE=False)
    assert "tutorial/first" not in links(sidebar(client, "guide/install"))
    app.config["NAV_PRUNE_ABOVE"] = 0
    nav = sidebar(client, "guide/install")
    assert set(links(nav)) == ALL_PAGES
    assert "<details>" in nav and '<span class="nav-label">Reference</span>' in nav
    assert "nav-section" not in nav


def test_small_sites_below_the_threshold_keep_the_whole_tree(site):
    app, client = site()
    assert app.config["NAV_PRUNE_ABOVE"] == 300
    nav = sidebar(client, "guide/install")
    assert set(links(nav)) == ALL_PAGES and "<details>" in nav


def test_prune_goes_depth_first_and_drops_sections_without_pages():
    from portal.content.queries import prune_nav_tree
    page = NavNode("a/b/c", "C")
    tree = [NavNode(None, "Label", children=[NavNode(None, "Inner", children=[page])]),
            NavNode(None, "Empty", children=[NavNode(None, "Nothing")]),
            NavNode("x", "X", children=[NavNode("x/y", "Y")])]
    pruned = prune_nav_tree(tree, "x/y")
    assert [(n.slug, n.title, n.collapsed, [c.slug for c in n.children]) for n in pruned] == [
        ("a/b/c", "Label", True, []), ("x", "X", False, ["x/y"])]
    assert [n.slug for n in prune_nav_tree(tree, "not-in-the-tree")] == ["a/b/c", "x"]


class _ListChecker(HTMLParser):
    """Records list items outside a list and lists holding anything but items."""

    VOID = {"br", "img", "hr", "input", "meta", "link"}

    def __init__(self):
        super().__init__()
        self.stack, self.problems = [], []

    def handle_starttag(self, tag, attrs):
        parent = self.stack[-1] if self.stack else None
        if tag == "li" and parent != "ul":
            self.problems.append(f"<li> inside <{parent}>")
        if parent == "ul" and tag != "li":
            self.problems.append(f"<{tag}> directly inside <ul>")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unexpected </{tag}>")
            return
        self.stack.pop()


@pytest.mark.parametrize("prune_above", [3, 0])
def test_the_tree_is_built_once_per_content_change_not_per_sidebar(site, monkeypatch,
                                                                    prune_above):
    from portal.content import queries
    _, client = site(NAV_PRUNE_ABOVE=prune_above)
    built = []
    real = queries.build_nav_tree
    monkeypatch.setattr(queries, "build_nav_tree", lambda entries: built.append(1) or real(entries))
    sidebars = [sidebar(client, slug) for slug in ("guide/install", "reference/cli", "tutorial/first")]
    assert len(set(sidebars)) == 3  # each page its own sidebar, from one tree
    assert built == [1]
