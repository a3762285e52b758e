"""The writers' workspace views: list, create, editor, preview, history, diff, translate, move."""
import re

import pytest

from portal.content import overview
from portal.extensions import db
from tests.docs.test_reader import GUIDE

HOSTILE = '<img src=x onerror=alert(1)>"><script>alert(2)</script>'


@pytest.fixture
def guide(make_docs, import_docs):
    return import_docs(make_docs(GUIDE))


@pytest.fixture
def writer(login_as):
    return login_as("writer")


def _edit(client, slug="guide/install", lang="en", **fields):
    data = {"title": "Install", "markdown": "# Install\n\nEdited.\n", "message": "",
            "base_revision": "1", "publish": "Publish"}
    data.update(fields)
    return client.post(f"/write/pages/{lang}/{slug}/edit", data=data)


@pytest.mark.parametrize("method, url", [
    ("get", "/write/"), ("get", "/write/new"), ("get", "/write/pages/en/guide/install/edit"),
    ("get", "/write/pages/ko/guide/install/translate"), ("get", "/write/pages/en/guide/install/history"),
    ("get", "/write/pages/en/guide/install/diff"), ("get", "/write/pages/en/guide/install/move"),
    ("post", "/write/preview"), ("post", "/write/pages/en/guide/install/restore"),
    ("post", "/write/pages/en/guide/install/unpublish"), ("post", "/write/pages/en/guide/install/edit"),
])
def test_readers_and_anonymous_are_kept_out(client, guide, login_as, method, url):
    anonymous = getattr(client, method)(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.location
    login_as("reader")
    assert getattr(client, method)(url).status_code == 403


def test_page_list_shows_status_coverage_and_outdated(client, guide, writer):
    _edit(client)  # English moves on: the Korean translation is now outdated
    html = client.get("/write/").get_data(as_text=True)
    assert "guide/install" in html and "Only English" in html
    row = html[html.index("<code>guide/install</code>"):]
    row = row[:row.index("</tr>")]
    assert "badge-outdated" in row and "2 of 4" in row
    assert '/write/pages/ko/guide/install/timeline' in row
    only = client.get("/write/?status=outdated&lang=ko").get_data(as_text=True)
    assert "guide/install" in only and "guide/only-english" not in only
    missing = client.get("/write/?status=missing&lang=ko").get_data(as_text=True)
    assert "guide/only-english" in missing and "<code>guide/install</code>" not in missing


def test_open_task_counts_column(client, guide, writer):
    html = client.get("/write/").get_data(as_text=True)
    assert "Open tasks" in html


def test_editor_works_without_javascript(client, guide, writer):
    html = client.get("/write/pages/en/guide/install/edit").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*name="markdown"', html)
    assert 'name="base_revision" type="hidden" value="1"' in html
    assert "Save draft" in html and "Publish" in html and "js/editor.js" in html
    assert "/write/pages/en/guide/install/translate" not in html  # the source has no "Translate"
    ko = client.get("/write/pages/ko/guide/install/edit").get_data(as_text=True)
    assert "/write/pages/ko/guide/install/translate" in ko


def test_save_draft_then_publish(client, guide, writer):
    response = _edit(client, markdown="# Install\n\nDraft words.\n", save_draft="Save draft",
                     publish="")
    assert response.status_code == 303
    assert "Draft words" not in client.get("/en/docs/guide/install").get_data(as_text=True)
    html = client.get("/write/pages/en/guide/install/edit").get_data(as_text=True)
    assert "draft revision 2" in html and "Draft words" in html
    assert _edit(client, markdown="# Install\n\nPublished words.\n", base_revision="2").status_code == 303
    assert "Published words" in client.get("/en/docs/guide/install").get_data(as_text=True)


def test_publish_reaches_search_at_once(client, guide, writer):
    _edit(client, markdown="# Install\n\nZebracorn configuration.\n")
    results = client.get("/api/v1/search?q=zebracorn&lang=en").get_json()
    assert [r["slug"] for r in results["results"]] == ["guide/install"]


def test_stale_save_keeps_text_and_shows_diff(client, guide, writer):
    assert _edit(client, markdown="# Install\n\nFirst writer.\n").status_code == 303
    response = _edit(client, markdown="# Install\n\nSecond writer's text.\n", base_revision="1")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "someone else saved this page first" in html
    assert "Second writer&#39;s text." in html  # still in the textarea
    assert 'class="diff-del"' in html and "First writer." in html
    assert 'name="base_revision" type="hidden" value="2"' in html
    assert "First writer." in client.get("/en/docs/guide/install").get_data(as_text=True)


def test_invalid_edit_is_refused_with_the_text_kept(client, guide, writer):
    response = _edit(client, title="", markdown="# Kept\n")
    assert response.status_code == 422 and "# Kept" in response.get_data(as_text=True)


def test_preview_uses_the_reader_pipeline(client, guide, writer):
    response = client.post("/write/preview", json={
        "markdown": "## Hello { #hi }\n\n!!! note\n    Careful\n\n<script>alert(1)</script>",
        "slug": "guide/install", "lang": "en"})
    html = response.get_json()["html"]
    assert 'id="hi"' in html and "admonition" in html and "<script" not in html
    assert client.post("/write/preview", json={"nope": 1}).status_code == 400


def test_preview_lists_images_without_alt_text(client, guide, writer):
    response = client.post("/write/preview", json={
        "markdown": '![](a.png)\n\n![A cat](b.png)\n\n<img src="c.png">\n\n<img src="d.png" alt="">',
        "slug": "guide/install", "lang": "en"})
    assert response.get_json()["image_alt_missing"] == [{"src": "a.png"}, {"src": "c.png"}]
    clean = client.post("/write/preview", json={"markdown": "![A cat](b.png)"})
    assert clean.get_json()["image_alt_missing"] == []


def test_editor_carries_the_translated_alt_notice(client, guide, writer):
    html = client.get("/write/pages/en/guide/install/edit").get_data(as_text=True)
    assert 'class="alt-notice" role="status"' in html
    assert "have no text alternative" in html and "an empty alt:" in html
    assert 'data-example="&lt;img src=&quot;…&quot; alt=&quot;&quot;&gt;"' in html


def test_history_diff_and_restore(client, guide, writer):
    _edit(client, markdown="# Install\n\nIntro.\n\n## Configure\n\nSet other things.\n",
          message="Reword the configuration")
    html = client.get("/write/pages/en/guide/install/history").get_data(as_text=True)
    assert "Reword the configuration" in html and 'id="revision-2"' in html
    unified = client.get("/write/pages/en/guide/install/diff?from=1&to=2").get_data(as_text=True)
    assert "Set other things." in unified and "diff-unified" in unified
    split = client.get("/write/pages/en/guide/install/diff?from=1&to=2&view=split").get_data(as_text=True)
    assert "diff-split" in split and "diff-row-change" in split
    assert client.get("/write/pages/en/guide/install/diff?from=1&to=9").status_code == 404
    response = client.post("/write/pages/en/guide/install/restore",
                           data={"number": "1", "base_revision": "2"})
    assert response.status_code == 303
    assert "Set things." in client.get("/en/docs/guide/install").get_data(as_text=True)
    stale = client.post("/write/pages/en/guide/install/restore",
                        data={"number": "2", "base_revision": "2"}, follow_redirects=True)
    assert "Not restored" in stale.get_data(as_text=True)


def test_translate_view_shows_source_changes_and_confirms(client, guide, writer):
    _edit(client, markdown="# Install\n\nIntro.\n\n## Configure\n\nSet things.\n\nA new step.\n")
    html = client.get("/write/pages/ko/guide/install/translate").get_data(as_text=True)
    assert "A new step." in html and 'class="diff-add"' in html
    assert "brought up to date with English revision 2" in html
    response = client.post("/write/pages/ko/guide/install/translate", data={
        "title": "설치", "markdown": GUIDE["ko/guide/install.md"] + "\n새 단계.\n",
        "base_revision": "1", "follow": "y", "publish": "Publish"})
    assert response.status_code == 303
    ko = overview.find_translation(db.session, "guide/install", "ko")[1]
    assert ko.current_revision.source_revision == 2
    assert "notice-outdated" not in client.get("/ko/docs/guide/install").get_data(as_text=True)


def test_translate_a_missing_language_starts_from_the_source(client, guide, writer):
    html = client.get("/write/pages/ko/guide/only-english/translate").get_data(as_text=True)
    assert "No translation yet." in html
    response = client.post("/write/pages/ko/guide/only-english/translate", data={
        "title": "영어만", "markdown": "# 영어만\n", "base_revision": "", "publish": "Publish"})
    assert response.status_code == 303
    assert client.get("/ko/docs/guide/only-english").status_code == 200
    assert client.get("/write/pages/ko/guide/only-english/edit").status_code == 200


def test_create_page(client, guide, writer):
    response = client.post("/write/new", data={"slug": "guide/new", "lang": "en", "title": "New",
                                               "section": "guide", "markdown": "# New\n\nHi.\n",
                                               "publish": "Publish"})
    assert response.status_code == 303
    assert "Hi." in client.get("/en/docs/guide/new").get_data(as_text=True)
    again = client.post("/write/new", data={"slug": "guide/new", "lang": "en", "title": "New",
                                            "publish": "Publish"})
    assert again.status_code == 422 and "already exists" in again.get_data(as_text=True)
    bad = client.post("/write/new", data={"slug": "../x", "lang": "en", "title": "X"})
    assert bad.status_code == 422


def test_move_redirects_the_old_address(client, guide, writer):
    response = client.post("/write/pages/en/guide/install/move", data={"slug": "setup/install"})
    assert response.status_code == 303 and response.location.endswith("/write/pages/en/setup/install/edit")
    old = client.get("/ko/docs/guide/install")
    assert old.status_code == 301 and old.location.endswith("/ko/docs/setup/install")
    search = client.get("/api/v1/search?q=configure&lang=en").get_json()
    assert "guide/install" not in [r["slug"] for r in search["results"]]
    taken = client.post("/write/pages/en/setup/install/move", data={"slug": "index"})
    assert taken.status_code == 422


def test_unpublish_and_republish(client, guide, writer):
    client.post("/write/pages/en/guide/only-english/unpublish")
    assert client.get("/en/docs/guide/only-english").status_code == 404
    assert "Unpublished" in client.get("/write/").get_data(as_text=True)
    client.post("/write/pages/en/guide/only-english/republish")
    assert client.get("/en/docs/guide/only-english").status_code == 200


def test_hostile_titles_and_messages_stay_inert(client, guide, writer):
    _edit(client, title=HOSTILE, message=HOSTILE, markdown="# x\n\n" + HOSTILE)
    for url in ("/write/", "/write/pages/en/guide/install/edit", "/write/pages/en/guide/install/history",
                "/write/pages/en/guide/install/diff", "/write/pages/en/guide/install/diff?view=split",
                "/write/pages/ko/guide/install/translate", "/en/docs/guide/install"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x onerror" not in html, url


def test_reader_page_links_writers_to_the_editor(client, guide, login_as):
    assert "/write/pages/en/guide/install/edit" not in client.get("/en/docs/guide/install").get_data(as_text=True)
    login_as("writer")
    assert "/write/pages/en/guide/install/edit" in client.get("/en/docs/guide/install").get_data(as_text=True)


def test_preview_needs_the_csrf_token(app, guide, login_as, client):
    app.config["WTF_CSRF_ENABLED"] = True
    login_as("writer")
    assert client.post("/write/preview", json={"markdown": "x"}).status_code == 400


def test_workspace_speaks_the_writers_language_not_the_pages(client, guide, writer):
    html = client.get("/write/pages/ko/guide/install/edit",
                      headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    assert '<html lang="en"' in html and "Save draft" in html
    assert re.search(r'<textarea[^>]*lang="ko"', html)
    korean = client.get("/write/?lang=en", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert '<html lang="ko"' in korean
