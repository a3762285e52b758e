"""Writing and reading the search log. Functions add to the session; the caller commits."""
import re
from datetime import timedelta

from sqlalchemy import func, select

from portal.content.models import Page, Translation
from portal.search.analysis import analyzer, terms
from portal.search.models import SearchClick, SearchLog
from portal.timeutil import utcnow

SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_QUERY = 200
SPACE = re.compile(r"\s+")
PAGE_SLUG = re.compile(r"^[\w\-./]{1,255}$")
_analyzers = {}


def _analyzer(lang):
    if lang not in _analyzers:
        _analyzers[lang] = analyzer(lang)
    return _analyzers[lang]


def clean_session(session_id):
    """The beacon session id if it is well formed (32 lower-case hex digits), else None."""
    if isinstance(session_id, str) and SESSION_ID.match(session_id):
        return session_id
    return None


def query_key(query, lang):
    """The query normalised with the language's analyzer: `파일 업로드` = `파일을 업로드`."""
    key = " ".join(terms(_analyzer(lang), query or ""))
    if not key:
        key = SPACE.sub(" ", (query or "").strip().lower())
    return key[:MAX_QUERY]


def clean_page(slug):
    """A page slug a search was made from, if it looks like one, else None."""
    if isinstance(slug, str) and PAGE_SLUG.match(slug):
        return slug
    return None


def log_search(db_session, query, lang, total, session_id=None, from_page=None,
               is_return=False, key=None):
    """Record a search (not committed) and return it.

    `from_page` is the page the reader searched from; `is_return` marks a return to a
    results page already logged (paging, a filter): kept for the reader's path, not counted.
    `key` is the query's key when the caller has computed it already.
    """
    query = SPACE.sub(" ", (query or "").strip())[:MAX_QUERY]
    entry = SearchLog(query=query, query_key=key or query_key(query, lang), lang=lang,
                      results=int(total), session=clean_session(session_id),
                      from_page=clean_page(from_page), is_return=bool(is_return),
                      created_at=utcnow())
    db_session.add(entry)
    db_session.flush()
    if entry.session:  # later events of a skewed browser clock go after this search
        from portal.feedback.ingest import note_session_time
        note_session_time(entry.session, int(entry.created_at.timestamp() * 1000))
    return entry


def record_click(db_session, search_id, rank, slug, lang, session_id=None):
    """Record a click on result `rank` of search `search_id`; None if the search is unknown."""
    try:
        search_id, rank = int(search_id), int(rank)
    except (TypeError, ValueError):
        return None
    if rank < 1 or db_session.get(SearchLog, search_id) is None:
        return None
    click = SearchClick(search_id=search_id, rank=rank, slug=slug, lang=lang,
                        session=clean_session(session_id))
    db_session.add(click)
    return click


def get_search(db_session, search_id):
    """A logged search by id, or None."""
    try:
        return db_session.get(SearchLog, int(search_id))
    except (TypeError, ValueError):
        return None


def query_groups(db_session, lang=None, since=None):
    """Searches grouped by query key: [(key, example query, searches, avg results)]."""
    stmt = (select(SearchLog.query_key, func.min(SearchLog.query), func.count(SearchLog.id),
                   func.avg(SearchLog.results))
            .where(SearchLog.is_return.is_(False))
            .group_by(SearchLog.query_key).order_by(func.count(SearchLog.id).desc()))
    if lang:
        stmt = stmt.where(SearchLog.lang == lang)
    if since:
        stmt = stmt.where(SearchLog.created_at >= since)
    return [tuple(row) for row in db_session.execute(stmt)]


def popular_pages(db_session, lang, limit=5, days=30):
    """The most clicked search results in `lang` lately: [(slug, title)]."""
    since = utcnow() - timedelta(days=days)
    stmt = (select(SearchClick.slug, Translation.title, func.count(SearchClick.id).label("n"))
            .join(Page, Page.slug == SearchClick.slug)
            .join(Translation, (Translation.page_id == Page.id) & (Translation.lang == lang))
            .where(SearchClick.lang == lang, SearchClick.created_at >= since,
                   Translation.published.is_(True))
            .group_by(SearchClick.slug, Translation.title)
            .order_by(func.count(SearchClick.id).desc(), SearchClick.slug).limit(limit))
    return [(slug, title) for slug, title, _ in db_session.execute(stmt)]
