"""HTML, JSON and CSV page tables (and search gaps) carry the same numbers for the same filters."""
import csv
import io
import re

import pytest

from tests.insights.fakes import fake_reports  # noqa: F401  (fixture)

FILTERS = ["", "lang=ko", "lang=en&sort=views&dir=asc", "section=Deployment&days=90",
           "from=2026-01-01&to=2026-03-31&sort=helpful"]


def _html_pages(html):
    body = html.split('id="pages-table"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        link = re.search(r'href="/insights/pages/([\w-]+)/([^"?]+)', tr)
        values = re.findall(r'data-value="([^"]*)"', tr)
        yes_no = re.search(r"(\d+) yes / (\d+) no", tr)
        rows.append((link.group(2), link.group(1), int(values[0]), int(values[1]),
                     int(yes_no.group(1)), int(yes_no.group(2)), round(float(values[6]))))
    return rows


def _json_pages(pages):
    return [(p["slug"], p["lang"], p["views"], p["sessions"], p["helpful"]["yes"],
             p["helpful"]["no"], round(p["stuck_score"])) for p in pages]


def _csv_pages(body):
    reader = csv.DictReader(io.StringIO(body.decode("utf-8").lstrip("\ufeff")))
    return [(r["slug"], r["lang"], int(r["views"]), int(r["sessions"]), int(r["helpful_yes"]),
             int(r["helpful_no"]), round(float(r["stuck_score"]))) for r in reader]


def assert_page_tables_agree(client, query):
    """The three formats of the page table list the same rows in the same order."""
    html = _html_pages(client.get(f"/insights/?{query}").get_data(as_text=True))
    json_rows = _json_pages(client.get(f"/api/v1/insights/pages?{query}").json["pages"])
    csv_rows = _csv_pages(client.get(f"/api/v1/insights/pages.csv?{query}").data)
    assert html == json_rows == csv_rows
    return html


@pytest.mark.parametrize("query", FILTERS)
def test_page_tables_agree(client, login_as, fake_reports, query):
    login_as("owner")
    rows = assert_page_tables_agree(client, query)
    assert rows or "section" in query


def test_the_html_links_to_exports_of_the_same_filters(client, login_as, fake_reports):
    login_as("owner")
    html = client.get("/insights/?lang=ko&days=7&sort=views").get_data(as_text=True)
    csv_link = re.search(r'href="(/api/v1/insights/pages\.csv\?[^"]+)"', html).group(1).replace("&amp;", "&")
    json_link = re.search(r'href="(/api/v1/insights/pages\?[^"]+)"', html).group(1).replace("&amp;", "&")
    assert _csv_pages(client.get(csv_link).data) == _html_pages(html)
    assert _json_pages(client.get(json_link).json["pages"]) == _html_pages(html)


