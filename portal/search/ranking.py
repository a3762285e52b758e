"""Ranking: BM25 scores times a coordination factor, then a title bonus for the top hits."""
import functools

import numpy as np

from portal.search.analysis import CJK_CHAR, segment, terms
from portal.search.intent import QueryIntentFilter

# How strongly a missing query term costs, and how much a title naming the query is worth.
COORDINATION = 1.0
TITLE_BONUS = 1.0


def _weights(scorer, clauses):
    """IDF weight per query term key; bigram keys only when no whole term is indexed."""
    weights = {}
    for key, fieldname, term, _ in clauses:
        if key[0] in ("prefix", "pair") or not scorer.doc_frequency(fieldname, term):
            continue
        body = "body_ng" if key[0] == "ng" else "body"
        weights[key] = max(weights.get(key, 0.0), scorer.idf(scorer.doc_frequency(body, term)))
    if any(not kind for kind, _ in weights):
        weights = {key: w for key, w in weights.items() if not key[0]}
    return weights


def coordinated(scorer, clauses):
    """(final score per document, matched mask).

    BM25 sums per-term scores, so one frequent term in a title can outweigh a page that
    holds every term of a long question; multiplying by the IDF-weighted share of query
    terms present (a coordination factor) favours the page that answers the whole query.
    """
    total, present = _grouped_score(scorer, clauses)
    weights = _weights(scorer, clauses)
    for whole, parts in _identifier_groups(clauses).items():
        for part in parts:
            weights.pop(part, None)
    share = np.zeros(scorer.n, dtype=np.float32)
    for key, weight in weights.items():
        mask = _present(key, present)
        if mask is not None:
            share += weight * mask
    share /= sum(weights.values()) or 1.0
    return total * share ** COORDINATION, total > 0


def _identifier_groups(clauses):
    """{whole key: its part keys} for code identifiers in the query: `WebSocket` is indexed
    and queried as `websocket`, `web`, `socket` (analysis._word_parts), one concept that
    would otherwise count three times against a word typed once (`웹소켓 테스트`)."""
    texts = {key[1] for key, *_ in clauses if not key[0] and key[1].isascii()}
    groups = {}
    for whole in texts:
        parts = segment(whole, texts - {whole})
        if parts:
            groups[("", whole)] = [("", part) for part in parts]
    return groups


def _grouped_score(scorer, clauses):
    """scorer.score, except that an identifier's parts (see _identifier_groups) count as
    one term with it: per document the better of the whole's score and the parts' mean,
    present where the whole is or all its parts are."""
    groups = _identifier_groups(clauses)
    if not groups:
        return scorer.score(clauses)
    members = {part: whole for whole, parts in groups.items() for part in parts}
    members.update((whole, whole) for whole in groups)
    rest = [c for c in clauses if c[0] not in members]
    total, present = scorer.score(rest)
    for whole, parts in groups.items():
        own, found = scorer.score([c for c in clauses if c[0] == whole])
        mask = found.get(whole)
        mean = np.zeros(scorer.n, dtype=np.float32)
        every = np.ones(scorer.n, dtype=bool)
        for part in parts:
            part_total, part_found = scorer.score([c for c in clauses if c[0] == part])
            mean += part_total / len(parts)
            every &= part_found.get(part, np.zeros(scorer.n, dtype=bool))
        total += np.maximum(own, mean)
        present[whole] = every if mask is None else (mask | every)
    return total, present


def _present(key, present):
    """Where a term is present; a Korean term also where all its bigrams matched (Kiwi may
    have split the page's text differently from the query's)."""
    mask = present.get(key)
    kind, text = key
    if kind or len(text) < 2 or not CJK_CHAR.match(text):
        return mask
    grams = [present.get(("ng", text[i:i + 2])) for i in range(len(text) - 1)]
    if any(g is None for g in grams):
        return mask
    both = np.logical_and.reduce(grams)
    return both if mask is None else (mask | both)


