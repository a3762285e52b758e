"""Report rows in the shape `portal.insights.queries` returns, for testing the insights UI alone."""
import sys
import types
from datetime import date, timedelta

import pytest

import portal.insights


def page_row(slug, lang, title, views, stuck, yes=3, no=7, section="Tutorial", trend=None):
    """A page-table row with the data helper's keys."""
    total = yes + no
    rate = yes / total if total else None
    return {"slug": slug, "lang": lang, "title": title, "section": section,
            "url": f"/{lang}/docs/{slug}", "views": views, "sessions": views - 1,
            "engaged_seconds_avg": 41.5, "engaged_seconds_median": 37.0, "completion": 0.42,
            "exit_rate": 0.31,
            "helpful": {"yes": yes, "no": no, "rate": rate, "wilson_low": 0.11, "wilson_high": 0.6},
            "stuck_score": stuck, "top_reason": f"42% of readers searched again after {title}",
            "signals": [{"name": "search_after", "label": "Searched after reading", "value": 0.42,
                         "rate": 0.42, "weight": 25, "contribution": 10.5,
                         "evidence": {"searched": 21, "top_query": "docker compose"},
                         "reason": "42% searched again, mostly 'docker compose'"},
                        {"name": "unhelpful", "label": "Not helpful", "value": 0.4, "rate": 0.7,
                         "weight": 30, "contribution": 12.0, "evidence": {"no": 7, "yes": 3},
                         "reason": "7 of 10 votes said no"}],
            "trend": trend or [1, 4, 2, 8], "outdated": lang == "ko"}


def page_detail(slug, lang, today):
    """A page detail with every part the contract names."""
    days = [today - timedelta(days=i) for i in range(6, -1, -1)]
    return {
        "page": {"slug": slug, "lang": lang, "title": "첫 단계" if lang == "ko" else "First steps"},
        "summary": page_row(slug, lang, "First steps", 30, 71.0),
        "daily": [{"day": d, "views": 3 + i, "sessions": 2 + i, "engaged_seconds_avg": 30.0 + i,
                   "helpful_yes": 1, "helpful_no": i % 2, "helpful_rate": None if i == 2 else 0.5,
                   "exits": 1, "stuck_score": 50.0} for i, d in enumerate(days)],
        "revisions": [{"number": 2, "created_at": days[3].isoformat() + "T10:00:00+00:00",
                       "author": "Writer", "message": "Explain the port", "window_days": 3,
                       "before": {"helpful_rate": 0.3, "exits": 9, "stuck_score": 70.0},
                       "after": {"helpful_rate": 0.6, "exits": 4, "stuck_score": 35.0}}],
        "votes": [{"id": 17, "helpful": False, "reason": "unclear", "comment": "포트가 뭔가요?",
                   "created_at": days[5].isoformat(), "engaged_seconds": 12.0, "scroll_depth": 40,
                   "search_query": "docker compose port"}],
        "reasons": {"no:unclear": 4},
        "sections": [{"id": "install", "title": "Install", "reached": 20, "share": 1.0, "stopped": 2,
                      "drop_off": False},
                     {"id": "env", "title": "Environment variables", "reached": 6, "share": 0.3,
                      "stopped": 14, "drop_off": True}],
        "previous_pages": [{"slug": "index", "lang": lang, "title": "Home", "count": 9}],
        "next_pages": [{"slug": "tutorial/path", "lang": lang, "title": "Path", "count": 4}],
        "searches_before": [{"query_key": "install", "example": "install", "count": 5}],
        "searches_after": [{"query_key": "docker compose", "example": "docker compose", "count": 8}],
        "languages": [{"lang": "en", "views": 90, "helpful": {"rate": 0.8}, "completion": 0.7,
                       "stuck_score": 20.0, "outdated": False}],
        "surveys": {"ces": {"score": 3.1, "responses": 12}},
    }


def search_row(key, lang, count, zero):
    """A search-gap row."""
    return {"query_key": key, "example": key, "lang": lang, "count": count, "zero_results": zero,
            "clicks": 1, "ctr": round(1 / count, 4), "trend": [1, 0, 2], "languages": [lang],
            "end_pages": [{"slug": "tutorial/first-steps", "count": 2}]}


PAGES = [page_row("tutorial/first-steps", "ko", "첫 단계", 30, 71.0),
         page_row("tutorial/first-steps", "en", "First steps", 120, 2.0, yes=40, no=2,
                  section="Tutorial"),
         page_row("deployment/docker", "en", "Docker", 55, 48.5, section="Deployment")]
SEARCHES = [search_row("docker compose", "en", 9, 9), search_row("포트", "ko", 4, 2)]


def fake_queries(today):
    """A stand-in for `portal.insights.queries` that filters the fixed rows like the real one."""
    module = types.ModuleType("portal.insights.queries")
    module.calls = []

    def page_table(db_session, lang=None, start=None, end=None, section=None):
        module.calls.append(("page_table", lang, start, end, section))
        return [dict(r) for r in PAGES if (lang is None or r["lang"] == lang)
                and (section is None or r["section"] == section)]

    def detail(db_session, slug, lang, start=None, end=None):
        module.calls.append(("page_detail", slug, lang, start, end))
        known = {(r["slug"], r["lang"]) for r in PAGES}
        return page_detail(slug, lang, today) if (slug, lang) in known else None

    def search_gaps(db_session, lang=None, start=None, end=None):
        return [dict(r) for r in SEARCHES if lang is None or r["lang"] == lang]

    def survey_scores(db_session, lang=None, start=None, end=None):
        return {"ces": {"enabled": True, "score": 3.2, "responses": 14, "trend": [2, 5, 7]},
                "nps": {"enabled": False, "score": None, "responses": 0, "trend": []}}

    module.page_table, module.page_detail = page_table, detail
    module.search_gaps, module.survey_scores = search_gaps, survey_scores
    return module


@pytest.fixture
def fake_reports(monkeypatch):
    """Install the stand-in reports; returns the module (its `calls` list records calls)."""
    module = fake_queries(date.today())
    monkeypatch.setitem(sys.modules, "portal.insights.queries", module)
    monkeypatch.setattr(portal.insights, "queries", module, raising=False)
    return module
