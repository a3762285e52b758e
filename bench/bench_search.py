"""Search: index build time, relevance on the dev queries, query latency at corpus size and
at 10,000 pages.

Latency is measured through the engine's query function (what /api/v1/search runs, snippets
included) over the dev queries: a cold pass right after the index is opened (posting lists
read from disk), then five warm passes (posting lists cached per index generation).
"""
import copy
import os
import shutil
import statistics
import tempfile
import time

from bench.common import percentile
from bench.search_common import corpus_docs, dev_queries, mrr
from portal.search.analysis import kiwi
from portal.search.engine import Engine

TARGET_PAGES = 10_000
WARM_PASSES = 5


def run(report):
    kiwi()  # load the Korean model once, outside the timings
    docs = corpus_docs()
    queries = dev_queries()
    with tempfile.TemporaryDirectory(prefix="signpost-bench-search-") as folder:
        engine = Engine(os.path.join(folder, "corpus"))
        started = time.perf_counter()
        engine.rebuild(docs)
        elapsed = time.perf_counter() - started
        report(f"search index build, corpus ({len(docs)} translations, 4 languages)",
               f"{elapsed:.1f}", "s", target="< 60 s", ok=elapsed < 60)
        for lang in ("en", "ko"):
            score, hit5 = mrr(engine, queries, lang)
            report(f"search MRR@10 dev queries, {lang}", f"{score:.3f}", "",
                   target=">= 0.95", ok=score >= 0.95, note=f"hit@5 {hit5:.3f}")
        _latency(report, Engine(engine.root), queries, "corpus")
        big = _repeat(engine, os.path.join(folder, "big"), report)
        _latency(report, big, queries, f"{TARGET_PAGES:,} pages", target=30)


def _repeat(engine, root, report):
    """The corpus repeated to 10,000 pages (en; ko as many as it has), made by listing each
    language's one index segment 65 times in a new table of contents: re-analysing or merging
    65 copies would take minutes. The index then has one segment per copy."""
    started = time.perf_counter()
    copies = -(-TARGET_PAGES // engine.doc_count("en"))
    for lang in ("en", "ko"):
        _copy_segments(os.path.join(engine.root, lang), os.path.join(root, lang), copies)
    bigger = Engine(root)
    report("search index at 10,000 pages (segment copies)",
           f"{time.perf_counter() - started:.1f}", "s",
           note=f"en {bigger.doc_count('en')} docs, ko {bigger.doc_count('ko')} docs, "
                f"{copies} segments each")
    return bigger


def _copy_segments(source, target, copies):
    """Copy the index and list its one segment `copies` times (they share the file, which
    readers do not mind; the bench never writes to this index)."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC, open_dir
    toc = TOC.read(open_dir(source).storage, "MAIN")
    (segment,) = toc.segments
    shutil.copytree(source, target)
    segments = [copy.copy(segment) for _ in range(copies)]
    TOC(toc.schema, segments, toc.generation + 1).write(FileStorage(target), "MAIN")


def _latency(report, engine, queries, label, target=None):
    timed = [(lang, text) for lang, text, _ in queries]
    cold = [_time(engine, lang, text) for lang, text in timed]
    warm = [_time(engine, lang, text) for _ in range(WARM_PASSES) for lang, text in timed]
    report(f"search latency {label}, first pass (cold), median / p95",
           f"{statistics.median(cold):.1f} / {percentile(cold, 95):.1f}", "ms")
    p95 = percentile(warm, 95)
    report(f"search latency {label}, warm, median", f"{statistics.median(warm):.1f}", "ms")
    report(f"search latency {label}, warm, p95", f"{p95:.1f}", "ms",
           target=f"< {target} ms" if target else None, ok=(p95 < target) if target else None)
    engine.close()


def _time(engine, lang, text):
    started = time.perf_counter()
    engine.search(lang, text, limit=10)
    return (time.perf_counter() - started) * 1000
