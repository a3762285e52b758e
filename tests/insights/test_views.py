"""The owners' insights pages: access, filters, sorting, links and what each page shows."""
import re
from datetime import date, timedelta

import pytest

from tests.insights.fakes import fake_reports  # noqa: F401  (fixture)

PAGES = ["/insights/", "/insights/pages/ko/tutorial/first-steps", "/insights/searches",
         "/insights/journeys", "/insights/surveys", "/insights/funnels/new"]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_readers_are_sent_to_sign_in(client, fake_reports, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["reader", "writer"])
@pytest.mark.parametrize("url", PAGES)
def test_readers_and_writers_get_403(client, login_as, fake_reports, role, url):
    login_as(role)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", ["owner", "admin"])
@pytest.mark.parametrize("url", PAGES)
def test_owners_and_admins_see_every_page(client, login_as, fake_reports, role, url):
    login_as(role)
    html = client.get(url).get_data(as_text=True)
    assert client.get(url).status_code == 200
    assert 'aria-label="Insights"' in html and "<h1>" in html


def _rows(html):
    body = html.split('id="pages-table"', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'href="/insights/pages/(\w+)/([\w/-]+)', body)


def test_page_table_is_ranked_by_stuck_score_with_its_figures(client, login_as, fake_reports):
    login_as("owner")
    html = client.get("/insights/").get_data(as_text=True)
    assert _rows(html) == [("ko", "tutorial/first-steps"), ("en", "deployment/docker"),
                           ("en", "tutorial/first-steps")]
    assert "<strong>71</strong>" in html and "42% of readers searched again after 첫 단계" in html
    assert "3 yes / 7 no" in html and "95% interval 11%–60%" in html
    assert "37 s" in html and "42%" in html and "31%" in html
    assert html.count('class="chart sparkline"') == 3
    assert 'aria-label="Views per day of 첫 단계"' in html


def test_sort_links_work_without_javascript(client, login_as, fake_reports):
    login_as("owner")
    html = client.get("/insights/?sort=views").get_data(as_text=True)
    assert [s for _, s in _rows(html)] == ["tutorial/first-steps", "deployment/docker",
                                           "tutorial/first-steps"]
    assert _rows(html)[0][0] == "en"  # 120 views first
    assert 'aria-sort="descending"' in html
    assert 'href="/insights/?sort=views&amp;dir=asc"' in html  # clicking again reverses
    asc = client.get("/insights/?sort=views&dir=asc").get_data(as_text=True)
    assert _rows(asc) == list(reversed(_rows(html)))
    assert client.get("/insights/?sort=bogus").status_code == 200


def test_filters_go_to_the_report_and_into_every_link(client, login_as, fake_reports):
    login_as("owner")
    html = client.get("/insights/?lang=ko&days=7").get_data(as_text=True)
    today = date.today()
    assert fake_reports.calls[-1] == ("page_table", "ko", today - timedelta(days=6), today, None)
    assert _rows(html) == [("ko", "tutorial/first-steps")]
    assert '<option value="ko" selected>' in html and '<option value="7" selected>' in html
    assert 'href="/api/v1/insights/pages.csv?lang=ko&amp;days=7"' in html
    assert 'href="/api/v1/insights/pages?lang=ko&amp;days=7"' in html
    assert 'href="/insights/pages/ko/tutorial/first-steps?days=7"' in html
    html = client.get("/insights/?section=Deployment&from=2026-01-01&to=2026-01-31").get_data(as_text=True)
    assert fake_reports.calls[-1] == ("page_table", None, date(2026, 1, 1), date(2026, 1, 31), "Deployment")
    assert _rows(html) == [("en", "deployment/docker")]
    assert '<option value="Deployment" selected>' in html


@pytest.mark.parametrize("query, message", [
    ("from=2026-02-01&to=2026-01-31", "The start date (2026-02-01) is after the end date (2026-01-31)."),
    ("from=yesterday", "“yesterday” is not a date; write it as YYYY-MM-DD"),
    ("days=5", "Choose a period of 7, 28 or 90 days"),
    ("lang=xx", "Unknown language “xx”"),
    ("from=2020-01-01&to=2026-01-01", "at most 400 days"),
])
def test_bad_filters_are_explained_next_to_the_form(client, login_as, fake_reports, query, message):
    login_as("owner")
    response = client.get("/insights/?" + query)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'role="alert"' in html and message in html.replace("&#34;", '"')
    assert 'aria-invalid="true"' in html


def test_create_task_links_only_for_stuck_rows(client, login_as, fake_reports):
    login_as("owner")
    html = client.get("/insights/").get_data(as_text=True)
    links = re.findall(r'href="(/write/tasks/new\?[^"]+)"', html)
    assert len(links) == 2  # scores 71 and 48.5; 2 is below the threshold
    assert "page=tutorial%2Ffirst-steps&amp;lang=ko&amp;title=" in links[0]
    assert "evidence=stuck%3Ako%3Atutorial%2Ffirst-steps" in links[0]


