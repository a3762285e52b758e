"""The search tuning admin page: forms validate, need CSRF, and show what fired."""
import re

import pytest

from portal.extensions import db
from portal.search.tuning_models import SearchPin, SearchSynonym


@pytest.fixture
def owner(client, login_as, docs):
    login_as("owner")
    return client


def test_owner_adds_and_deletes_synonyms_and_pins(owner):
    r = owner.post("/admin/search/synonyms", data={"syn-lang": "en", "terms": "k8s, docker"})
    assert r.status_code == 303
    r = owner.post("/admin/search/pins", data={"pin-lang": "en", "query": "upload",
                                               "slug": "tutorial/security"})
    assert r.status_code == 303
    owner.get("/api/v1/search?q=k8s")
    page = owner.get("/admin/search").get_data(as_text=True)
    assert "k8s = docker" in page and "tutorial/security" in page
    row = re.search(r"k8s = docker</th>\s*<td class=\"num\">(\d+)</td>", page)
    assert row and row.group(1) == "1"
    group = db.session.query(SearchSynonym).one()
    pin = db.session.query(SearchPin).one()
    assert owner.post(f"/admin/search/synonyms/{group.id}/delete").status_code == 303
    assert owner.post(f"/admin/search/pins/{pin.id}/delete").status_code == 303
    assert db.session.query(SearchSynonym).count() == db.session.query(SearchPin).count() == 0
    assert owner.post(f"/admin/search/pins/{pin.id}/delete").status_code == 404


@pytest.mark.parametrize("path, data, words", [
    ("synonyms", {"syn-lang": "en", "terms": "kubernetes"}, "at least two"),
    ("synonyms", {"syn-lang": "zz", "terms": "a = b"}, "Unknown language"),
    ("pins", {"pin-lang": "en", "query": "upload", "slug": "nowhere"}, "No published page"),
    ("pins", {"pin-lang": "en", "query": " ", "slug": "tutorial/security"}, "Give the query"),
])
def test_forms_refuse_bad_input_with_422_and_keep_what_was_typed(owner, path, data, words):
    r = owner.post(f"/admin/search/{path}", data=data)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert words in html and 'aria-invalid="true"' in html
    typed = data.get("terms") or data["slug"]
    assert f'value="{typed}"' in html


def test_learning_switch(owner):
    from portal.search import learning
    assert owner.post("/admin/search/learning", data={"action": "save"}).status_code == 303
    assert learning.settings(db.session).learning is False
    owner.post("/admin/search/learning", data={"action": "save", "learning": "on"})
    db.session.expire_all()
    assert learning.settings(db.session).learning is True
    r = owner.post("/admin/search/learning", data={"action": "refresh"}, follow_redirects=True)
    assert "0 learned boosts" in r.get_data(as_text=True)


def test_forms_need_the_csrf_token(csrf_client_as):
    client = csrf_client_as("o@example.com", "owner")
    r = client.post("/admin/search/synonyms", data={"syn-lang": "en", "terms": "a = b"})
    assert r.status_code == 400
    page = client.get("/admin/search").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/admin/search/synonyms",
                    data={"syn-lang": "en", "terms": "a = b", "csrf_token": token})
    assert r.status_code == 303
