"""The report contract (`portal.insights.queries`): shapes, numbers, filters, small samples."""
import json
from datetime import date, timedelta

import pytest

from portal.extensions import db
from portal.insights import queries
from portal.insights.score import wilson
from tests.insights.scenario import HEADINGS, Reader, docs_tree

SLUGS = ("guide/a", "guide/b", "guide/c")
ROW_KEYS = {"slug", "lang", "title", "section", "url", "views", "sessions",
            "engaged_seconds_avg", "engaged_seconds_median", "completion", "exit_rate",
            "helpful", "stuck_score", "top_reason", "signals", "trend", "outdated"}
SIGNALS = {"unhelpful", "search_after", "pogo", "drop_off", "loops", "dead_end", "language_gap"}


@pytest.fixture
def traffic(client, make_docs, import_docs):
    import_docs(make_docs(docs_tree(SLUGS)))
    for i in range(6):
        r = Reader(client, "en")
        r.read("guide/a", seconds=40, vote=i % 3 != 0, reason=None)
        found = r.search("guide b", from_page="guide/a")
        r.read("guide/b", ref="search", search_id=found["search_id"], seconds=90)
    r = Reader(client, "ko")
    r.read("guide/c", seconds=10, depth=30, section=HEADINGS[1], vote=False, reason="unclear")
    r.search("zzqx 없는 말", from_page="guide/c")


def test_page_table_rows_have_the_contract_shape(traffic):
    rows = queries.page_table(db.session)
    assert rows and all(set(r) >= ROW_KEYS for r in rows)
    json.dumps(rows)  # JSON-ready
    scores = [r["stuck_score"] for r in rows]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 100 for s in scores)
    a = next(r for r in rows if (r["slug"], r["lang"]) == ("guide/a", "en"))
    assert (a["views"], a["helpful"]["yes"], a["helpful"]["no"]) == (6, 4, 2)
    low, high = wilson(4, 6)
    assert a["helpful"]["rate"] == round(4 / 6, 4)
    assert (a["helpful"]["wilson_low"], a["helpful"]["wilson_high"]) == (round(low, 4),
                                                                          round(high, 4))
    assert len(a["trend"]) == queries.DEFAULT_DAYS and a["trend"][-1] == 6
    assert {s["name"] for s in a["signals"]} == SIGNALS
    for s in a["signals"]:
        assert {"name", "value", "weight", "contribution", "evidence"} <= set(s)
    after = next(s for s in a["signals"] if s["name"] == "search_after")
    assert after["evidence"]["searched"] == 6
    assert after["evidence"]["queries"][0]["count"] == 6
    assert a["url"] == "/en/docs/guide/a"


def test_page_table_filters(traffic):
    assert {r["lang"] for r in queries.page_table(db.session, lang="ko")} == {"ko"}
    assert queries.page_table(db.session, section="nowhere") == []
    past = date.today() - timedelta(days=60)
    assert queries.page_table(db.session, start=past, end=past + timedelta(days=3)) == []


def test_page_detail_has_every_part(traffic):
    detail = queries.page_detail(db.session, "guide/c", "ko")
    json.dumps(detail)
    assert {"page", "summary", "daily", "revisions", "votes", "reasons", "sections",
            "previous_pages", "next_pages", "searches_before", "searches_after", "languages",
            "surveys"} <= set(detail)
    assert detail["page"]["slug"] == "guide/c" and detail["page"]["revision"] == 1
    [vote] = detail["votes"]
    assert (vote["helpful"], vote["reason"], vote["engaged_seconds"], vote["scroll_depth"]) == \
        (False, "unclear", 10.0, 30)
    assert [s["id"] for s in detail["sections"]] == list(HEADINGS)
    assert [s["id"] for s in detail["sections"] if s["drop_off"]] == [HEADINGS[1]]
    assert {l["lang"] for l in detail["languages"]} == {"en", "ko"}
    assert detail["summary"]["signals"][0]["name"] in ("dead_end", "unhelpful", "drop_off")
    b = queries.page_detail(db.session, "guide/b", "en")
    assert b["previous_pages"][0]["slug"] == "guide/a"
    assert b["searches_before"][0]["count"] == 6
    assert queries.page_detail(db.session, "guide/nope", "en") is None


def test_search_gaps_put_zero_results_first(traffic):
    rows = queries.search_gaps(db.session)
    assert rows[0]["zero_results"] == rows[0]["count"] == 1 and rows[0]["lang"] == "ko"
    assert rows[0]["end_pages"] == [{"slug": "guide/c", "count": 1}]
    found = next(r for r in rows if r["lang"] == "en")
    assert (found["count"], found["clicks"], found["ctr"]) == (6, 6, 1.0)
    assert {"query_key", "example", "lang", "count", "zero_results", "clicks", "ctr", "trend",
            "languages", "end_pages"} <= set(found)


