"""With REDIS_URL the event rate limit is one budget for every worker and node; without
Redis reachable it counts in memory and the API keeps answering (never a 500)."""
import logging
import os
import socket
import uuid

import pytest

from portal.feedback.ratelimit import MemoryCounts, RateLimiter, RedisCounts
from tests.conftest import make_app
from tests.feedback.conftest import DOCS, SESSION, UA, view

REDIS_URL = os.environ.get("SIGNPOST_TEST_REDIS", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="module")
def redis_url():
    """The Redis server to test against; skipped (with the reason) when there is none."""
    import redis
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL} under CI: {exc}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({exc}); set SIGNPOST_TEST_REDIS")
    return REDIS_URL


def _closed_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"redis://127.0.0.1:{s.getsockname()[1]}/0"


def test_two_nodes_share_one_budget_through_redis(redis_url):
    secret = uuid.uuid4().hex  # keys of this test only
    node_a, node_b = (RateLimiter(secret, 5, 50, 5, redis_url=redis_url) for _ in range(2))
    assert isinstance(node_a.counts, RedisCounts)
    assert node_a.allow_events("203.0.113.7", "UA", 3, now=600.0) == (True, 0)
    assert node_b.allow_events("203.0.113.7", "UA", 3, now=610.0) == (False, 50)
    assert node_b.allow_events("203.0.113.7", "UA", 2, now=610.0) == (True, 0)
    assert node_a.allow_events("203.0.113.7", "UA", 3, now=660.0) == (True, 0)  # next minute


def test_memory_limiters_do_not_share():
    node_a, node_b = RateLimiter("s", 5, 50, 5), RateLimiter("s", 5, 50, 5)
    assert isinstance(node_a.counts, MemoryCounts)
    assert node_a.allow_events("a", "UA", 3)[0] and node_b.allow_events("a", "UA", 3)[0]


def test_a_refused_batch_charges_no_budget(redis_url):
    limiter = RateLimiter(uuid.uuid4().hex, 5, 6, 5, redis_url=redis_url)
    assert limiter.allow_events("a", "one", 4, now=0.0)[0]
    assert not limiter.allow_events("a", "two", 4, now=1.0)[0]  # the address has 2 left
    assert limiter.allow_events("a", "two", 2, now=2.0)[0]


def _import_docs(app, tmp_path):
    from portal.content.commands import run_import
    from portal.extensions import db
    docs = tmp_path / "docs"
    for rel, text in DOCS.items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(text, encoding="utf-8")
    with app.app_context():
        run_import(docs)
        db.session.remove()


@pytest.fixture
def two_nodes(tmp_path, database_template, redis_url):
    """Two apps on their own instance folders, one database, one Redis, tiny budgets."""
    from portal.extensions import db
    settings = {"REDIS_URL": redis_url, "SECRET_KEY": uuid.uuid4().hex, "EVENT_RATE_LIMIT": 4,
                "EVENT_RATE_LIMIT_PER_ADDRESS": 40}
    node_a = make_app(tmp_path / "a", database_template, **settings)
    node_b = make_app(tmp_path / "b", database_template, **settings,
                      SQLALCHEMY_DATABASE_URI=node_a.config["SQLALCHEMY_DATABASE_URI"])
    _import_docs(node_a, tmp_path)
    yield node_a, node_b
    for app in (node_a, node_b):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _post(app, events):
    with app.app_context():
        return app.test_client().post("/api/v1/events", json={"session": SESSION, "events": events},
                                      headers=UA).status_code


def test_the_event_api_of_two_nodes_shares_the_limit(two_nodes):
    node_a, node_b = two_nodes
    assert _post(node_a, [view(), view(), view()]) == 202
    assert _post(node_b, [view(), view()]) == 429  # 5 > 4 for this reader, on either node
    assert _post(node_b, [view()]) == 202


def test_redis_down_counts_in_memory_with_one_log_line(caplog):
    limiter = RateLimiter("s", 3, 30, 3, redis_url=_closed_port_url())
    with caplog.at_level(logging.WARNING, logger="portal.feedback.ratelimit"):
        results = [limiter.allow_events("a", "UA", 1, now=0.0)[0] for _ in range(5)]
    assert results == [True, True, True, False, False]  # still limited, per worker
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "unreachable" in warnings[0].getMessage()


def test_the_event_api_answers_while_redis_is_down(tmp_path, database_template, caplog):
    from portal.extensions import db
    app = make_app(tmp_path, database_template, REDIS_URL=_closed_port_url())
    _import_docs(app, tmp_path)
    with app.app_context():
        with caplog.at_level(logging.WARNING, logger="portal.feedback.ratelimit"):
            statuses = [app.test_client().post(
                "/api/v1/events", json={"session": SESSION, "events": [view()]},
                headers=UA).status_code for _ in range(3)]
        db.session.remove()
        db.engine.dispose()
    assert statuses == [202, 202, 202]
    assert sum("unreachable" in r.getMessage() for r in caplog.records) == 1


def test_redis_back_after_an_outage_is_used_again_with_one_log_line(redis_url, caplog):
    import redis
    limiter = RateLimiter(uuid.uuid4().hex, 5, 50, 5, redis_url=redis_url)
    counts, script = limiter.counts, limiter.counts._script

    def down(*args, **kwargs):
        raise redis.ConnectionError("refused")
    counts._script = down
    with caplog.at_level(logging.WARNING, logger="portal.feedback.ratelimit"):
        assert limiter.allow_events("a", "UA", 5, now=0.0) == (True, 0)  # in memory
        counts._script, counts._down_until = script, 0.0  # Redis is back, retry is due
        assert limiter.allow_events("a", "UA", 5, now=1.0) == (True, 0)  # Redis had none
        assert limiter.allow_events("a", "UA", 1, now=2.0)[0] is False
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2 and "unreachable" in messages[0] and "is back" in messages[1]
