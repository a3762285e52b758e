"""Owners' synonyms and pins change results through /api/v1/search; validation and access."""
import pytest

from portal.extensions import db
from portal.search.tuning_models import SearchPin, SearchSynonym


def search(client, q, lang="en"):
    return client.get(f"/api/v1/search?q={q}&lang={lang}").get_json()


def slugs(body):
    return [r["slug"] for r in body["results"]]


@pytest.fixture
def owner(client, login_as):
    login_as("owner")
    return client


def test_a_synonym_makes_a_search_find_the_other_word(owner, docs):
    assert search(owner, "k8s")["total"] == 0
    r = owner.post("/api/v1/search/synonyms", json={"lang": "en", "terms": "k8s = docker"})
    assert r.status_code == 201 and r.get_json()["terms"] == ["k8s", "docker"]
    assert slugs(search(owner, "k8s")) == ["deployment/docker"]
    assert slugs(search(owner, "docker")) == ["deployment/docker"]  # both ways
    listed = owner.get("/api/v1/search/synonyms?lang=en").get_json()["synonyms"]
    assert listed[0]["hits"] == 2 and listed[0]["last_hit_at"]


def test_a_synonym_is_per_language(owner, docs):
    owner.post("/api/v1/search/synonyms", json={"lang": "ko", "terms": ["k8s", "도커"]})
    assert search(owner, "k8s")["total"] == 0
    assert slugs(search(owner, "k8s", "ko")) == ["deployment/docker"]


def test_a_synonym_counts_as_the_query_word_not_an_extra_one(owner, docs):
    # "upload k8s": the page holding "upload" and "docker" would need both words; with
    # k8s = docker a page holding only "upload" still ranks as it did without the synonym.
    before = search(owner, "upload files")
    owner.post("/api/v1/search/synonyms", json={"lang": "en", "terms": "files, documents"})
    after = search(owner, "upload documents")
    assert slugs(after)[0] == slugs(before)[0] == "tutorial/request-files"
    assert after["results"][0]["score"] == pytest.approx(before["results"][0]["score"], rel=0.35)


def test_deleting_a_synonym_stops_it(owner, docs):
    item = owner.post("/api/v1/search/synonyms", json={"lang": "en", "terms": "k8s=docker"}).get_json()
    assert owner.delete(f"/api/v1/search/synonyms/{item['id']}").status_code == 204
    assert search(owner, "k8s")["total"] == 0
    assert owner.delete(f"/api/v1/search/synonyms/{item['id']}").status_code == 404


def test_a_pin_shows_its_page_first(owner, docs):
    assert slugs(search(owner, "upload")) == ["tutorial/request-files"]
    r = owner.post("/api/v1/search/pins",
                   json={"lang": "en", "query": "Upload", "slug": "tutorial/security"})
    assert r.status_code == 201
    body = search(owner, "uploads")  # another spelling of the same query key
    assert slugs(body) == ["tutorial/security", "tutorial/request-files"]
    assert body["total"] == 2 and body["results"][0]["pinned"] is True
    assert body["results"][1]["pinned"] is False
    assert "tutorial/security" not in slugs(search(owner, "upload", "ko"))  # per language
    assert db.session.get(SearchPin, r.get_json()["id"]).hits == 1


def test_a_pin_moves_a_matching_page_up_without_repeating_it(owner, docs):
    owner.post("/api/v1/search/pins", json={"lang": "en", "query": "file", "slug": "tutorial/request-files"})
    owner.post("/api/v1/search/synonyms", json={"lang": "en", "terms": "file = docker"})
    body = search(owner, "file")
    assert slugs(body)[0] == "tutorial/request-files"
    assert len(slugs(body)) == len(set(slugs(body))) == body["total"] == 2


def test_the_results_page_shows_the_pinned_page_first(owner, docs):
    owner.post("/api/v1/search/pins", json={"lang": "en", "query": "upload", "slug": "tutorial/security"})
    html = owner.get("/en/search?q=upload").get_data(as_text=True)
    assert html.index("/en/docs/tutorial/security") < html.index("/en/docs/tutorial/request-files")


