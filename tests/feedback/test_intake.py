"""One intake pipeline (body -> bot -> rate -> validate -> store) for events and both votes:
bots are dropped with a named reason on every path, and a client over its rate is refused
before any validation work."""
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.feedback import intake, service
from portal.feedback.models import IngestDrop, Vote
from portal.feedback.validate import IngestError
from tests.feedback.conftest import SESSION, UA

BOT = {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"}
VOTE = {"session": SESSION, "page": "guide/install", "lang": "en", "helpful": True}


@pytest.fixture
def limits(app, docs):
    """2 events a minute per reader."""
    app.config.update(EVENT_RATE_LIMIT=2, EVENT_RATE_LIMIT_PER_ADDRESS=20,
                      EVENT_RATE_LIMIT_BOTS=6)
    app.extensions.pop("signpost_ingest", None)
    return app


def _drops(reason="bot"):
    return db.session.scalar(select(IngestDrop.events).where(IngestDrop.reason == reason)) or 0


def test_a_bot_json_vote_is_dropped_with_its_reason(client, docs):
    response = client.post("/api/v1/feedback", json=VOTE, headers=BOT)
    assert response.status_code == 202
    assert response.get_json() == {"accepted": 0, "dropped": 1, "reason": "bot"}
    assert db.session.query(Vote).count() == 0
    assert _drops() == 1
    assert client.post("/api/v1/feedback", json=VOTE, headers=UA).get_json() == {"accepted": 1}
    assert db.session.query(Vote).count() == 1


def test_a_bot_form_vote_is_counted_as_a_drop_not_stored(client, docs):
    form = {"page": "guide/install", "lang": "en", "helpful": "no", "reason": "unclear"}
    response = client.post("/api/v1/feedback", data=form, headers=BOT)
    assert response.status_code == 303  # the same answer a reader gets
    assert db.session.query(Vote).count() == 0 and _drops() == 1
    assert client.post("/api/v1/feedback", data=form, headers=UA).status_code == 303
    assert db.session.query(Vote).count() == 1


@pytest.mark.parametrize("form", [False, True])
def test_a_vote_over_the_rate_is_refused_before_validation(limits, client, monkeypatch, form):
    send = (lambda body: client.post("/api/v1/feedback", data=body, headers=UA)) if form else \
        (lambda body: client.post("/api/v1/feedback", json=body, headers=UA))
    good = {"page": "guide/install", "lang": "en",
            "helpful": "yes" if form else True, **({} if form else {"session": SESSION})}
    assert [send(good).status_code for _ in range(2)] == [303 if form else 202] * 2
    validated = []
    real = service.known_pages
    monkeypatch.setattr(service, "known_pages", lambda *a: validated.append(1) or real(*a))
    response = send(dict(good, page="no/such/page"))  # invalid too: the rate answers first
    assert response.status_code == 429
    assert validated == []


def test_refusals_carry_a_named_reason(app, docs):
    with app.test_request_context():
        with pytest.raises(IngestError) as too_large:
            intake.parse_body(lambda n: b"x" * n, "application/json",
                              app.config["EVENT_MAX_BYTES"] + 1)
        with pytest.raises(IngestError) as bad_json:
            intake.parse_body(lambda n: b"{", "application/json", 1)
        with pytest.raises(IngestError) as media:
            intake.parse_body(lambda n: b"{}", "text/html", 2)
        with pytest.raises(IngestError) as invalid:
            intake.accept_vote({"page": "no/such", "lang": "en", "helpful": True}, SESSION,
                               UA["User-Agent"], "198.51.100.1")
    assert [e.value.reason for e in (too_large, bad_json, media, invalid)] == [
        "too_large", "bad_json", "media_type", "invalid"]
    assert invalid.value.status == 422


def test_the_fast_path_and_the_app_use_werkzeugs_status_phrases():
    assert intake.status_line(422) == "422 Unprocessable Entity"
    assert intake.status_line(202) == "202 Accepted"


def test_event_refusals_are_counted_by_reason(limits, post_events):
    from tests.feedback.conftest import view
    before = dict(intake.refusals)
    assert post_events([view(page="no/such")]).status_code == 422
    # the refused batch used one of the reader's 2 events a minute (rate comes first)
    assert [post_events([view()]).status_code for _ in range(2)] == [202, 429]
    assert intake.refusals["invalid"] == before.get("invalid", 0) + 1
    assert intake.refusals["rate"] == before.get("rate", 0) + 1
