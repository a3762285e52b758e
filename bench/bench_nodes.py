"""Two nodes on one PostgreSQL: how soon a page published through one is served and found
on the other, and what a shared (Redis) rate-limit check costs per event batch.

Two gunicorn servers (2 workers x 4 threads each) on their own instance folders against
one fresh PostgreSQL database; ROUNDS edits are published through node A's API and node B
is polled every 20 ms until it serves the new text and its search finds it.
"""
import json
import os
import random
import statistics
import string
import time
import uuid

from bench.common import ROOT, flask, gunicorn, instance, percentile
from tests.support import request as _request

PG = os.environ.get("SIGNPOST_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("SIGNPOST_BENCH_REDIS", "redis://127.0.0.1:6379/0")
ROUNDS = 10
TARGET_S = 5.0
LETTERS = string.ascii_lowercase
PAGES = ("getting-started", "searching", "writing", "feedback", "deployment")


def _database():
    from sqlalchemy import create_engine, text
    name = f"signpost_bench_nodes_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name, PG.rsplit("/", 1)[0] + "/" + name


def _drop(admin, name):
    from sqlalchemy import text
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _propagation(port_a, port_b, headers):
    """Seconds until node b serves and finds each of ROUNDS edits made through node a."""
    served, found = [], []
    for i in range(ROUNDS):
        slug, word = PAGES[i % len(PAGES)], "nodeword" + "".join(random.choices(LETTERS, k=10))
        for _ in range(8):  # every worker of node b has the page cached and search warm
            _request(port_b, "GET", f"/en/docs/{slug}")
            _request(port_b, "GET", "/api/v1/search?q=install&lang=en")
        page = json.loads(_request(port_a, "GET", f"/api/v1/pages/{slug}?lang=en")[1])
        status, body = _request(port_a, "PUT", f"/api/v1/pages/{slug}?lang=en", json.dumps(
            {"markdown": page["markdown"] + f"\n\nAlso {word}.\n",
             "base_revision": page["revision"]}), {"Content-Type": "application/json", **headers})
        if status != 200:
            raise RuntimeError(f"publish failed: {status} {body[:200]!r}")
        start, seen = time.monotonic(), {}
        while len(seen) < 2 and time.monotonic() - start < 3 * TARGET_S:
            now = time.monotonic() - start
            if "page" not in seen and word.encode() in _request(port_b, "GET", f"/en/docs/{slug}")[1]:
                seen["page"] = now
            if "search" not in seen and f'"{slug}"'.encode() in _request(
                    port_b, "GET", f"/api/v1/search?q={word}&lang=en")[1]:
                seen["search"] = now
            time.sleep(0.02)
        served.append(seen.get("page", float("inf")))
        found.append(seen.get("search", float("inf")))
    return served, found


def _nodes(report):
    admin, name, url = _database()
    try:
        with instance(url) as (_a, env_a), instance(url) as (_b, env_b):
            for env in (env_a, env_b):
                env.update(SIGNPOST_SECRET_KEY="bench")
                env.pop("REDIS_URL", None)
            flask(env_a, "init")
            flask(env_a, "import-docs", str(ROOT / "docs"))
            flask(env_b, "reindex")
            flask(env_a, "create-user", "bench-writer@example.com", "--role", "writer",
                  "--password", "bench-password-123")
            token = flask(env_a, "create-token", "bench-writer@example.com").strip().split()[-1]
            with gunicorn(env_a) as port_a, gunicorn(env_b) as port_b:
                served, found = _propagation(port_a, port_b, {"Authorization": f"Bearer {token}"})
    finally:
        _drop(admin, name)
    for label, values in (("served with the new text", served), ("found by search", found)):
        worst = max(values)
        report(f"two nodes: published on A, {label} on B, median / max of {ROUNDS}",
               f"{statistics.median(values):.2f} / {worst:.2f}", "s", f"<= {TARGET_S:.0f} s",
               worst <= TARGET_S, "change log polled every 1 s (NODE_SYNC_INTERVAL)")


def _redis_cost(report):
    from portal.feedback.ratelimit import RateLimiter
    limiter = RateLimiter(uuid.uuid4().hex, 10**9, 10**9, 10**9, redis_url=REDIS)
    memory = RateLimiter("bench", 10**9, 10**9, 10**9)
    limiter.allow_events("warm", "ua", 1)
    for label, lim in (("Redis (REDIS_URL)", limiter), ("memory", memory)):
        times = []
        for i in range(2000):
            started = time.perf_counter()
            lim.allow_events(f"198.51.100.{i % 200}", "ua", 20)
            times.append((time.perf_counter() - started) * 1e6)
        report(f"event rate-limit check per batch, {label}, median / p99",
               f"{statistics.median(times):.0f} / {percentile(times, 99):.0f}", "us",
               note="one check per event batch (client + address budgets)")


def run(report):
    try:
        from sqlalchemy import create_engine, text
        with create_engine(PG).connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 (any reason the server is not there)
        report("two nodes on one PostgreSQL", "skipped", "", note=f"no PostgreSQL at {PG}: {exc}")
    else:
        _nodes(report)
    try:
        import redis
        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001
        report("event rate-limit check, Redis", "skipped", "", note=f"no Redis at {REDIS}: {exc}")
    else:
        _redis_cost(report)
