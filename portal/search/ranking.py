"""Second-stage ranking of the top hits: coordination of query terms and title matches."""
from portal.search.analysis import terms

# How strongly a missing query term costs, and how much a title naming the query is worth.
COORDINATION = 1.5
IDF_MODE = "body"
TITLE_BONUS = 1.0


def _term_key(fieldname, text):
    """Query terms are counted once whichever field they matched (bigram terms apart)."""
    return ("ng" if fieldname.endswith("_ng") else "", text)


def _weight(searcher, fieldname, text):
    if IDF_MODE == "uniform":
        return 1.0
    return searcher.idf("body_ng" if fieldname.endswith("_ng") else "body", text)


def rerank(searcher, query, results, title_analyzer):
    """Reorder the top hits, rewarding pages that contain more of the query's rare terms.

    BM25 sums per-term scores, so one frequent term in a title can outweigh a page that
    holds every term of a long question; multiplying by the IDF-weighted share of query
    terms present (a coordination factor) favours the page that answers the whole query.
    """
    weights = {}
    for fieldname, text in query.iter_all_terms():
        if searcher.doc_frequency(fieldname, text):
            key = _term_key(fieldname, text)
            weights[key] = max(weights.get(key, 0.0), _weight(searcher, fieldname, text))
    # Bigrams only count when no whole term of the query is in the index.
    if any(not kind for kind, _ in weights):
        weights = {key: w for key, w in weights.items() if not key[0]}
    total = sum(weights.values()) or 1.0
    scored = []
    for hit in results:
        found = {_term_key(f, t if isinstance(t, str) else t.decode("utf-8"))
                 for f, t in hit.matched_terms()}
        share = sum(w for key, w in weights.items() if key in found) / total
        bonus = TITLE_BONUS * _title_match(hit, found, weights, total, title_analyzer)
        scored.append((hit, hit.score * share ** COORDINATION * (1 + bonus)))
    scored.sort(key=lambda pair: -pair[1])
    return scored


def _title_match(hit, found, weights, total, title_analyzer):
    """How well the title and the query match: share of title terms asked x share of query."""
    title_terms = terms(title_analyzer, hit["title"])
    if not title_terms:
        return 0.0
    asked = [t for t in title_terms if ("", t) in found and ("", t) in weights]
    precision = len(asked) / len(title_terms)
    recall = sum(weights[("", t)] for t in asked) / total
    return precision * recall
