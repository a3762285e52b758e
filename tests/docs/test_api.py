"""Published pages as JSON."""
import pytest

from tests.docs.test_reader import GUIDE


@pytest.fixture
def guide(make_docs, import_docs):
    return import_docs(make_docs(GUIDE))


def test_list_has_one_item_per_translation(client, guide):
    pages = client.get("/api/v1/pages").get_json()["pages"]
    assert sorted((p["slug"], p["lang"]) for p in pages) == [
        ("guide/install", "en"), ("guide/install", "ko"), ("guide/only-english", "en"),
        ("index", "en"), ("index", "ko")]
    item = next(p for p in pages if p["slug"] == "guide/install" and p["lang"] == "ko")
    assert item == {"slug": "guide/install", "lang": "ko", "title": "설치",
                    "url": "/ko/docs/guide/install", "revision": 1, "outdated": False}
    assert {p["lang"] for p in client.get("/api/v1/pages?lang=ko").get_json()["pages"]} == {"ko"}


def test_one_page_carries_markdown_html_and_revision(client, guide):
    page = client.get("/api/v1/pages/guide/install?lang=ko").get_json()
    assert page["title"] == "설치" and page["revision"] == 1 and page["source_revision"] == 1
    assert page["markdown"].startswith("# 설치")
    assert 'id="configure"' in page["html"]
    assert page["outdated"] is False


def test_translation_is_outdated_after_source_changes(client, guide, make_docs, import_docs):
    changed = dict(GUIDE, **{"en/guide/install.md": GUIDE["en/guide/install.md"] + "\nMore.\n"})
    import_docs(make_docs(changed, name="docs2"))
    page = client.get("/api/v1/pages/guide/install?lang=ko").get_json()
    assert page["outdated"] is True and page["source_revision"] == 1
    assert client.get("/api/v1/pages/guide/install").get_json()["revision"] == 2


@pytest.mark.parametrize("url, status, words", [
    ("/api/v1/pages/nope?lang=ko", 404, "No published page"),
    ("/api/v1/pages/guide/only-english?lang=ko", 404, "No published page"),
    ("/api/v1/pages/index?lang=xx", 422, "use one of"),
    ("/api/v1/pages?lang=xx", 422, "use one of"),
])
def test_errors_are_json_with_a_message(client, guide, url, status, words):
    response = client.get(url)
    assert response.status_code == status
    assert words in response.get_json()["error"]