def test_survey_scores(client, make_docs, import_docs):
    import_docs(make_docs(docs_tree(SLUGS)))
    r = Reader(client, "en")
    r.post([{"type": "survey", "page": "guide/a", "lang": "en", "kind": "nps", "score": s}
            for s in (10, 9, 8, 3)])
    scores = queries.survey_scores(db.session)
    assert scores["nps"]["responses"] == 4 and scores["nps"]["score"] == 25.0
    assert scores["ces"]["responses"] == 0 and scores["ces"]["score"] is None


def test_page_window(traffic):
    today = date.today()
    w = queries.page_window(db.session, "guide/a", "en", today, today)
    assert (w["views"], w["helpful_yes"], w["helpful_no"]) == (6, 4, 2)
    assert w["stuck_score"] is not None


def test_three_visits_never_outrank_three_thousand(app):
    """Shrinking: a page with 3 bad sessions scores below one with many at the same rate."""
    from portal.insights import score
    def totals(sessions, bad):
        return {"votes_yes": 0, "votes_no": 0, "search_after": bad, "sessions": sessions,
                "pogo": 0, "search_arrivals": 0, "stopped": 0, "scrolled": 0, "loops": 0,
                "dead_ends": 0}
    healthy = [totals(200, 10) for _ in range(8)]
    small, big = totals(3, 3), totals(3000, 1500)
    prior = score.priors([*healthy, small, big])
    w = score.DEFAULT_WEIGHTS
    assert score.total(score.score(small, prior, w, 10)) < \
        score.total(score.score(big, prior, w, 10))


@pytest.mark.parametrize("sort", ["stuck", "views", "title", "helpful", "exit_rate"])
def test_a_slice_of_the_table_is_the_same_rows_as_the_whole_table(traffic, sort):
    """`page_table_slice` (the HTML's hundred rows) builds only the rows it returns, in the
    order and with the contents of the whole table sorted the same way."""
    from portal.insights.filters import parse, sort_rows
    filters = parse({"sort": sort}, ["en", "ko"], date.today())
    whole = sort_rows(queries.page_table(db.session), filters)
    assert len(whole) == 3
    for offset, limit in ((0, 1), (1, 2), (2, 100), (3, 5)):
        total, rows = queries.page_table_slice(db.session, lambda r: sort_rows(r, filters),
                                               offset, limit)
        assert total == len(whole)
        assert rows == whole[offset:offset + limit]


def test_every_row_names_its_drop_off_heading_from_stored_headings(traffic, monkeypatch):
    """The stop headings come with every row's totals (not only the most stuck rows'), and
    their titles from the headings the rollup stored (no Markdown rendered by the report)."""
    from portal.insights import signals
    from portal.insights.models import RevisionHeadings
    queries.page_table(db.session)  # rolls the day up
    assert db.session.query(RevisionHeadings).count() >= 1
    monkeypatch.setattr(queries, "EVIDENCE_ROWS", 0)
    monkeypatch.setattr(signals, "_heading_order", lambda *a: pytest.fail("rendered"))
    [row] = queries.page_table(db.session, lang="ko")
    drop = next(s for s in row["signals"] if s["name"] == "drop_off")
    assert drop["evidence"]["heading"] == HEADINGS[1]
    assert drop["evidence"]["heading_title"] == "설정"
    assert row["signals"][0]["evidence"].get("top_reason") or row["signals"][0]["name"] != "unhelpful"


def test_a_rollup_reads_the_stored_headings_instead_of_rendering(traffic, monkeypatch):
    """A second rollup of the day (a restarted worker: nothing rendered in memory) places
    readers' stops from the headings the first stored, and counts the same."""
    from sqlalchemy import select
    from portal.feedback.rollup import rollup_day
    from portal.insights import signals
    from portal.insights.models import PageSignalDay

    def rows():
        return sorted((r.page, r.lang, r.scrolled, r.completed, r.stopped, r.stops,
                       r.sections_passed) for r in db.session.scalars(select(PageSignalDay)))
    queries.page_table(db.session)  # the first rollup, which renders and stores
    first = rows()
    assert any(r[5] for r in first)
    signals._rendered_headings.cache_clear()
    monkeypatch.setattr(signals, "_heading_places", lambda *a: pytest.fail("rendered"))
    rollup_day(db.session, date.today())
    assert rows() == first
