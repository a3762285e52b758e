"""Searches as readers make them: query the index, log the search, gather what the page shows."""
from dataclasses import dataclass, field

from portal.content import queries
from portal.search import index, learning, log, pins, priors, spelling, synonyms, tuning
from portal.search.engine import Hit, SearchResult

# Languages whose empty searches are offered results from the source language.
FALLBACK_LANGS = ("ko", "es", "ja")
DID_YOU_MEAN_CJK = ("ko", "ja")


@dataclass
class ResultsPage:
    """Everything the results page shows for one query."""

    query: str
    lang: str
    result: SearchResult
    search_id: int | None
    page: int = 1
    pages: int = 0
    section: str | None = None
    sections: list = field(default_factory=list)  # [(section, title, count)]
    section_titles: dict = field(default_factory=dict)
    popular: list = field(default_factory=list)  # [(slug, title)]
    source_total: int | None = None
    fallback: SearchResult | None = None  # source-language results when none in `lang`
    pinned: str | None = None


@dataclass
class Tuned:
    """A search as owners' tuning shaped it: which synonyms and pin fired."""

    result: SearchResult
    synonyms: list = field(default_factory=list)
    pin: int | None = None
    pinned: str | None = None
    key: str | None = None  # the query key, when tuning needed it


def tuned_query(db_session, lang, text, limit=10, offset=0, **options):
    """Search with the owners' synonyms and pin and the learned boosts applied."""
    snap = tuning.snapshot(db_session)
    options.setdefault("prior", priors.helpful(db_session, lang))
    fired = []
    expand = synonyms.expander(snap.synonyms.get(lang, ()), text, fired)
    key = log.query_key(text, lang) if (snap.pins or snap.boosts) else None
    pin = None if options.get("section") else snap.pins.get((lang, key))
    learned = snap.boosts.get((lang, key)) if snap.learning else None
    if pin is None and not learned:
        result = index.query(lang, text, limit=limit, offset=offset, expand=expand, **options)
        return Tuned(result, fired, key=key)
    depth = max(offset + limit + 1, learning.MAX_RERANK if learned else 0)
    # Snippets only for the hits shown, not for all `depth` re-ranked ones.
    with_snippets = options.pop("with_snippets", True)
    result = index.query(lang, text, limit=depth, offset=0, expand=expand,
                         with_snippets=False, **options)
    found = {id(hit) for hit in result.hits}
    hits = learning.rerank(result.hits, learned) if learned else result.hits
    tuned = Tuned(result, fired, key=key)
    if pin is not None:
        hits = _pin_first(db_session, lang, result, hits, pin, tuned)
    result.hits = hits[offset:offset + limit]
    if with_snippets:
        index.add_snippets(lang, text, [hit for hit in result.hits if id(hit) in found])
    return tuned


def _pin_first(db_session, lang, result, hits, pin, tuned):
    pin_id, slug = pin
    found = next((h for h in hits if h.slug == slug), None)
    if found is None:
        page = pins.page_title(db_session, lang, slug)
        if page is None:  # unpublished since it was pinned: the pin rests
            return hits
        found = Hit(slug=slug, title=page[0], section=page[1], score=0.0)
        result.total += 1
    tuned.pin, tuned.pinned = pin_id, slug
    return [found] + [h for h in hits if h is not found]


def search_and_log(db_session, lang, text, limit=10, session_id=None, from_page=None,
                   **options):
    """Run a search and log it (not committed); returns (Tuned, SearchLog)."""
    tuned = tuned_query(db_session, lang, text, limit=limit, **options)
    tuning.count_hits(db_session, tuned.synonyms, tuned.pin)
    return tuned, log.log_search(db_session, text, lang, tuned.result.total,
                                 session_id=session_id, from_page=from_page, key=tuned.key)


def fallback(db_session, lang, text, source_lang, limit=10):
    """Source-language results for a search in `lang` that found nothing, or None."""
    if lang == source_lang or lang not in FALLBACK_LANGS:
        return None
    result = tuned_query(db_session, source_lang, text, limit=limit).result
    return result if result.total else None


def did_you_mean(lang, text, result):
    """Set a Korean or Japanese spelling suggestion on an empty result (engine gives others)."""
    if lang not in DID_YOU_MEAN_CJK or result.suggestion or result.total:
        return
    current = index.engine().searcher(lang)
    if current is None:
        return
    searcher, scorer = current
    vocabulary = scorer.memo.get(("cjk_vocabulary",), lambda: spelling.cjk_vocabulary(
        (f"{fields.get('title', '')}\n{fields.get('body', '')}"
         for fields in searcher.all_stored_fields()), lang))
    fixed = spelling.correct_cjk(vocabulary, text, lang)
    if fixed and index.query(lang, fixed, limit=1, with_snippets=False).total:
        result.suggestion = fixed


def results_page(db_session, lang, text, source_lang, page=1, per_page=10, section=None,
                 search_id=None, session_id=None, from_page=None):
    """A page of results; logs the search unless `search_id` names this same search.

    Coming back to a logged search (another page of results, a filter) is logged as a
    return — part of the reader's path, not a new search.
    """
    offset = (page - 1) * per_page
    options = dict(limit=per_page, offset=offset, section=section, with_sections=True)
    previous = log.get_search(db_session, search_id) if search_id else None
    if previous is not None and previous.query == text and previous.lang == lang:
        tuned, entry = tuned_query(db_session, lang, text, **options), previous
        if previous.session:
            log.log_search(db_session, text, lang, tuned.result.total,
                           session_id=session_id or previous.session, is_return=True)
    else:
        tuned, entry = search_and_log(db_session, lang, text, session_id=session_id,
                                      from_page=from_page, **options)
    result = tuned.result
    did_you_mean(lang, text, result)
    titles = section_titles(db_session, lang, source_lang)
    found = ResultsPage(query=text, lang=lang, result=result, search_id=entry.id, page=page,
                        pages=-(-result.total // per_page), section=section,
                        section_titles=titles, pinned=tuned.pinned)
    found.sections = sorted(((s, titles.get(s, s), n) for s, n in result.sections.items() if s),
                            key=lambda item: (-item[2], item[1]))
    if result.total == 0:
        found.popular = popular_pages(db_session, lang, source_lang)
        found.fallback = fallback(db_session, lang, text, source_lang, limit=per_page)
        if found.fallback is not None:
            found.source_total = found.fallback.total
        elif lang != source_lang:
            found.source_total = index.query(source_lang, text, limit=1,
                                             with_snippets=False).total
    return found


def section_titles(db_session, lang, source_lang):
    """Section slug -> title in `lang` (a humanised label when the section is not a page)."""
    entries = queries.nav_entries(db_session, lang, source_lang)
    titles = {e.slug: e.title for e in entries}
    return {e.section: titles.get(e.section) or _label(e.section)
            for e in entries if e.section}


def _label(section):
    # Sentence case ("first_steps" -> "First steps"), unlike content.source.slug_label
    # ("First_Steps"): the search page's section labels keep their own output.
    return section.rsplit("/", 1)[-1].replace("-", " ").replace("_", " ").capitalize()


def popular_pages(db_session, lang, source_lang, limit=5):
    """Pages readers found through search lately, else the first pages of the navigation."""
    pages = log.popular_pages(db_session, lang, limit=limit)
    if len(pages) < limit:
        seen = {slug for slug, _ in pages}
        for entry in queries.nav_entries(db_session, lang, source_lang):
            if len(pages) >= limit:
                break
            if entry.slug not in seen and entry.slug != "index":
                pages.append((entry.slug, entry.title))
    return pages
