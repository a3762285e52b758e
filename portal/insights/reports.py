"""One door to the signal reports, shared by the HTML pages, the JSON API and the CSV exports.

The reports themselves live in `portal.insights.queries` (the rollups' owner); this module
applies the parsed filters the same way for every format, and lets the pages say "not
available yet" instead of failing while a report is missing.
"""
import logging

from portal.insights import filters as filtering

log = logging.getLogger(__name__)
_warned = []

try:  # loaded with the app (in gunicorn's master when it preloads), not by a worker's first report
    from portal.insights import queries  # noqa: F401
except ImportError:
    pass


def available(name):
    """The report function `name` of `portal.insights.queries`, or None when there is none."""
    try:
        from portal.insights import queries
    except ImportError:
        if not _warned:
            _warned.append(True)
            log.warning("portal.insights.queries is missing: insights reports are empty")
        return None
    return getattr(queries, name, None)


def page_rows(db_session, filters):
    """The page table for `filters`, sorted as they ask; None when the report is missing."""
    report = available("page_table")
    if report is None:
        return None
    rows = report(db_session, lang=filters.lang, start=filters.start, end=filters.end,
                  section=filters.section)
    return filtering.sort_rows(rows, filters)


def page_rows_shown(db_session, filters, offset, limit):
    """(number of rows, rows `offset` to `offset + limit`) of the page table for `filters`,
    sorted as they ask; only those rows are built in full. (None, None) when the report is
    missing."""
    report = available("page_table_slice")
    if report is None:  # a reports module without it: slice the whole table
        rows = page_rows(db_session, filters)
        return (None, None) if rows is None else (len(rows), rows[offset:offset + limit])
    return report(db_session, lambda rows: filtering.sort_rows(rows, filters), offset, limit,
                  lang=filters.lang, start=filters.start, end=filters.end,
                  section=filters.section)


def page_detail(db_session, slug, lang, filters):
    """The detail of one page in one language, or None (unknown page or missing report)."""
    report = available("page_detail")
    if report is None:
        return None
    return report(db_session, slug, lang, start=filters.start, end=filters.end)


def search_rows(db_session, filters):
    """Search gaps for `filters`, most frequent first; None when the report is missing."""
    report = available("search_gaps")
    if report is None:
        return None
    rows = report(db_session, lang=filters.lang, start=filters.start, end=filters.end)
    return sorted(rows, key=lambda r: -(r.get("count") or 0))


def surveys(db_session, filters):
    """Survey scores for `filters` as [{kind, enabled, score, responses, trend}], or None."""
    report = available("survey_scores")
    if report is None:
        return None
    scores = report(db_session, lang=filters.lang, start=filters.start, end=filters.end)
    if isinstance(scores, dict):
        return [dict(value, kind=kind) for kind, value in scores.items() if isinstance(value, dict)]
    return [dict(row) for row in scores]


def sections(db_session):
    """Every docs section that has pages, for the section filter."""
    from sqlalchemy import select
    from portal.content.models import Page
    return sorted(s for s in db_session.scalars(select(Page.section).distinct()) if s)
