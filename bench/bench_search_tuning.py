"""Search tuning: what owners' synonyms cost a query, and how long learning from clicks takes.

- Query cost of synonyms: the dev queries searched through the engine without and with an
  `expand` hook built from SYNONYM_GROUPS groups per language (a quarter name a word of the
  dev queries), warm.
- Learning: `learning.refresh` over a synthetic 90-day search log (SEARCHES searches,
  a click on most, SESSIONS sessions) in SQLite; it runs in the background, never in a
  search. Then the snapshot a search process loads every 30 s (synonyms, pins, boosts).
"""
import os
import random
import statistics
import tempfile
import time
from datetime import timedelta

from bench.common import percentile
from bench.search_common import corpus_docs, dev_queries

SYNONYM_GROUPS = 200
SEARCHES = 200_000
SESSIONS = 40_000
WARM_PASSES = 3


def run(report):
    _query_cost(report)
    _learning(report)


def _query_cost(report):
    from portal.search import synonyms
    from portal.search.analysis import kiwi
    from portal.search.engine import Engine
    kiwi()
    queries = [(lang, text) for lang, text, _ in dev_queries()]
    rng = random.Random(7)
    words = sorted({w for _, text in queries for w in text.split() if len(w) > 3})
    # A quarter of the groups name a word of the dev queries; the rest never match.
    groups = {lang: [synonyms.Group(i, (f"zz{i}word", rng.choice(words) if i % 4 == 0
                                        else f"yy{i}term")) for i in range(SYNONYM_GROUPS)]
              for lang in ("en", "ko")}
    with tempfile.TemporaryDirectory(prefix="signpost-bench-tuning-") as folder:
        engine = Engine(os.path.join(folder, "ix"))
        engine.rebuild(corpus_docs(("en", "ko")))
        for lang, text in queries:  # warm the posting caches
            engine.search(lang, text)
        plain, tuned, fired = [], [], 0
        for _ in range(WARM_PASSES):
            for lang, text in queries:
                plain.append(_time(lambda: engine.search(lang, text)))
                hits = []
                expand = synonyms.expander(groups[lang], text, hits)
                tuned.append(_time(lambda: engine.search(lang, text, expand=expand)))
                fired += bool(hits)
    added = [t - p for t, p in zip(tuned, plain)]
    report("search latency warm, no synonyms, median / p95",
           f"{statistics.median(plain):.1f} / {percentile(plain, 95):.1f}", "ms")
    report(f"search latency warm, {SYNONYM_GROUPS} synonym groups per language, median / p95",
           f"{statistics.median(tuned):.1f} / {percentile(tuned, 95):.1f}", "ms",
           note=f"{fired / len(tuned):.0%} of searches expanded")
    med = statistics.median(added)
    report("search time added by synonyms, median", f"{med:.2f}", "ms", target="< 2 ms",
           ok=med < 2)


def _time(call):
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _learning(report):
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from bench.common import ROOT
    from portal import create_app
    from portal.extensions import db
    from portal.search import learning, tuning
    from portal.search.models import SearchClick, SearchLog
    from portal.timeutil import utcnow
    with tempfile.TemporaryDirectory(prefix="signpost-bench-learning-") as folder:
        app = create_app({"INSTANCE_PATH": folder, "SECRET_KEY": "bench", "TESTING": True,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db"})
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            rng, now = random.Random(3), utcnow()
            keys = [f"query {i}" for i in range(2_000)]
            searches, clicks = [], []
            for i in range(1, SEARCHES + 1):
                at = now - timedelta(minutes=rng.randrange(90 * 24 * 60))
                key = keys[min(int(rng.paretovariate(1.2)) - 1, len(keys) - 1)]
                session = f"{rng.randrange(SESSIONS):032x}"
                searches.append(dict(id=i, query=key, query_key=key, lang="en", results=5,
                                     session=session, created_at=at, is_return=False))
                if rng.random() < 0.7:
                    clicks.append(dict(search_id=i, rank=1, lang="en", session=session,
                                       slug=f"page/{rng.randrange(8)}",
                                       created_at=at + timedelta(seconds=rng.randrange(2, 40))))
            db.session.execute(insert(SearchLog), searches)
            db.session.execute(insert(SearchClick), clicks)
            db.session.commit()
            started = time.perf_counter()
            count = learning.refresh(db.session)
            db.session.commit()
            elapsed = time.perf_counter() - started
            report(f"learning from clicks, refresh over {SEARCHES:,} searches / "
                   f"{len(clicks):,} clicks", f"{elapsed:.1f}", "s", target="< 60 s (background)",
                   ok=elapsed < 60, note=f"{count:,} boosts")
            with app.test_request_context():
                started = time.perf_counter()
                tuning.forget()
                tuning.snapshot(db.session)
                load = (time.perf_counter() - started) * 1000
            report("tuning snapshot load (once per 30 s per process)", f"{load:.0f}", "ms",
                   target="< 200 ms", ok=load < 200)
