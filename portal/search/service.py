"""Searches as readers make them: query the index, log the search, gather what the page shows."""
from dataclasses import dataclass, field

from portal.content import queries
from portal.search import index, log
from portal.search.engine import SearchResult


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


def search_and_log(db_session, lang, text, limit=10, session_id=None, from_page=None,
                   **options):
    """Run a search and log it (not committed); returns (SearchResult, SearchLog)."""
    result = index.query(lang, text, limit=limit, **options)
    return result, log.log_search(db_session, text, lang, result.total, session_id=session_id,
                                  from_page=from_page)


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
        result, entry = index.query(lang, text, **options), previous
        if previous.session:
            log.log_search(db_session, text, lang, result.total,
                           session_id=session_id or previous.session, is_return=True)
    else:
        result, entry = search_and_log(db_session, lang, text, session_id=session_id,
                                       from_page=from_page, **options)
    titles = section_titles(db_session, lang, source_lang)
    found = ResultsPage(query=text, lang=lang, result=result, search_id=entry.id, page=page,
                        pages=-(-result.total // per_page), section=section,
                        section_titles=titles)
    found.sections = sorted(((s, titles.get(s, s), n) for s, n in result.sections.items() if s),
                            key=lambda item: (-item[2], item[1]))
    if result.total == 0:
        found.popular = popular_pages(db_session, lang, source_lang)
        if lang != source_lang:
            found.source_total = index.query(source_lang, text, limit=1,
                                             with_snippets=False).total
    return found


def section_titles(db_session, lang, source_lang):
    """Section slug -> title in `lang` (a humanised label when the section is not a page)."""
    entries = queries.nav_entries(db_session, lang, source_lang)
    titles = {slug: title for slug, _, title, _ in entries}
    return {section: titles.get(section) or _label(section)
            for _, section, _, _ in entries if section}


def _label(section):
    return section.rsplit("/", 1)[-1].replace("-", " ").replace("_", " ").capitalize()


def popular_pages(db_session, lang, source_lang, limit=5):
    """Pages readers found through search lately, else the first pages of the navigation."""
    pages = log.popular_pages(db_session, lang, limit=limit)
    if len(pages) < limit:
        seen = {slug for slug, _ in pages}
        for slug, _, title, _ in queries.nav_entries(db_session, lang, source_lang):
            if len(pages) >= limit:
                break
            if slug not in seen and slug != "index":
                pages.append((slug, title))
    return pages