def top(scorer, final, mask, depth, title_analyzer, text, prior=None):
    """The best `depth` documents as [(docnum, score)], title bonus applied.

    `prior(slug)`, when given, is a factor on each candidate's score (a page's depth in the
    tree, its readers' helpful rate: `portal.search.priors`); it re-orders the `depth`
    best, it does not bring in others.
    """
    candidates = np.flatnonzero(mask)
    if len(candidates) > depth:
        part = np.argpartition(-final[candidates], depth - 1)[:depth]
        candidates = candidates[part]
    asked = _without_parts(set(terms(title_analyzer, text)))
    field = _title_field(scorer, title_analyzer)
    titles = _title_index(scorer, field, title_analyzer) if field else None
    slugs = _slug_index(scorer) if prior is not None else None
    ranked = []
    for docnum in candidates.tolist():
        found = titles.get(docnum, ()) if titles is not None else None
        if found is None:
            found = _title_terms(scorer, docnum, title_analyzer)
        bonus = TITLE_BONUS * _title_match(found, asked)
        factor = prior(slugs.get(docnum, "")) if slugs is not None else 1.0
        ranked.append((docnum, float(final[docnum]) * (1 + bonus) * factor))
    ranked.sort(key=lambda pair: (-pair[1], pair[0]))
    return ranked


def _slug_index(scorer):
    """{docnum: slug} from the slug field's postings, once per index generation."""
    def build():
        reader = scorer.reader
        return {docnum: term.decode("utf-8") for term in reader.lexicon("slug")
                for docnum in reader.postings("slug", term).all_ids()}
    return scorer.memo.get(("slug_index",), build)


def _title_field(scorer, title_analyzer):
    """The indexed field made by the same analysis as `title_analyzer` (title, or Korean
    title_ng), or None: then title terms are analysed from the stored title."""
    schema = scorer.searcher.schema
    wanted = _signature(title_analyzer)
    for name in ("title", "title_ng"):
        if name in schema and _signature(schema[name].analyzer) == wanted:
            return name
    return None


def _signature(an):
    """What decides an analyzer's terms, comparable between the schema's unpickled copy
    and the engine's own (Whoosh compares some filters by identity)."""
    return tuple((type(item).__module__, type(item).__qualname__, getattr(item, "cjk", None),
                  getattr(item, "lang", None), getattr(item, "stops", None))
                 for item in getattr(an, "items", [an]))


def _title_index(scorer, fieldname, title_analyzer):
    """{docnum: frozenset of title terms, or None to analyse the stored title} from the
    postings of `fieldname`, once per index generation (shared through the memo).

    Reading a candidate's stored fields to analyse its title unpickled its whole stored
    body (a fifth of a first-time search at 10,000 pages); the title field's postings
    hold the same distinct terms (indexed by the same analysis), and at 10,000 pages
    reading them all takes ~0.1 s and holds a few MB. Except that the query-side analysis
    drops intent words (`방법`, `cómo`; portal.search.intent) unless nothing else is left:
    titles holding one of those keep the stored-title path, so bonuses stay as they were.
    """
    def build():
        found = {}
        reader = scorer.reader
        for term in reader.lexicon(fieldname):
            word = term.decode("utf-8")
            for docnum in reader.postings(fieldname, term).all_ids():
                found.setdefault(docnum, set()).add(word)
        intent = _intent_forms(title_analyzer)
        return {docnum: None if words & intent else frozenset(words)
                for docnum, words in found.items()}
    return scorer.memo.get(("title_index", fieldname), build)


def _intent_forms(title_analyzer):
    """Every indexed form a query-only intent word of the analyzer's language can take."""
    forms = set()
    for item in getattr(title_analyzer, "items", ()):
        for word in getattr(item, "words", ()) if isinstance(item, QueryIntentFilter) else ():
            forms.add(word)
            forms.update(t.text for t in title_analyzer(word, mode="index"))
    return forms


def _title_terms(scorer, docnum, title_analyzer):
    return scorer.memo.get(("title_terms", docnum), lambda: terms(
        title_analyzer, scorer.reader.stored_fields(docnum)["title"]))


def _without_parts(found):
    """Terms without those that are parts of an identifier among them (`web`, `socket` of
    `websocket`): a title or query naming `WebSocket` names one thing, not three."""
    return _parts_removed(frozenset(found))


@functools.lru_cache(maxsize=4096)
def _parts_removed(found):
    parts = set()
    for whole in found:
        if whole.isascii():
            parts.update(segment(whole, {t for t in found if t != whole and t.isascii()}) or ())
    return found - parts


def _title_match(title_terms, asked):
    """How closely the title says what was asked: share of the title asked x share of the query."""
    if not title_terms or not asked:
        return 0.0
    title_terms = _without_parts(set(title_terms))
    common = len(asked.intersection(title_terms))
    return (common / len(set(title_terms))) * (common / len(asked))
