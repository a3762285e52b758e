"""The insights JSON API and CSV exports: access, filters, shapes, errors."""
import csv
import io
from datetime import date, timedelta

import pytest

from tests.insights.fakes import fake_reports  # noqa: F401  (fixture)

URLS = ["/api/v1/insights/pages", "/api/v1/insights/pages.csv",
        "/api/v1/insights/pages/tutorial/first-steps?lang=ko", "/api/v1/insights/searches",
        "/api/v1/insights/searches.csv", "/api/v1/insights/surveys",
        "/api/v1/insights/surveys.csv", "/api/v1/insights/journeys"]


def _csv(response):
    body = response.data.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


@pytest.mark.parametrize("url", URLS)
def test_anonymous_gets_401_json(client, fake_reports, url):
    response = client.get(url)
    assert response.status_code == 401 and response.json["error"]


@pytest.mark.parametrize("role", ["reader", "writer"])
@pytest.mark.parametrize("url", URLS)
def test_lower_roles_get_403_json(client, login_as, fake_reports, role, url):
    login_as(role)
    response = client.get(url)
    assert response.status_code == 403 and "owner" in response.json["error"]


def test_bearer_token_of_an_owner_works(app, client, make_user, fake_reports):
    from portal.auth.operations import create_token
    from portal.extensions import db
    token = create_token(db.session, make_user("owner"))
    db.session.commit()
    response = client.get("/api/v1/insights/pages?lang=ko", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert [(p["slug"], p["lang"]) for p in response.json["pages"]] == [("tutorial/first-steps", "ko")]
    reader_token = create_token(db.session, make_user("reader"))
    db.session.commit()
    assert client.get("/api/v1/insights/pages",
                      headers={"Authorization": f"Bearer {reader_token}"}).status_code == 403


def test_pages_json_passes_filters_and_keeps_the_contract(client, login_as, fake_reports):
    login_as("owner")
    response = client.get("/api/v1/insights/pages?from=2026-01-01&to=2026-01-31&section=Tutorial")
    assert fake_reports.calls[-1] == ("page_table", None, date(2026, 1, 1), date(2026, 1, 31), "Tutorial")
    pages = response.json["pages"]
    assert [p["stuck_score"] for p in pages] == [71.0, 2.0]
    first = pages[0]
    for key in ("slug", "lang", "title", "views", "sessions", "engaged_seconds_avg", "completion",
                "exit_rate", "stuck_score", "signals"):
        assert key in first
    assert set(first["helpful"]) >= {"yes", "no", "rate", "wilson_low"}
    assert first["signals"][0]["evidence"] and "sparkline" not in first


@pytest.mark.parametrize("query, message", [
    ("lang=xx", "Unknown language “xx”; use one of: en, ko, es, ja."),
    ("from=2026-13-01", "“2026-13-01” is not a date"),
    ("from=2026-02-01&to=2026-01-31", "The start date (2026-02-01) is after the end date (2026-01-31)."),
])
@pytest.mark.parametrize("path", ["pages", "pages.csv", "searches", "searches.csv"])
def test_bad_filters_get_422_with_a_message(client, login_as, fake_reports, query, message, path):
    login_as("owner")
    response = client.get(f"/api/v1/insights/{path}?{query}")
    assert response.status_code == 422 and message in response.json["error"]


def test_pages_csv_is_an_excel_friendly_attachment(client, login_as, fake_reports):
    login_as("owner")
    response = client.get("/api/v1/insights/pages.csv?lang=ko")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="insights-pages.csv"'
    rows = _csv(response)
    assert len(rows) == 1
    row = rows[0]
    assert (row["slug"], row["lang"], row["title"]) == ("tutorial/first-steps", "ko", "첫 단계")
    assert (row["helpful_yes"], row["helpful_no"], row["helpful_rate"]) == ("3", "7", "0.3")
    assert row["signals"] == "search_after=0.42; unhelpful=0.4"
    assert row["trend"] == "1 4 2 8" and row["outdated"] == "true"


def test_page_detail_json_and_csv(client, login_as, fake_reports):
    login_as("owner")
    detail = client.get("/api/v1/insights/pages/tutorial/first-steps?lang=ko").json
    assert detail["page"]["title"] == "첫 단계" and detail["votes"][0]["id"] == 17
    assert detail["daily"][-1]["day"] == date.today().isoformat()  # ISO dates, not RFC 822
    rows = _csv(client.get("/api/v1/insights/pages/tutorial/first-steps.csv?lang=ko"))
    assert len(rows) == 7 and rows[-1]["day"] == date.today().isoformat()
    assert rows[0]["views"] == "3" and rows[2]["helpful_rate"] == ""
    missing = client.get("/api/v1/insights/pages/no/such?lang=ko")
    assert missing.status_code == 404 and "no/such" in missing.json["error"]


def test_page_detail_defaults_to_the_source_language(client, login_as, fake_reports):
    login_as("owner")
    client.get("/api/v1/insights/pages/tutorial/first-steps")
    assert fake_reports.calls[-1][:3] == ("page_detail", "tutorial/first-steps", "en")
    today = date.today()
    assert fake_reports.calls[-1][3:] == (today - timedelta(days=27), today)


def test_searches_json_and_csv(client, login_as, fake_reports):
    login_as("owner")
    searches = client.get("/api/v1/insights/searches").json["searches"]
    assert [s["query_key"] for s in searches] == ["docker compose", "포트"]
    assert set(searches[0]) >= {"query_key", "example", "lang", "count", "zero_results", "clicks", "ctr"}
    rows = _csv(client.get("/api/v1/insights/searches.csv?lang=ko"))
    assert [(r["query_key"], r["count"], r["zero_results"], r["end_pages"]) for r in rows] == \
        [("포트", "4", "2", "tutorial/first-steps")]


def test_surveys_json(client, login_as, fake_reports):
    login_as("owner")
    surveys = client.get("/api/v1/insights/surveys").json["surveys"]
    assert {s["kind"]: s["responses"] for s in surveys} == {"ces": 14, "nps": 0}


def test_missing_reports_answer_503_not_500(client, login_as, monkeypatch):
    import portal.insights.reports as reports
    monkeypatch.setattr(reports, "available", lambda name: None)
    login_as("owner")
    for url in ("/api/v1/insights/pages", "/api/v1/insights/pages.csv",
                "/api/v1/insights/pages/x?lang=en", "/api/v1/insights/searches"):
        response = client.get(url)
        assert response.status_code == 503 and "not available" in response.json["error"]
