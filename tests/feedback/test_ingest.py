"""POST /api/v1/events: strict validation, all-or-nothing, 202 only after commit."""
import json

import pytest
from sqlalchemy import func, inspect, select

from portal.extensions import db
from portal.feedback.models import Event, IngestDrop, Vote
from portal.timeutil import utcnow
from tests.feedback.conftest import SESSION, UA, view


def _events():
    return db.session.scalar(select(func.count()).select_from(Event))


def test_valid_batch_is_stored_in_order_with_server_time(post_events):
    before = utcnow()
    response = post_events([
        {"type": "scroll", "page": "guide/install", "lang": "en", "depth": 60,
         "section": "configure", "t": 2000},
        view(t=1000),
        {"type": "engagement", "page": "guide/install", "lang": "en", "seconds": 14.5, "t": 3000},
    ])
    assert response.status_code == 202 and response.get_json() == {"accepted": 3}
    rows = db.session.scalars(select(Event).order_by(Event.seq)).all()
    assert [r.type for r in rows] == ["page_view", "scroll", "engagement"]
    assert rows[1].data == {"depth": 60, "section": "configure"}
    assert all(r.session == SESSION and before <= r.received_at <= utcnow() for r in rows)
    assert len({r.received_at for r in rows}) == 1  # the server's clock, once per batch


@pytest.mark.parametrize("body, status, words", [
    ("{not json", 400, "not valid JSON"),
    ("[]", 400, "JSON object"),
    (json.dumps({"session": SESSION, "events": []}), 400, "non-empty"),
    (json.dumps({"session": "XYZ", "events": [view()]}), 422, "32 lowercase hexadecimal"),
    (json.dumps({"session": SESSION, "events": [view(), {"type": "teleport", "page": "index", "lang": "en"}]}), 422, "events[1].type"),
    (json.dumps({"session": SESSION, "events": [view(page="no/such/page")]}), 422, "no published page"),
    (json.dumps({"session": SESSION, "events": [view(lang="ko", page="index")]}), 422, "no published page"),
    (json.dumps({"session": SESSION, "events": [view(lang="fr")]}), 422, "no published page"),
    (json.dumps({"session": SESSION, "events": [{"type": "scroll", "page": "index", "lang": "en", "depth": 101}]}), 422, "depth"),
    (json.dumps({"session": SESSION, "events": [{"type": "engagement", "page": "index", "lang": "en", "seconds": -1}]}), 422, "seconds"),
    (json.dumps({"session": SESSION, "events": [{"type": "engagement", "page": "index", "lang": "en", "seconds": True}]}), 422, "seconds"),
    (json.dumps({"session": SESSION, "events": [view(ref="elsewhere")]}), 422, "ref"),
    (json.dumps({"session": SESSION, "events": [view(colour="red")]}), 422, "colour"),
    (json.dumps({"session": SESSION, "events": [{"type": "link", "page": "index", "lang": "en", "href": "javascript:alert(1)"}]}), 422, "http(s)"),
    (json.dumps({"session": SESSION, "events": [{"type": "feedback", "page": "index", "lang": "en", "helpful": False, "reason": "solved"}]}), 422, "reason"),
    (json.dumps({"session": SESSION, "events": [{"type": "feedback", "page": "index", "lang": "en", "helpful": True, "comment": "x" * 2001}]}), 422, "comment"),
    (json.dumps({"session": SESSION, "events": [{"type": "survey", "page": "index", "lang": "en", "kind": "nps", "score": 11}]}), 422, "score"),
    (json.dumps({"session": SESSION, "events": [{"type": "feedback", "page": "index", "lang": "en", "helpful": True, "comment": "a\u0000b"}]}), 422, "not allowed"),
    (json.dumps({"session": SESSION, "events": [{"type": "scroll", "page": "index", "lang": "en", "depth": 5, "section": "a\u0000b"}]}), 422, "section"),
    (json.dumps({"session": SESSION, "events": [{"type": "scroll", "page": "index", "lang": "en", "depth": 5, "section": "a\ud800"}]}), 422, "section"),
    (json.dumps({"session": SESSION, "events": [view(from_page="a b")]}), 422, "from_page"),
    (json.dumps({"session": SESSION, "events": [view()] * 51}), 413, "At most 50"),
    (json.dumps({"session": SESSION, "events": [view()], "extra": 1}), 422, "extra"),
])
def test_bad_batches_get_4xx_and_store_nothing(client, docs, body, status, words):
    response = client.post("/api/v1/events", data=body, content_type="application/json", headers=UA)
    assert response.status_code == status, response.get_json()
    assert words in response.get_json()["error"]
    assert _events() == 0