@pytest.mark.parametrize("path, body, words", [
    ("synonyms", {"lang": "en", "terms": "k8s"}, "at least two"),
    ("synonyms", {"lang": "en", "terms": "k8s = K8S"}, "at least two"),
    ("synonyms", {"lang": "en", "terms": 5}, "at least two"),
    ("synonyms", {"lang": "en", "terms": "a = " + "b" * 61}, "at most 60"),
    ("synonyms", {"lang": "en", "terms": "=".join(f"w{i}" for i in range(11))}, "at most 10"),
    ("synonyms", {"lang": "xx", "terms": "a = b"}, "Unknown language"),
    ("pins", {"lang": "en", "query": "", "slug": "tutorial/security"}, "query"),
    ("pins", {"lang": "en", "query": "x" * 201, "slug": "tutorial/security"}, "too long"),
    ("pins", {"lang": "en", "query": "upload", "slug": ""}, "slug"),
    ("pins", {"lang": "en", "query": "upload", "slug": "no/such/page"}, "No published page"),
    ("pins", {"lang": "es", "query": "upload", "slug": "tutorial/security"}, "No published page"),
])
def test_api_refuses_bad_tuning_with_a_message(owner, docs, path, body, words):
    r = owner.post(f"/api/v1/search/{path}", json=body)
    assert r.status_code == 422
    assert words in r.get_json()["error"]
    assert db.session.query(SearchSynonym).count() == db.session.query(SearchPin).count() == 0


def test_api_refuses_a_second_pin_for_the_same_query_and_non_json(owner, docs):
    body = {"lang": "en", "query": "upload", "slug": "tutorial/security"}
    assert owner.post("/api/v1/search/pins", json=body).status_code == 201
    r = owner.post("/api/v1/search/pins", json=dict(body, query="uploads"))
    assert r.status_code == 422 and "already has a pinned page" in r.get_json()["error"]
    r = owner.post("/api/v1/search/pins", data=body)
    assert r.status_code == 415


@pytest.mark.parametrize("role", ["reader", "writer"])
@pytest.mark.parametrize("method, path", [
    ("get", "/api/v1/search/synonyms"), ("post", "/api/v1/search/synonyms"),
    ("get", "/api/v1/search/pins"), ("post", "/api/v1/search/pins"),
    ("get", "/api/v1/search/learned"), ("put", "/api/v1/search/learned"),
    ("get", "/admin/search"), ("post", "/admin/search/synonyms"), ("post", "/admin/search/pins"),
    ("post", "/admin/search/learning"),
])
def test_readers_and_writers_may_not_tune(client, login_as, docs, role, method, path):
    login_as(role)
    kwargs = {"json": {"lang": "en", "terms": "a = b"}} if path.startswith("/api") and method != "get" \
        else {"data": {"syn-lang": "en", "terms": "a = b"}} if method == "post" else {}
    assert getattr(client, method)(path, **kwargs).status_code == 403
    assert db.session.query(SearchSynonym).count() == 0


def test_anonymous_api_gets_401(client, docs):
    assert client.get("/api/v1/search/synonyms").status_code == 401


def test_bearer_token_of_an_owner_tunes(client, make_user, docs):
    from portal.auth.operations import create_token
    token = create_token(db.session, make_user("owner"), "ci")
    db.session.commit()
    r = client.post("/api/v1/search/synonyms", json={"lang": "en", "terms": "k8s = docker"},
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201


def test_a_korean_synonym_works_with_particles(client, login_as, make_docs, import_docs):
    import_docs(make_docs({
        "ko/guide/params.md": "# 경로 매개변수\n\n경로에 매개변수를 선언합니다.\n",
        "ko/guide/other.md": "# 응답 모델\n\n응답의 형태를 정합니다.\n"}))
    login_as("owner")
    assert search(client, "인자를", "ko")["total"] == 0
    client.post("/api/v1/search/synonyms", json={"lang": "ko", "terms": "인자 = 매개변수"})
    assert slugs(search(client, "인자를", "ko")) == ["guide/params"]
