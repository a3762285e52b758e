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


# Writes: PUT and POST (bearer token or session, writers and up).

@pytest.fixture
def token(app, make_user):
    from portal.auth.operations import create_token
    from portal.extensions import db

    def make(role="writer"):
        value = create_token(db.session, make_user(role))
        db.session.commit()
        return {"Authorization": f"Bearer {value}"}
    return make


def _put(client, headers, body, slug="guide/install", lang="en"):
    return client.put(f"/api/v1/pages/{slug}?lang={lang}", json=body, headers=headers)


def test_put_saves_a_revision_and_returns_the_page(client, guide, token):
    response = _put(client, token(), {"markdown": "# Install\n\nVia API.\n", "base_revision": 1,
                                      "message": "api edit"})
    page = response.get_json()
    assert response.status_code == 200
    assert (page["revision"], page["draft"], page["title"]) == (2, False, "Install")
    assert "Via API." in page["html"] and page["markdown"].endswith("Via API.\n")
    assert client.get("/api/v1/pages/guide/install").get_json()["revision"] == 2


def test_put_stale_base_is_409_with_current_revision(client, guide, token):
    headers = token()
    assert _put(client, headers, {"markdown": "a", "base_revision": 1}).status_code == 200
    response = _put(client, headers, {"markdown": "b", "base_revision": 1})
    assert response.status_code == 409
    body = response.get_json()
    assert body["current_revision"] == 2 and "stale" in body["error"]


def test_put_draft_is_not_published(client, guide, token):
    response = _put(client, token(), {"markdown": "# Draft\n", "base_revision": 1, "draft": True})
    assert response.get_json()["draft"] is True and response.get_json()["published_revision"] == 1
    assert client.get("/api/v1/pages/guide/install").get_json()["revision"] == 1


@pytest.mark.parametrize("body, lang, words", [
    ({"base_revision": 1}, "en", "markdown"),
    ({"markdown": "x" * 200_001, "base_revision": 1}, "en", "markdown"),
    ({"markdown": "x"}, "en", "base_revision"),
    ({"markdown": "x", "base_revision": "1"}, "en", "base_revision"),
    ({"markdown": "x", "base_revision": 1, "title": ""}, "en", "title"),
    ({"markdown": "x", "base_revision": 1}, "xx", "use one of"),
    ({"markdown": "x", "base_revision": 1, "source_revision": 7}, "ko", "source_revision"),
])
def test_put_bad_input_is_422(client, guide, token, body, lang, words):
    response = _put(client, token(), body, lang=lang)
    assert response.status_code == 422 and words in response.get_json()["error"]


def test_put_unknown_page_is_404_and_roles_are_checked(client, guide, token):
    assert _put(client, token(), {"markdown": "x", "base_revision": 1}, slug="nope").status_code == 404
    assert _put(client, {}, {"markdown": "x", "base_revision": 1}).status_code == 401
    assert _put(client, {"Authorization": "Bearer wrong"}, {"markdown": "x",
                                                            "base_revision": 1}).status_code == 401
    forbidden = _put(client, token("reader"), {"markdown": "x", "base_revision": 1})
    assert forbidden.status_code == 403 and "error" in forbidden.get_json()
    assert client.put("/api/v1/pages/guide/install", data="x", headers=token()).status_code == 400


def test_english_edit_through_the_api_flags_korean_outdated(client, guide, token):
    _put(client, token(), {"markdown": "# Install\n\nNew.\n", "base_revision": 1})
    assert client.get("/api/v1/pages/guide/install?lang=ko").get_json()["outdated"] is True
    listed = client.get("/api/v1/pages?lang=ko").get_json()["pages"]
    assert next(p for p in listed if p["slug"] == "guide/install")["outdated"] is True
    fixed = _put(client, token(), {"markdown": "# 설치\n\n새로.\n", "base_revision": 1,
                                   "source_revision": 2}, lang="ko")
    assert fixed.get_json()["outdated"] is False and fixed.get_json()["source_revision"] == 2


def test_post_creates_a_page(client, guide, token):
    headers = token()
    body = {"slug": "guide/new", "lang": "en", "title": "New", "markdown": "# New\n",
            "section": "guide"}
    response = client.post("/api/v1/pages", json=body, headers=headers)
    assert response.status_code == 201 and response.get_json()["revision"] == 1
    assert client.get("/api/v1/pages/guide/new").status_code == 200
    again = client.post("/api/v1/pages", json=body, headers=headers)
    assert again.status_code == 409 and "already exists" in again.get_json()["error"]
    assert client.post("/api/v1/pages", json=body).status_code == 401
    assert client.post("/api/v1/pages", json=body, headers=token("reader")).status_code == 403


@pytest.mark.parametrize("change, words", [
    ({"slug": "../x"}, "slug"), ({"slug": None}, "slug"), ({"lang": "xx"}, "use one of"),
    ({"title": ""}, "title"), ({"markdown": None}, "markdown"), ({"section": 3}, "section"),
])
def test_post_bad_input_is_422(client, guide, token, change, words):
    body = dict({"slug": "guide/new", "lang": "en", "title": "New", "markdown": "# New\n"}, **change)
    response = client.post("/api/v1/pages", json=body, headers=token())
    assert response.status_code == 422 and words in response.get_json()["error"]


def test_session_writes_need_no_token(client, guide, login_as):
    login_as("writer")
    assert _put(client, {}, {"markdown": "# x\n", "base_revision": 1}).status_code == 200


def test_bearer_writes_work_with_csrf_on(app, guide, token):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    assert _put(client, token(), {"markdown": "# x\n", "base_revision": 1}).status_code == 200
    created = client.post("/api/v1/pages", headers=token(), json={
        "slug": "csrf", "lang": "en", "title": "C", "markdown": "# C\n"})
    assert created.status_code == 201
