"""Compare Korean analyzers on the dev queries: `python -m bench.compare_analyzers`.

Builds the Korean index three ways (CJK bigrams, Kiwi morphemes, both) and prints a
Markdown table of MRR@10, hit@5, build time and median query time; the result is kept
in bench/search_analyzers.md.
"""
import statistics
import tempfile
import time

from bench.search_common import EXTRA_QUERIES, FROZEN_QUERIES, corpus_docs, dev_queries, mrr
from portal.search.analysis import kiwi
from portal.search.engine import KOREAN_MODES, Engine


def measure(mode, docs, queries, extra, frozen):
    """(MRR@10, hit@5, extra-set MRR@10, frozen-set MRR@10, build seconds, median query ms)
    for one mode."""
    with tempfile.TemporaryDirectory(prefix="signpost-analyzers-") as folder:
        engine = Engine(folder, korean=mode)
        started = time.perf_counter()
        engine.rebuild(docs)
        build = time.perf_counter() - started
        score, hit5 = mrr(engine, queries, "ko")
        extra_score, _ = mrr(engine, extra, "ko")
        frozen_score, _ = mrr(engine, frozen, "ko")
        times = []
        for lang, text, _ in queries:
            if lang == "ko":
                started = time.perf_counter()
                engine.search("ko", text, limit=10)
                times.append((time.perf_counter() - started) * 1000)
        engine.close()
    return score, hit5, extra_score, frozen_score, build, statistics.median(times)


def main():
    kiwi()  # load the model once, outside the timings
    docs = [d for d in corpus_docs(("ko",))]
    queries, extra = dev_queries(), dev_queries(EXTRA_QUERIES)
    frozen = dev_queries(FROZEN_QUERIES)
    print("| Korean analyzer | MRR@10 frozen | MRR@10 dev | hit@5 dev | MRR@10 extra "
          "| index build (124 pages) | median query |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for mode in ("bigram", "kiwi", "hybrid"):
        score, hit5, extra_score, frozen_score, build, median = measure(
            mode, docs, queries, extra, frozen)
        print(f"| {mode} | {frozen_score:.3f} | {score:.3f} | {hit5:.3f} | {extra_score:.3f} "
              f"| {build:.1f} s | {median:.1f} ms |", flush=True)


if __name__ == "__main__":
    assert set(KOREAN_MODES) == {"bigram", "kiwi", "hybrid"}
    main()
