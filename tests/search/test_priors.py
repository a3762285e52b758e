"""A page's helpful rate as a light prior: it re-orders near ties, within 1 +/- weight."""
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.feedback.models import PageDay
from portal.search import priors, service
from portal.timeutil import utcnow

# Two pages that match "upload files" alike (same words, same length).
TWINS = {"en/guide/upload-a.md": "# Upload files\n\nUpload files with a form.\n",
         "en/guide/upload-b.md": "# Upload files\n\nUpload files with a form.\n",
         "en/guide/other.md": "# Other\n\nNothing to see.\n"}


@pytest.fixture
def twins(make_docs, import_docs):
    import_docs(make_docs(TWINS))


def _votes(page, yes, no, days_ago=1):
    db.session.add(PageDay(day=utcnow().date() - timedelta(days=days_ago), page=page, lang="en",
                           votes_yes=yes, votes_no=no))
    db.session.commit()


def _order(app, weight):
    app.config["SEARCH_HELPFUL_PRIOR"] = weight
    app.extensions.pop(priors.KEY, None)
    hits = service.tuned_query(db.session, "en", "upload files").result.hits
    return [hit.slug for hit in hits]


def test_helpful_pages_win_a_tie_only_when_the_prior_is_on(app, twins):
    before = _order(app, 0.0)
    assert set(before) == {"guide/upload-a", "guide/upload-b"}
    first, second = before
    _votes(first, 2, 28)
    _votes(second, 28, 2)
    assert _order(app, 0.0) == before
    assert _order(app, 0.1) == [second, first]


def test_votes_older_than_the_window_do_not_count(app, twins):
    first, second = _order(app, 0.0)
    _votes(first, 2, 28)
    _votes(second, 28, 2, days_ago=priors.WINDOW_DAYS + 5)
    assert _order(app, 0.1) == [first, second]


def test_the_prior_does_not_bring_in_pages_that_do_not_match(app, twins):
    _votes("guide/other", 500, 0)
    assert "guide/other" not in _order(app, 0.1)


def test_factors_stay_light_and_few_votes_stay_near_one():
    found = priors.factors({"loved": (1000, 0), "hated": (0, 1000), "new": (1, 0),
                            "middling": (500, 500)}, 0.1)
    assert all(0.9 <= f <= 1.1 for f in found.values())
    assert found["hated"] < found["middling"] < found["loved"]
    assert abs(found["new"] - 1) < 0.01
    assert priors.factors({"a": (3, 1)}, 0.0) == {}
