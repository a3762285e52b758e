"""Helpers for the search benchmarks: corpus documents without a database, dev-query scoring."""
import sys
from pathlib import Path

from bench.common import CORPUS, ROOT
from portal.content.source import read_mkdocs_nav, read_tree

QUERIES = ROOT.parent / "shared" / "eval" / "search-queries-dev.tsv"
LANGS = ("en", "ko", "es", "ja")


def corpus_docs(langs=LANGS):
    """The shared corpus as search documents (sections from mkdocs.yml)."""
    from portal.search.engine import Doc
    placement = read_mkdocs_nav(CORPUS / "mkdocs.yml")
    return [Doc(slug=f.slug, lang=f.lang, title=f.title, markdown=f.markdown,
                section=placement.get(f.slug, ("", 0))[0])
            for f in read_tree(CORPUS, list(langs))]


EXTRA_QUERIES = Path(__file__).parent / "search-queries-extra.tsv"
# Written before any ranking change and never edited (issue 11 part 1).
FROZEN_QUERIES = Path(__file__).parent / "search-queries-frozen.tsv"


def dev_queries(path=QUERIES):
    """(lang, query, relevant slugs) of the dev query file (or another in its format)."""
    sys.path.insert(0, str(QUERIES.parent))
    from search_eval import load_queries
    return load_queries(path)


def mrr(engine, queries, lang):
    """MRR@10 and hit@5 of `engine` on the queries in `lang`."""
    rr, hits, n = 0.0, 0, 0
    for qlang, text, relevant in queries:
        if qlang != lang:
            continue
        slugs = [h.slug for h in engine.search(lang, text, limit=10, with_snippets=False).hits]
        rank = next((i + 1 for i, s in enumerate(slugs) if s in relevant), None)
        rr += 1.0 / rank if rank else 0.0
        hits += 1 if rank and rank <= 5 else 0
        n += 1
    return (rr / n, hits / n) if n else (0.0, 0.0)
