"""The helpful widget: markup on every page and the plain form post (no JavaScript)."""
from sqlalchemy import select

from portal.extensions import db
from portal.feedback.models import Vote
from tests.feedback.conftest import UA


def test_widget_form_is_on_every_page(client, docs):
    html = client.get("/ko/docs/guide/install").get_data(as_text=True)
    assert 'id="was-this-helpful"' in html
    assert 'action="/api/v1/feedback"' in html and 'method="post"' in html
    assert 'name="page" value="guide/install"' in html and 'name="lang" value="ko"' in html
    for reason in ("incorrect", "unclear", "missing", "outdated", "solved", "easy"):
        assert f'value="{reason}"' in html
    assert 'maxlength="2000"' in html
    assert "도움이 되었나요" in html  # translated


def test_form_post_stores_vote_and_redirects_back(client, docs):
    response = client.post("/api/v1/feedback", headers=UA, data={
        "page": "guide/install", "lang": "en", "helpful": "no", "reason": "missing",
        "comment": "Where is the config file?"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/en/docs/guide/install?feedback=thanks#was-this-helpful")
    vote = db.session.scalars(select(Vote)).one()
    assert (vote.helpful, vote.reason, vote.comment) == (False, "missing", "Where is the config file?")
    page = client.get("/en/docs/guide/install?feedback=thanks").get_data(as_text=True)
    assert "Thank you for your feedback." in page
    assert "Set-Cookie" not in response.headers


def test_bad_form_post_explains_the_problem(client, docs):
    response = client.post("/api/v1/feedback", headers=UA,
                           data={"page": "guide/install", "lang": "en", "helpful": "maybe"})
    assert response.status_code == 422
    assert "yes or no" in response.get_data(as_text=True)
    response = client.post("/api/v1/feedback", headers=UA,
                           data={"page": "guide/install", "lang": "en", "helpful": "no",
                                 "comment": "x" * 2001})
    assert response.status_code == 422 and "under 2,000 characters" in response.get_data(as_text=True)
    assert "events[0]" not in response.get_data(as_text=True)  # no API field names for readers
    response = client.post("/api/v1/feedback", headers=UA,
                           data={"page": "guide/install", "lang": "en", "helpful": "yes",
                                 "reason": "unclear"})
    assert response.status_code == 422 and "reasons listed" in response.get_data(as_text=True)
    response = client.post("/api/v1/feedback", headers=UA,
                           data={"page": "guide/gone", "lang": "en", "helpful": "yes"})
    assert response.status_code == 422 and "does not take answers" in response.get_data(as_text=True)
    assert db.session.scalars(select(Vote)).all() == []


def test_bad_form_post_answers_in_the_pages_language(client, docs):
    response = client.post("/api/v1/feedback", headers={**UA, "Accept-Language": "en"},
                           data={"page": "guide/install", "lang": "ko", "helpful": "no",
                                 "comment": "x" * 2001})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and '<html lang="ko"' in html
    assert "2,000자" in html and "We could not" not in html


def test_reader_pages_set_no_cookies(client, docs):
    for url in ("/en/", "/en/docs/guide/install", "/ko/docs/guide/install"):
        assert "Set-Cookie" not in client.get(url).headers
