"""A page's own readers as a light prior on its search score: its helpful rate.

Each page and language gets a factor from its helpful votes of the last WINDOW_DAYS, as the
daily rollups hold them (`portal.feedback.models.PageDay`, the numbers of the insights'
helpful rate; `portal rollup` and the insights reports bring them up to date):

    rate   = (yes + PRIOR_VOTES * site rate) / (yes + no + PRIOR_VOTES)
    factor = 1 + weight * (rate - site rate)

The site rate is the language's share of "helpful" votes, so a page with no or few votes
keeps a factor near 1, and the factor stays within 1 +/- weight however many votes a page
has: a prior for near ties, never enough to lift a page that does not match the query.
`weight` is the `SEARCH_HELPFUL_PRIOR` setting (0 switches it off). Factors are read from
the database at most once per `SEARCH_PRIOR_TTL` seconds per process.
"""
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from portal.feedback.models import PageDay
from portal.timeutil import utcnow

WINDOW_DAYS = 90
PRIOR_VOTES = 10
DEFAULT_WEIGHT = 0.1  # measured on both query sets: see bench/bench_search_quality.py
DEFAULT_TTL = 300
KEY = "signpost_search_priors"


def votes(db_session, since):
    """{lang: {slug: (yes, no)}} of the pages with helpful votes on or after `since`."""
    found = {}
    for page, lang, yes, no in db_session.execute(
            select(PageDay.page, PageDay.lang, func.sum(PageDay.votes_yes),
                   func.sum(PageDay.votes_no))
            .where(PageDay.day >= since)
            .group_by(PageDay.page, PageDay.lang)):
        if yes or no:
            found.setdefault(lang, {})[page] = (int(yes or 0), int(no or 0))
    return found


def factors(counts, weight):
    """{slug: factor} for one language's {slug: (yes, no)} (see the module's formula)."""
    yes = sum(y for y, _ in counts.values())
    total = yes + sum(n for _, n in counts.values())
    if not total or not weight:
        return {}
    site = yes / total
    return {slug: 1 + weight * ((y + PRIOR_VOTES * site) / (y + n + PRIOR_VOTES) - site)
            for slug, (y, n) in counts.items()}


def helpful(db_session, lang):
    """`prior(slug)` for searches in `lang` (this process's cached factors), or None."""
    config = current_app.config
    weight = config.get("SEARCH_HELPFUL_PRIOR", DEFAULT_WEIGHT)
    if not weight:
        return None
    cached = current_app.extensions.get(KEY)
    if cached is None or time.monotonic() - cached[0] >= config.get("SEARCH_PRIOR_TTL",
                                                                    DEFAULT_TTL):
        since = utcnow().date() - timedelta(days=WINDOW_DAYS)
        cached = (time.monotonic(), {lang_: factors(counts, weight)
                                     for lang_, counts in votes(db_session, since).items()})
        current_app.extensions[KEY] = cached
    found = cached[1].get(lang)
    return (lambda slug: found.get(slug, 1.0)) if found else None
