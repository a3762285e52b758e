"""Mixed load for 60 s against gunicorn (2 workers x 4 threads), loopback only.

Readers fetch pages, searchers search (JSON and the results page), event senders post
beacon batches from 64 clients, writers save pages through the API, and an owner reads
the insights: all at once. Prints requests and p50/p99 per kind, and the number of 5xx
answers (target 0).

Many clients: each event client connects from its own loopback address (127.0.1.N:
Linux routes all of 127.0.0.0/8 to the loopback device), so the server sees 64 real
source addresses without trusting X-Forwarded-For. The load comes from Python threads
on the same 2 cores as the server, so the latencies are indicative, not a capacity
measurement (bench_pages measures throughput with wrk). `BENCH_MIXED_SECONDS` shortens
the run; the first 10 s of the same load are a warm-up, not counted (5xx are always
counted).
"""
import http.client
import json
import os
import random
import re
import threading
import time
import uuid
from collections import defaultdict

from bench.common import ROOT, flask, gunicorn, instance, percentile

SECONDS = float(os.environ.get("BENCH_MIXED_SECONDS", 60))
WARMUP = 10  # seconds of the same load before counting (first searches load the models)
EVENT_CLIENTS = 64
UA = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 bench-mixed"
WORDS = ["install", "search", "token", "translate", "insights", "comment", "task", "privacy",
         "검색", "설치", "번역", "deploy", "feedback", "beacon", "revision", "zzqx"]
# Kind: (threads, pause between requests in seconds)
KINDS = {"reader": (6, 0.02), "searcher": (3, 0.05), "events": (4, 0.05), "writer": (1, 1.0),
         "owner": (1, 1.0)}


