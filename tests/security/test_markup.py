"""A page's Markdown cannot reuse the portal's element ids, its classes, or form inputs."""
import re

import pytest

from portal.content.render import ID_PREFIX, is_portal_id, render_markdown
from tests.conftest import ROOT


def _ids(html):
    return re.findall(r'\sid="([^"]*)"', html)


def test_raw_html_cannot_take_the_portals_ids_or_look():
    html = render_markdown('<div id="survey-config" class="flash flash-error">fake</div>\n\n'
                           '<p id="site-nav" class="site-header button primary">x</p>\n').html
    assert _ids(html) == [ID_PREFIX + "survey-config", ID_PREFIX + "site-nav"]
    assert "class=" not in html and "fake" in html


def test_every_non_heading_id_is_prefixed_and_links_follow():
    html = render_markdown("Text[^1] and <span id='plain'>x</span>\n\n[^1]: Note.\n").html
    assert all(i.startswith(ID_PREFIX) for i in _ids(html))
    assert f'href="#{ID_PREFIX}fn:1"' in html and f'href="#{ID_PREFIX}fnref:1"' in html


def test_heading_ids_stay_for_urls_toc_and_section_reach():
    md = "# T\n\n## Install { #install }\n\n### Run it\n\n[see](#install)\n"
    rendered = render_markdown(md)
    assert [h[1] for h in rendered.headings] == ["install", "run-it"]
    assert 'id="install"' in rendered.html and 'href="#install"' in rendered.html
    assert rendered.toc[0]["id"] == "install"


def test_a_heading_id_the_portal_uses_is_prefixed_everywhere_at_once():
    assert is_portal_id("main") and is_portal_id("header-q")
    rendered = render_markdown("## Main { #main }\n\n## Search { #header-q }\n\n[up](#main)\n")
    assert [h[1] for h in rendered.headings] == [ID_PREFIX + "main", ID_PREFIX + "header-q"]
    assert 'id="main"' not in rendered.html and 'id="header-q"' not in rendered.html
    assert f'href="#{ID_PREFIX}main"' in rendered.html  # the page's own link still lands
    assert [t["id"] for t in rendered.toc] == [ID_PREFIX + "main", ID_PREFIX + "header-q"]


def test_links_from_other_pages_land_on_a_prefixed_heading():
    assert is_portal_id("comments")  # the comments thread's own id on every page
    target = render_markdown("# Tasks\n\n## Comments { #comments }\n", slug="guide/tasks")
    assert target.headings == [(2, ID_PREFIX + "comments", "Comments")]
    html = render_markdown("See [comments](tasks.md#comments) and [install](tasks.md#install).",
                           slug="guide/index", lang="en").html
    assert f'href="/en/docs/guide/tasks#{ID_PREFIX}comments"' in html
    assert 'href="/en/docs/guide/tasks#install"' in html


def test_the_portal_id_list_covers_the_templates_ids():
    literal = set()
    for path in (ROOT / "portal").glob("**/templates/**/*.html"):
        literal |= {i for i in re.findall(r'\bid="([^"{]+)"', path.read_text(encoding="utf-8"))}
    assert literal and all(is_portal_id(i) for i in literal)
    assert is_portal_id("vote-12") and not is_portal_id("install")


@pytest.mark.parametrize("markup", ['<input type="text" name="password">',
                                    '<input type="hidden" name="csrf_token" value="x">',
                                    '<input type="submit" value="Sign in">',
                                    '<input type="radio" name="role" id="role">',
                                    '<input type="password">'])
def test_inputs_other_than_checkboxes_and_tabs_are_dropped(markup):
    html = render_markdown(f"Before {markup} after\n").html
    assert "<input" not in html and "Before" in html and "after" in html


def test_checkboxes_are_always_disabled():
    html = render_markdown("- [x] done\n- [ ] todo\n\n<input type=checkbox checked>\n").html
    boxes = re.findall(r"<input[^>]*>", html)
    assert len(boxes) == 3 and all('disabled=""' in b for b in boxes)
    assert sum('checked=""' in b for b in boxes) == 2
    assert 'class="task-list-item"' in html


def test_tabs_keep_working_radio_and_label_agree():
    html = render_markdown('=== "One"\n    1\n=== "Two"\n    2\n').html
    radios = re.findall(r'<input type="radio" id="([^"]+)" name="(__tabbed_\d+)"', html)
    labels = re.findall(r'<label for="([^"]+)"', html)
    assert len(radios) == 2 and [r[0] for r in radios] == labels
    assert 'class="tabbed-set tabbed-alternate"' in html and 'class="tabbed-block"' in html


def test_the_renderers_own_classes_are_kept():
    md = "!!! warning \"Careful\"\n    body\n\n```python\ndef f():\n    return 1\n```\n\n++ctrl+c++\n"
    html = render_markdown(md).html
    for cls in ('class="admonition warning"', 'class="admonition-title"', 'class="highlight"',
                'class="k"', 'class="nf"', 'class="key-control"', 'class="keys"'):
        assert cls in html
