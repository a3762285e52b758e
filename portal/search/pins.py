"""Pinned results: for one query key in one language, one page is shown first."""
from sqlalchemy import select

from portal.content.models import Page, Translation
from portal.search.log import MAX_QUERY, query_key
from portal.search.synonyms import TuningError
from portal.search.tuning_models import SearchPin


def add(db_session, lang, query, slug):
    """Pin the page `slug` first for `query` in `lang` (not committed); TuningError if unfit."""
    query = " ".join((query or "").split()) if isinstance(query, str) else ""
    slug = slug.strip().strip("/") if isinstance(slug, str) else ""
    if not query:
        raise TuningError("pin_query")
    if len(query) > MAX_QUERY:
        raise TuningError("pin_query_long", num=MAX_QUERY)
    if not slug:
        raise TuningError("pin_page")
    if page_title(db_session, lang, slug) is None:
        raise TuningError("pin_unknown_page", slug=slug[:255])
    key = query_key(query, lang)
    existing = db_session.scalar(select(SearchPin).where(SearchPin.lang == lang,
                                                         SearchPin.query_key == key))
    if existing is not None:
        raise TuningError("pin_exists", query=existing.query, slug=existing.slug)
    pin = SearchPin(lang=lang, query=query, query_key=key, slug=slug, hits=0)
    db_session.add(pin)
    db_session.flush()
    return pin


def page_title(db_session, lang, slug):
    """(title, section) of the published page `slug` in `lang`, or None."""
    row = db_session.execute(
        select(Translation.title, Page.section).join(Page, Translation.page_id == Page.id)
        .where(Page.slug == slug, Translation.lang == lang, Translation.published.is_(True))
    ).first()
    return (row[0], row[1] or "") if row else None


def listing(db_session, lang=None):
    """Pins by language and query."""
    stmt = select(SearchPin).order_by(SearchPin.lang, SearchPin.query_key)
    if lang:
        stmt = stmt.where(SearchPin.lang == lang)
    return list(db_session.scalars(stmt))


def pins_by_key(db_session):
    """{(lang, query key): (pin id, slug)} for the query path's cache."""
    return {(lang, key): (pin_id, slug) for pin_id, lang, key, slug in db_session.execute(
        select(SearchPin.id, SearchPin.lang, SearchPin.query_key, SearchPin.slug))}
