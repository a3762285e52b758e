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


def test_search_tables_agree(client, login_as, fake_reports):
    login_as("owner")
    for query in ("", "lang=ko"):
        html = client.get(f"/insights/searches?{query}").get_data(as_text=True)
        body = html.split('id="searches-table"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        html_rows = [tuple(int(v) for v in re.findall(r'data-value="(\d+)"', tr)[:3])
                     for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
        json_rows = [(s["count"], s["zero_results"], s["clicks"])
                     for s in client.get(f"/api/v1/insights/searches?{query}").json["searches"]]
        reader = csv.DictReader(io.StringIO(
            client.get(f"/api/v1/insights/searches.csv?{query}").data.decode("utf-8").lstrip("\ufeff")))
        csv_rows = [(int(r["count"]), int(r["zero_results"]), int(r["clicks"])) for r in reader]
        assert html_rows == json_rows == csv_rows and html_rows