def test_page_detail_shows_charts_with_names_and_tables(client, login_as, fake_reports):
    login_as("owner")
    html = client.get("/insights/pages/ko/tutorial/first-steps").get_data(as_text=True)
    assert "<h1>첫 단계 (ko)</h1>" in html
    for name in ("Views per day", "Helpful rate per day", "Average engaged time per day"):
        assert f'role="img" aria-label="{name}"' in html
    assert html.count('class="chart-marker"') == 3 and ">r2</text>" in html  # revision on each chart
    assert html.count("<details><summary>") == 3
    assert "30% → 60%" in html and "70 → 35" in html and "Explain the port" in html
    assert ('<td>Not helpful</td><th scope="row">It is hard to understand</th>'
            '<td class="num">4</td>') in html
    assert "포트가 뭔가요?" in html and "12 s" in html and "40%" in html and "docker compose port" in html
    assert "evidence=vote%3A17" in html
    assert 'Environment variables <strong class="badge">Most readers stop here</strong>' in html
    assert html.count("Most readers stop here") == 1 and '<td class="num">14</td>' in html
    assert 'aria-label="Share of readers who reached each section, in percent"' in html
    assert "“docker compose” — 8 searches" in html and "“install” — 5 searches" in html
    assert "Home</a> — 9 sessions" in html and "Path</a> — 4 sessions" in html
    assert 'href="/insights/pages/en/tutorial/first-steps"' in html
    assert "42% searched again, mostly" in html and "Searched after reading" in html  # in words
    assert "{&#39;searched&#39;" not in html  # the evidence dict stays in the JSON
    assert ">CES</th><td class=\"num\">3.1</td>" in html
    assert 'href="/api/v1/insights/pages/tutorial/first-steps.csv?lang=ko"' in html


def test_page_detail_of_an_unknown_page_is_404(client, login_as, fake_reports):
    login_as("owner")
    assert client.get("/insights/pages/en/no/such/page").status_code == 404
    assert client.get("/insights/pages/xx/tutorial/first-steps").status_code == 404


def test_search_gaps_list_queries_with_task_links(client, login_as, fake_reports):
    login_as("owner")
    html = client.get("/insights/searches?lang=ko").get_data(as_text=True)
    assert "“포트”" in html and "docker compose" not in html.split('id="searches-table"')[1]
    assert "evidence=search_gap%3Ako%3A%ED%8F%AC%ED%8A%B8" in html
    assert 'href="/api/v1/insights/searches.csv?lang=ko"' in html


def test_surveys_show_scores_and_responses(client, login_as, fake_reports):
    login_as("owner")
    html = client.get("/insights/surveys").get_data(as_text=True)
    assert ">CES</th><td>yes</td>" in html and ">3.2</td>" in html and ">14</td>" in html
    assert 'aria-label="Score per day of CES"' in html


def test_ui_follows_the_browser_not_the_language_filter(client, login_as, fake_reports):
    login_as("owner")
    html = client.get("/insights/?lang=ko", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en"' in html and "Where readers get stuck" in html


def test_pages_say_so_when_the_reports_are_missing(client, login_as, monkeypatch):
    import portal.insights.reports as reports
    monkeypatch.setattr(reports, "available", lambda name: None)
    login_as("owner")
    for url in ("/insights/", "/insights/searches", "/insights/surveys",
                "/insights/pages/en/anything"):
        response = client.get(url)
        assert response.status_code == 200
        assert "This report is not available yet" in response.get_data(as_text=True)


def test_ranked_lists_take_mappings_pairs_or_dicts():
    from portal.insights.views import _ranked
    assert _ranked({"a": 1, "b": 5}, "slug") == [{"slug": "b", "count": 5}, {"slug": "a", "count": 1}]
    assert _ranked([("q", 2)], "query_key") == [{"query_key": "q", "count": 2}]
    assert _ranked([{"slug": "x", "count": 1}], "slug") == [{"slug": "x", "count": 1}]
    assert _ranked(None, "slug") == []


def test_the_html_table_shows_a_hundred_rows_a_page(client, login_as, fake_reports, monkeypatch):
    import tests.insights.fakes as fakes
    from tests.insights.fakes import page_row
    rows = [page_row(f"p/{i:03d}", "en", f"Page {i}", 10, float(250 - i)) for i in range(250)]
    monkeypatch.setattr(fakes, "PAGES", rows)
    login_as("owner")
    first = client.get("/insights/").get_data(as_text=True)
    assert [s for _, s in _rows(first)] == [f"p/{i:03d}" for i in range(100)]
    assert "250 pages (rows 1 to 100)" in first and 'href="/insights/?p=2" rel="next"' in first
    last = client.get("/insights/?p=3").get_data(as_text=True)
    assert [s for _, s in _rows(last)] == [f"p/{i:03d}" for i in range(200, 250)]
    assert "(rows 201 to 250)" in last and 'rel="next"' not in last and 'href="/insights/?p=2" rel="prev"' in last
    assert len(client.get("/api/v1/insights/pages").json["pages"]) == 250  # exports carry all
    assert client.get("/insights/?p=zero").status_code == 200


def test_section_menu_lists_every_docs_section(client, login_as, fake_reports, make_docs, import_docs):
    import_docs(make_docs({"en/guide/a.md": "# A\n", "en/tutorial/b.md": "# B\n"}))
    login_as("owner")
    html = client.get("/insights/?section=Deployment").get_data(as_text=True)
    options = re.findall(r'<option value="([^"]*)"[^>]*>', html.split('id="f-section"')[1].split("</select>")[0])
    assert "Deployment" in options and len(options) >= 3