def test_oversized_body_is_413(client, docs):
    body = json.dumps({"session": SESSION, "events": [
        {"type": "feedback", "page": "index", "lang": "en", "helpful": True, "comment": "x" * 2000}] * 40})
    response = client.post("/api/v1/events", data=body, content_type="application/json", headers=UA)
    assert response.status_code == 413 and "larger than" in response.get_json()["error"]
    assert _events() == 0


def test_wrong_content_type_is_refused(client, docs):
    response = client.post("/api/v1/events", data="session=x", headers=UA,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and _events() == 0


def test_bots_are_dropped_and_counted(post_events):
    response = post_events([view(), view()], headers={"User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"})
    assert response.status_code == 202
    assert response.get_json() == {"accepted": 0, "dropped": 2, "reason": "bot"}
    post_events([view()], headers={"User-Agent": ""})
    assert _events() == 0
    assert db.session.scalar(select(IngestDrop.events).where(IngestDrop.reason == "bot")) == 3


def test_rate_limit_answers_429_with_retry_after(app, post_events):
    app.config["EVENT_RATE_LIMIT"] = 3
    app.extensions.pop("signpost_ingest", None)
    assert post_events([view(), view()]).status_code == 202
    response = post_events([view(), view()])
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "Too many events" in response.get_json()["error"]
    assert _events() == 2


def test_locked_database_answers_503_and_the_retry_is_stored(app, client, post_events):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("holds SQLite's write lock from a second connection")
    import sqlite3
    db.session.connection().exec_driver_sql("PRAGMA busy_timeout=50")
    db.session.commit()
    other = sqlite3.connect(db.engine.url.database, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        for path in ("/api/v1/events", "/api/v1/feedback"):  # the fast path's core and a view
            body = ({"session": SESSION, "events": [view()]} if path.endswith("events") else
                    {"session": SESSION, "page": "guide/install", "lang": "en", "helpful": True})
            response = client.post(path, json=body, headers=UA)
            assert response.status_code == 503, response.get_data(as_text=True)
            assert "retry" in response.get_json()["error"] and response.headers["Retry-After"] == "5"
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert _events() == 0
    assert post_events([view()]).status_code == 202 and _events() == 1


def test_reading_known_pages_holds_no_connection(app, docs):
    # Request threads wait for the group commit after this read; had they kept a pooled
    # connection each, a burst of them could leave the committing thread without one.
    from portal.feedback import service
    app.extensions.pop("signpost_ingest", None)
    db.session.close()
    before = db.engine.pool.checkedout()
    assert ("guide/install", "en") in service.known_pages()
    assert db.engine.pool.checkedout() == before and not db.session().in_transaction()


def test_many_batches_in_one_group_are_stored_in_chunks_in_order(app, docs, monkeypatch):
    from portal.feedback import ingest, store
    monkeypatch.setattr(store, "ROWS_PER_INSERT", 7)
    sessions = [f"{n:032x}" for n in range(1, 4)]
    batches = [ingest.parse_batch({"session": s, "events": [
        {"type": "scroll", "page": "guide/install", "lang": "en", "depth": d, "t": d}
        for d in range(10)]}, {("guide/install", "en")}) for s in sessions]
    assert ingest.store_batches(db.session, batches) == 30
    db.session.commit()
    rows = db.session.execute(select(Event.session, Event.seq, Event.data).order_by(Event.id)).all()
    assert [(r.session, r.seq, r.data["depth"]) for r in rows] == [
        (s, d, d) for s in sessions for d in range(10)]


def test_stored_rows_match_the_columns_types_and_compact_json(app, docs):
    """Every kind of event as stored: its own columns, the reader time (moved here: the
    batch's clock is far behind), and `data` as the compact JSON text of the remaining
    fields, non-ASCII kept as is, on either database."""
    from portal.feedback import ingest
    from portal.feedback.store import _DATA
    page = {"page": "guide/install", "lang": "en"}
    events = [
        dict(page, type="page_view", ref="search", search_id=2**61 + 7, rev=3, t=1000),
        dict(page, type="engagement", seconds=14.5, t=1001),
        dict(page, type="scroll", depth=75, section="configure", t=1002),
        dict(page, type="copy", section="configure", chars=120, t=1003),
        dict(page, type="link", href="https://example.com/a?b=c", t=1004),
        dict(page, type="exit", seconds=3600, t=1005),
        dict(page, type="feedback", helpful=False, reason="unclear",
             comment="설치가 안 돼요 \"quoted\" é", t=1006),
        dict(page, type="survey", kind="ces", score=6, t=1007)]
    batch = ingest.parse_batch({"session": SESSION, "events": events},
                               {("guide/install", "en")})
    now = utcnow()
    assert ingest.store_batches(db.session, [batch], now) == len(events)
    db.session.commit()
    raw = db.session.execute(select(Event.seq, Event.type, Event.page, Event.lang,
                                    Event.session, Event.at, Event.day,
                                    func.cast(Event.data, db.Text)).order_by(Event.id)).all()
    assert [tuple(r[:5]) for r in raw] == [
        (i, e["type"], "guide/install", "en", SESSION) for i, e in enumerate(batch.events)]
    assert {r.day for r in raw} == {now.date()}
    shift = int(now.timestamp() * 1000) - 1007  # a skewed clock: moved to the receive time
    assert [r.at for r in raw] == [e["t"] + shift for e in batch.events]
    for r, e in zip(raw, batch.events):
        fields = {k: v for k, v in e.items() if k not in ("type", "page", "lang", "t")}
        assert r[7] == _DATA(fields)


def test_a_group_claims_its_batch_ids_together_and_stores_each_id_once(app, docs, monkeypatch):
    """Ids claimed in chunks of multi-row INSERTs: a batch sent before (an earlier group)
    and a copy inside the same group are skipped; batches without an id are all kept."""
    from portal.feedback import ingest, store
    monkeypatch.setattr(store, "CLAIMS_PER_INSERT", 2)
    pages = {("guide/install", "en")}

    def batch(session, batch_id, depth):
        payload = {"session": f"{session:032x}", "events": [
            {"type": "scroll", "page": "guide/install", "lang": "en", "depth": depth}]}
        if batch_id:
            payload["batch"] = batch_id
        return ingest.parse_batch(payload, pages)
    assert ingest.store_batches(db.session, [batch(1, "sent-before-01", 1)]) == 1
    db.session.commit()
    group = [batch(2, "fresh-batch-01", 2), batch(1, "sent-before-01", 3),
             batch(3, "fresh-batch-02", 4), batch(2, "fresh-batch-01", 5),
             batch(4, None, 6), batch(5, "fresh-batch-03", 7), batch(4, None, 8)]
    assert ingest.store_batches(db.session, group) == 5
    db.session.commit()
    rows = db.session.execute(select(Event.data).order_by(Event.id)).scalars().all()
    assert [r["depth"] for r in rows] == [1, 2, 4, 6, 7, 8]


def test_worker_lock_excludes_other_processes(tmp_path):
    import subprocess
    import sys
    from portal.feedback.service import WorkerLock
    path = tmp_path / "ingest.lock"
    probe = ("import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR)\n"
             "try: fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
             "except BlockingIOError: sys.exit(3)\n")
    lock = WorkerLock(str(path))
    with lock:
        assert subprocess.run([sys.executable, "-c", probe, str(path)]).returncode == 3
    assert subprocess.run([sys.executable, "-c", probe, str(path)]).returncode == 0
    with lock:  # and it can be taken again
        pass


def test_rate_limit_key_is_a_daily_salted_hash():
    from portal.feedback.ratelimit import RateLimiter
    limiter = RateLimiter("secret", 10)
    today = limiter.client_key("203.0.113.7", "UA", today="2026-11-25")
    assert "203.0.113.7" not in today and len(today) == 64
    assert today != limiter.client_key("203.0.113.7", "UA", today="2026-11-26")
    assert today == limiter.client_key("203.0.113.7", "UA", today="2026-11-25")


def test_no_ip_address_or_user_agent_is_stored(app):
    columns = {c["name"] for table in ("events", "votes", "ingest_drops", "page_days", "search_log")
               for c in inspect(db.engine).get_columns(table)}
    assert not columns & {"ip", "ip_address", "remote_addr", "user_agent", "ua", "address"}


def test_feedback_event_and_json_vote_replace_the_sessions_vote(client, post_events):
    post_events([{"type": "feedback", "page": "guide/install", "lang": "en", "helpful": False,
                  "reason": "unclear", "comment": "Which file?"}])
    response = client.post("/api/v1/feedback", headers=UA, json={
        "session": SESSION, "page": "guide/install", "lang": "en", "helpful": True, "reason": "solved"})
    assert response.status_code == 202
    votes = db.session.scalars(select(Vote)).all()
    assert [(v.helpful, v.reason, v.comment) for v in votes] == [(True, "solved", None)]
    client.post("/api/v1/feedback", headers=UA, json={
        "session": SESSION, "page": "guide/install", "lang": "en", "helpful": False,
        "section": "configure"})
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 2


def test_search_click_is_linked_to_its_search(post_events):
    from portal.search.log import log_search
    from portal.search.models import SearchClick
    search = log_search(db.session, "install", "en", 3, SESSION)
    db.session.commit()
    assert post_events([{"type": "search_click", "page": "guide/install", "lang": "en",
                         "search_id": search.id, "rank": 2},
                        view(ref="search", search_id=search.id)]).status_code == 202
    click = db.session.scalars(select(SearchClick)).one()
    assert (click.search_id, click.rank, click.slug) == (search.id, 2, "guide/install")


def test_flask_view_answers_like_the_fast_path(app, docs):
    from werkzeug.test import Client
    flask_only = Client(app.wsgi_app.wsgi_app)  # behind the EventsFastPath middleware
    body = json.dumps({"session": SESSION, "events": [view()]})
    ok = flask_only.post("/api/v1/events", data=body, content_type="application/json", headers=UA)
    assert ok.status_code == 202 and ok.get_json() == {"accepted": 1}
    bad = flask_only.post("/api/v1/events", data="{", content_type="application/json", headers=UA)
    assert bad.status_code == 400 and "not valid JSON" in bad.get_json()["error"]
    assert _events() == 1


def test_fast_path_sends_the_security_headers(client, docs):
    response = client.post("/api/v1/events", data="{", content_type="application/json", headers=UA)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("data", [
    {"ref": "internal", "search_id": 2**62, "rev": 3}, {"seconds": 0.001}, {"seconds": 14.5},
    {"comment": "설명이 \"부족\" \\ 해요\n\u2028", "helpful": False, "reason": None}, {},
    {"href": "https://example.com/a?b=c&d=é"}])
def test_event_data_is_stored_as_compact_json(data):
    from portal.feedback.store import _DATA
    assert _DATA(data) == json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    assert json.loads(_DATA(data)) == data


def test_a_batch_sent_again_adds_no_second_vote_or_click(client, docs):
    from portal.search.log import log_search
    from portal.search.models import SearchClick
    search = log_search(db.session, "install", "en", 3, SESSION)
    db.session.commit()
    events = [{"type": "search_click", "page": "guide/install", "lang": "en",
               "search_id": search.id, "rank": 1},
              {"type": "feedback", "page": "guide/install", "lang": "en", "helpful": True}]
    body = {"session": SESSION, "batch": "retry-batch-0001", "events": events}
    for _ in range(2):
        assert client.post("/api/v1/events", json=body, headers=UA).status_code == 202
    assert _events() == 2
    assert db.session.scalar(select(func.count()).select_from(SearchClick)) == 1
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 1
