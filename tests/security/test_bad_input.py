"""Bad input found by the security review answers 4xx with a message, never a 500."""
import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.feedback.models import Event, Vote
from tests.feedback.conftest import SESSION, UA


@pytest.mark.parametrize("url", ["/api/v1/search?q=install&limit=%C2%B2",
                                 "/api/v1/search/suggest?q=inst&limit=%C2%B2",
                                 "/api/v1/search?q=install&limit=%D9%A3",
                                 "/api/v1/search?q=install&limit=-1"])
def test_search_limit_that_is_not_a_plain_number(client, docs, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "limit must be a whole number" in response.get_json()["error"]


@pytest.mark.parametrize("sid", ["9223372036854775808", "-1", "0", "1e3", "abc", "²"])
def test_results_page_with_a_search_id_out_of_range(client, docs, sid):
    from portal.search.models import SearchLog
    response = client.get("/en/search", query_string={"q": "install", "sid": sid})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(SearchLog)) == 0


def test_results_page_with_a_valid_search_id_still_works(client, docs):
    first = client.get("/api/v1/search", query_string={"q": "install"}).get_json()
    page = client.get("/en/search", query_string={"q": "install", "sid": first["search_id"]})
    assert page.status_code == 200


WRONG_TYPES = [
    ({"type": "page_view", "ref": [1]}, "ref"),
    ({"type": "page_view", "ref": {"a": 1}}, "ref"),
    ({"type": "feedback", "helpful": False, "reason": {}}, "reason"),
    ({"type": "feedback", "helpful": True, "reason": ["solved"]}, "reason"),
    ({"type": "survey", "kind": [], "score": 3}, "kind"),
    ({"type": "survey", "kind": {"nps": 1}, "score": 3}, "kind"),
    ({"type": "link", "href": "http://[::1"}, "href"),
    ({"type": "link", "href": "https://[not-an-address]/x"}, "href"),
]


@pytest.mark.parametrize("fields, name", WRONG_TYPES)
def test_event_fields_of_the_wrong_type(post_events, fields, name):
    response = post_events([{"page": "guide/install", "lang": "en", **fields}])
    assert response.status_code == 422
    assert f"events[0].{name}" in response.get_json()["error"]
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


@pytest.mark.parametrize("reason", [{}, [], ["unclear"], 3])
def test_json_vote_with_a_reason_of_the_wrong_type(client, docs, reason):
    response = client.post("/api/v1/feedback", headers=UA, json={
        "session": SESSION, "page": "guide/install", "lang": "en", "helpful": False,
        "reason": reason})
    assert response.status_code == 422 and "reason" in response.get_json()["error"]
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


@pytest.mark.parametrize("target", ["/%0d%0aX", "/%0a/[::1", "/%0d%0a/evil.example", "/%09/x"])
def test_sign_in_with_a_next_that_holds_control_characters(client, make_user, target):
    make_user("reader", email="r@example.com", password="correct-horse-battery")
    response = client.post("/login?next=" + target,
                           data={"email": "r@example.com", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response.location == "/"
