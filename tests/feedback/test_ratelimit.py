"""The event rate limit cannot be reset by a new User-Agent, bots are bounded too, and
readers behind one shared address (an office, a proxy) stay served."""
import json

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.feedback.models import Event, IngestDrop
from portal.feedback.ratelimit import RateLimiter
from tests.feedback.conftest import SESSION, view

OFFICE = {"REMOTE_ADDR": "203.0.113.7"}
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def _browser(n):
    return {"User-Agent": f"Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0.{n} Safari/537.36"}


@pytest.fixture
def limits(app, docs):
    """Small budgets: 4 events a minute per reader, 20 per address, 6 for bots."""
    app.config.update(EVENT_RATE_LIMIT=4, EVENT_RATE_LIMIT_PER_ADDRESS=20,
                      EVENT_RATE_LIMIT_BOTS=6)
    app.extensions.pop("signpost_ingest", None)
    return app


def _post(client, events, headers, address=OFFICE, session=SESSION):
    return client.post("/api/v1/events", json={"session": session, "events": events},
                       headers=headers, environ_base=address)


def _dropped():
    return db.session.scalar(select(IngestDrop.events).where(IngestDrop.reason == "bot")) or 0


def test_a_new_user_agent_does_not_reset_the_budget(limits, client):
    statuses = [_post(client, [view(), view()], _browser(n)).status_code for n in range(30)]
    assert statuses[:10] == [202] * 10  # 20 events: the address's whole budget
    assert set(statuses[10:]) == {429}
    assert db.session.query(Event).count() == 20


def test_readers_behind_one_address_share_a_wide_budget(limits, client):
    for n in range(5):  # five readers of one office, each using their own whole budget
        for _ in range(2):
            assert _post(client, [view(), view()], _browser(n)).status_code == 202
        assert _post(client, [view()], _browser(n)).status_code == 429  # over their own
    assert _post(client, [view()], _browser(99)).status_code == 429  # the office's is used up
    # Another address is not affected.
    assert _post(client, [view()], _browser(99), {"REMOTE_ADDR": "198.51.100.1"}).status_code == 202


def test_a_junk_batch_from_a_bot_counts_at_most_one_batch(limits, client):
    limits.config["EVENT_RATE_LIMIT_BOTS"] = 1000
    limits.extensions.pop("signpost_ingest", None)
    body = json.dumps({"session": SESSION, "events": [0] * 20_000}, separators=(",", ":"))
    assert len(body) <= limits.config["EVENT_MAX_BYTES"]
    response = client.post("/api/v1/events", data=body, content_type="application/json",
                           headers={"User-Agent": BOT}, environ_base=OFFICE)
    assert response.status_code == 202
    assert response.get_json()["dropped"] == limits.config["EVENT_MAX_BATCH"]
    assert _dropped() == limits.config["EVENT_MAX_BATCH"]


def test_bots_are_rate_limited_apart_from_readers(limits, client):
    statuses = [_post(client, [view(), view()], {"User-Agent": BOT}).status_code
                for _ in range(6)]
    assert statuses == [202, 202, 202, 429, 429, 429]
    assert _dropped() == 6  # refused bot requests write nothing
    # Readers at the same address keep their own budget.
    assert _post(client, [view(), view()], _browser(1)).status_code == 202


def test_an_empty_user_agent_changing_nothing_is_a_bot(limits, client):
    statuses = {_post(client, [view(), view(), view()], {"User-Agent": ""}).status_code
                for _ in range(4)}
    assert statuses == {202, 429}
    assert _dropped() == 6


def test_zero_turns_every_limit_off():
    limiter = RateLimiter("s", 0, 0, 0)
    assert all(limiter.allow_events("a", "ua", 1000)[0] for _ in range(10))
    assert all(limiter.allow_events("a", "", 1000, bot=True)[0] for _ in range(10))


def test_windows_are_one_minute_and_say_how_long_to_wait():
    limiter = RateLimiter("s", 5, 10, 5)
    assert limiter.allow_events("a", "ua", 5, now=120.0) == (True, 0)
    assert limiter.allow_events("a", "ua", 1, now=150.0) == (False, 30)
    assert limiter.allow_events("a", "ua", 1, now=180.0) == (True, 0)  # a new minute


def test_the_address_key_is_a_daily_salted_hash():
    limiter = RateLimiter("secret", 10)
    key = limiter.address_key("203.0.113.7", today="2026-11-25")
    assert "203.0.113.7" not in key and len(key) == 64
    assert key != limiter.address_key("203.0.113.7", today="2026-11-26")
    assert key != limiter.client_key("203.0.113.7", "", today="2026-11-25")