def assert_search_tables_agree(client, query):
    """The three formats of search gaps list the same counts in the same order."""
    html = client.get(f"/insights/searches?{query}").get_data(as_text=True)
    body = html.split('id="searches-table"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    html_rows = [tuple(int(v) for v in re.findall(r'data-value="(\d+)"', tr)[:3])
                 for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    json_rows = [(s["count"], s["zero_results"], s["clicks"])
                 for s in client.get(f"/api/v1/insights/searches?{query}").json["searches"]]
    reader = csv.DictReader(io.StringIO(
        client.get(f"/api/v1/insights/searches.csv?{query}").data.decode("utf-8").lstrip("\ufeff")))
    csv_rows = [(int(r["count"]), int(r["zero_results"]), int(r["clicks"])) for r in reader]
    assert html_rows == json_rows == csv_rows
    return html_rows


def test_search_tables_agree(client, login_as, fake_reports):
    login_as("owner")
    assert assert_search_tables_agree(client, "") == [(9, 9, 1), (4, 2, 1)]
    assert assert_search_tables_agree(client, "lang=ko") == [(4, 2, 1)]


@pytest.fixture
def real_traffic(client, make_docs, import_docs):
    """A little traffic through the public APIs, rolled up by the real reports."""
    from tests.insights.scenario import HEADINGS, Reader, docs_tree
    slugs = ["guide/install", "guide/upload", "guide/deploy"]
    import_docs(make_docs(docs_tree(slugs)))
    for i in range(8):
        for lang in ("en", "ko"):
            r = Reader(client, lang)
            r.read("guide/install", ref="direct", seconds=30 + i, vote=(lang == "en"),
                   reason=None if lang == "en" else "unclear", depth=40, section=HEADINGS[1])
            found = r.search("zzyzx nothing" if i % 2 else "guide upload", from_page="guide/install")
            if found["results"]:
                r.read(found["results"][0]["slug"], ref="search", search_id=found["search_id"],
                       seconds=50)
            r.read("guide/deploy", seconds=20, from_page="guide/install")
    return slugs


@pytest.mark.parametrize("query", ["", "lang=ko", "lang=en&sort=views", "days=7&sort=title"])
def test_page_tables_agree_on_real_traffic(client, login_as, real_traffic, query):
    login_as("owner")
    rows = assert_page_tables_agree(client, query)
    assert {slug for slug, *_ in rows} >= {"guide/install", "guide/deploy"}
    if query == "lang=ko":
        assert rows[0][0] == "guide/install" and rows[0][5] == 8  # eight "no" votes, most stuck


def test_page_detail_and_search_gaps_render_real_reports(client, login_as, real_traffic):
    login_as("owner")
    html = client.get("/insights/pages/ko/guide/install").get_data(as_text=True)
    assert html.count('class="chart line-chart"') == 3 and "Not helpful" in html
    assert "Survey scores on this page" not in html  # no survey answered: no empty table
    detail = client.get("/api/v1/insights/pages/guide/install?lang=ko").json
    assert detail["summary"]["helpful"]["no"] == 8
    assert f'{detail["summary"]["views"]}</dd>' in html
    searches = client.get("/api/v1/insights/searches").json["searches"]
    gap = next(s for s in searches if s["zero_results"])
    assert gap["example"] == "zzyzx nothing"
    page = client.get("/insights/searches").get_data(as_text=True)
    assert "“zzyzx nothing”" in page
    for query in ("", "lang=ko"):
        assert assert_search_tables_agree(client, query)


@pytest.fixture
def many_rows(app):
    """130 pages with daily rollup rows (written directly: the HTML table pages at 100 rows)."""
    from datetime import date, timedelta
    import random
    from portal.feedback.models import PageDay
    from portal.insights import totals
    from portal.insights.models import PageSignalDay
    from portal.extensions import db
    rng = random.Random(5)
    first = date.today() - timedelta(days=5)
    for i in range(130):
        for d in range(5):
            day, views = first + timedelta(days=d), rng.randint(1, 60)
            db.session.add(PageDay(day=day, page=f"p/{i:03d}", lang=rng.choice(("en", "ko")) if d == 0 else "en",
                                   views=views, sessions=views, engaged_seconds=10.0 * views,
                                   exits=rng.randint(0, views), votes_yes=rng.randint(0, 3),
                                   votes_no=rng.randint(0, 3), reasons={"no:unclear": 1},
                                   scroll_histogram=[], section_reach={}))
            db.session.add(PageSignalDay(day=day, page=f"p/{i:03d}", lang="en", sessions=views,
                                         search_arrivals=rng.randint(0, 9), search_after=rng.randint(0, 9),
                                         pogo=rng.randint(0, 3), dead_ends=rng.randint(0, 3),
                                         loops=rng.randint(0, 3), scrolled=views,
                                         completed=rng.randint(0, views), stopped=0, stops={},
                                         sections_passed={}, engaged=[], engaged_median=12.5,
                                         details={}))
    db.session.flush()
    totals.rebuild(db.session, first)
    db.session.commit()


@pytest.mark.parametrize("query", ["", "sort=views", "sort=title&dir=desc", "lang=en&sort=helpful"])
def test_every_hundred_rows_of_the_html_are_the_json_rows(client, login_as, many_rows, query):
    """The HTML builds only the hundred rows it shows; each page of it is the same slice of
    the JSON and CSV tables."""
    login_as("owner")
    json_rows = _json_pages(client.get(f"/api/v1/insights/pages?{query}").json["pages"])
    assert len(json_rows) > 100
    assert _csv_pages(client.get(f"/api/v1/insights/pages.csv?{query}").data) == json_rows
    for number in (1, 2):
        html = _html_pages(client.get(f"/insights/?{query}&p={number}").get_data(as_text=True))
        assert html == json_rows[(number - 1) * 100:number * 100]