class Recorder:
    """Status and latency of every answer, per kind."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)
        self.statuses = defaultdict(lambda: defaultdict(int))

    def add(self, kind, status, seconds):
        with self.lock:
            self.latency[kind].append(seconds * 1000)
            self.statuses[kind][status] += 1


class Client:
    """One keep-alive connection (from `source`, a loopback address) that reconnects."""

    def __init__(self, port, source=None):
        self.port, self.source, self.conn = port, source, None

    def request(self, method, path, body=None, headers=None):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=60,
                    source_address=(self.source, 0) if self.source else None)
            try:
                self.conn.request(method, path, body=body,
                                  headers={"User-Agent": UA, **(headers or {})})
                answer = self.conn.getresponse()
                return answer.status, answer.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    return "error", b""
        return "error", b""


def _pages(port):
    """(lang, slug) of every published page, from the pages API."""
    status, body = Client(port).request("GET", "/api/v1/pages")
    assert status == 200, status
    return [(p["lang"], p["slug"]) for p in json.loads(body)["pages"]]


def _setup(env):
    flask(env, "init")
    flask(env, "import-docs", str(ROOT / "docs"))
    flask(env, "create-user", "writer@bench.example", "--role", "writer", "--password",
          "bench-password-1")
    flask(env, "create-user", "owner@bench.example", "--role", "owner", "--password",
          "bench-password-1")
    flask(env, "demo-traffic", "--days", "7", "--sessions", "300")
    tokens = {}
    for role in ("writer", "owner"):
        out = flask(env, "create-token", f"{role}@bench.example")
        tokens[role] = re.search(r"sp_[\w-]+", out).group(0)
    return tokens


def run(report):
    recorder = Recorder()
    with instance() as (folder, env):
        env["SIGNPOST_EVENT_RATE_LIMIT"] = "1200"
        tokens = _setup(env)
        with gunicorn(env) as port:
            pages = _pages(port)
            stop = threading.Event()
            workers = _workers(port, pages, tokens, recorder, stop)
            for t in workers:
                t.start()
            time.sleep(WARMUP + SECONDS)
            stop.set()
            for t in workers:
                t.join(timeout=120)
    _report(report, recorder)


def _workers(port, pages, tokens, recorder, stop):
    counting_from = time.perf_counter() + WARMUP

    def loop(kind, pause, step):
        while not stop.is_set():
            started = time.perf_counter()
            status = step()
            if started >= counting_from or status == "error" or status >= 500:
                recorder.add(kind, status, time.perf_counter() - started)
            time.sleep(pause)

    def reader():
        client = Client(port)
        return lambda: client.request("GET", "/{}/docs/{}".format(*random.choice(pages)))[0]

    def searcher():
        client = Client(port)

        def step():
            word = random.choice(WORDS)
            lang = "ko" if ord(word[0]) > 127 else random.choice(("en", "ko"))
            if random.random() < 0.3:
                return client.request("GET", f"/{lang}/search?q={_quote(word)}")[0]
            return client.request("GET", f"/api/v1/search?q={_quote(word)}&lang={lang}")[0]
        return step

    def events(index):
        clients = [(Client(port, f"127.0.1.{n + 1}"), uuid.uuid4().hex)
                   for n in range(index, EVENT_CLIENTS, KINDS["events"][0])]

        def step():
            client, session = random.choice(clients)
            lang, slug = random.choice(pages)
            batch = [{"type": "page_view", "page": slug, "lang": lang, "ref": "direct"},
                     {"type": "scroll", "page": slug, "lang": lang, "depth": random.randint(0, 100)},
                     {"type": "engagement", "page": slug, "lang": lang, "seconds": 12.5}]
            body = json.dumps({"session": session, "batch": uuid.uuid4().hex, "events": batch})
            return client.request("POST", "/api/v1/events", body,
                                  {"Content-Type": "application/json"})[0]
        return step

    def writer():
        client = Client(port)
        auth = {"Authorization": f"Bearer {tokens['writer']}", "Content-Type": "application/json"}
        mine = [p for p in pages if p[0] == "en"][:3]

        def step():
            lang, slug = random.choice(mine)
            status, body = client.request("GET", f"/api/v1/pages/{slug}?lang={lang}", headers=auth)
            if status != 200:
                return status
            page = json.loads(body)
            text = page["markdown"].rstrip() + f"\n\n<!-- bench {uuid.uuid4().hex[:8]} -->\n"
            return client.request("PUT", f"/api/v1/pages/{slug}?lang={lang}", json.dumps(
                {"markdown": text, "base_revision": page["revision"],
                 "message": "bench"}), auth)[0]
        return step

    def owner():
        client = Client(port)
        auth = {"Authorization": f"Bearer {tokens['owner']}"}
        paths = ["/api/v1/insights/pages?lang=en", "/api/v1/insights/pages?lang=ko",
                 "/api/v1/insights/searches", "/api/v1/insights/journeys",
                 "/api/v1/insights/pages/searching?lang=en"]
        return lambda: client.request("GET", random.choice(paths), headers=auth)[0]

    steps = {"reader": lambda i: reader(), "searcher": lambda i: searcher(),
             "events": events, "writer": lambda i: writer(), "owner": lambda i: owner()}
    return [threading.Thread(target=loop, args=(kind, pause, steps[kind](i)), daemon=True)
            for kind, (count, pause) in KINDS.items() for i in range(count)]


def _quote(text):
    from urllib.parse import quote
    return quote(text)


def _report(report, recorder):
    total_5xx = 0
    for kind in KINDS:
        latencies = recorder.latency.get(kind) or [0]
        statuses = recorder.statuses.get(kind, {})
        errors = sum(n for s, n in statuses.items() if s == "error" or (isinstance(s, int) and s >= 500))
        total_5xx += errors
        seen = ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items(), key=str))
        report(f"mixed {SECONDS:.0f} s: {kind} p99", round(percentile(latencies, 99), 1), "ms",
               note=f"p50 {percentile(latencies, 50):.1f} ms; {sum(statuses.values())} requests "
                    f"({seen})")
    report(f"mixed {SECONDS:.0f} s: 5xx answers (any kind)", total_5xx, "responses", target="0",
           ok=total_5xx == 0)
