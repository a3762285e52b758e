"""Do-Not-Track and Global Privacy Control are honoured by the server, not only the beacon."""
import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.feedback.models import Event, IngestDrop, Vote
from portal.search.models import SearchLog
from tests.feedback.conftest import SESSION, UA, view

OPT_OUT = [{"DNT": "1"}, {"Sec-GPC": "1"}]


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("signal", OPT_OUT)
def test_events_sent_with_an_opt_out_are_not_stored(post_events, signal):
    response = post_events([view(), view(page="index")], headers={**UA, **signal})
    assert response.status_code == 202
    assert response.get_json() == {"accepted": 0, "dropped": 2, "reason": "do_not_track"}
    assert _count(Event) == 0 and _count(IngestDrop) == 0


def test_events_without_an_opt_out_are_stored(post_events):
    response = post_events([view()], headers={**UA, "DNT": "0", "Sec-GPC": "0"})
    assert response.status_code == 202 and response.get_json() == {"accepted": 1}
    assert _count(Event) == 1


@pytest.mark.parametrize("signal", OPT_OUT)
def test_search_answers_but_is_not_linked_to_the_reading_session(client, docs, signal):
    response = client.get("/api/v1/search", headers={**UA, **signal},
                          query_string={"q": "install", "session": SESSION})
    assert response.status_code == 200 and response.get_json()["results"]
    page = client.get("/en/search", headers={**UA, **signal},
                      query_string={"q": "configure", "session": SESSION})
    assert page.status_code == 200
    logged = db.session.scalars(select(SearchLog)).all()
    assert len(logged) == 2 and all(row.session is None for row in logged)


def test_search_without_an_opt_out_keeps_its_session(client, docs):
    client.get("/api/v1/search", headers=UA, query_string={"q": "install", "session": SESSION})
    assert db.session.scalars(select(SearchLog)).one().session == SESSION


@pytest.mark.parametrize("signal", OPT_OUT)
def test_a_vote_is_kept_but_not_linked_to_the_session(client, docs, signal):
    response = client.post("/api/v1/feedback", headers={**UA, **signal}, json={
        "session": SESSION, "page": "guide/install", "lang": "en", "helpful": True})
    assert response.status_code == 202
    vote = db.session.scalars(select(Vote)).one()
    assert vote.helpful is True and vote.session != SESSION
    assert db.session.scalars(select(Event.session)).all() == [vote.session]
