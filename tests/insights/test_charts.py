"""charts.py alone: SVG with accessible names, descriptions, markers and values as text."""
import re
import xml.etree.ElementTree as ET

from portal.insights import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg):
    return ET.fromstring(str(svg))


def test_sparkline_names_itself_and_lists_values():
    root = _parse(charts.sparkline([1, 5, 2], "Views per day of Install"))
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Views per day of Install"
    assert root.find(f"{SVG}title").text == "Views per day of Install"
    assert root.find(f"{SVG}desc").text == "Views per day of Install: 1, 5, 2"
    points = root.find(f"{SVG}polyline").get("points").split()
    assert len(points) == 3
    ys = [float(p.split(",")[1]) for p in points]
    assert ys[1] < ys[2] < ys[0]  # the largest value is drawn highest


def test_sparkline_of_nothing_is_still_a_named_image():
    root = _parse(charts.sparkline([], "No data"))
    assert root.get("aria-label") == "No data" and root.find(f"{SVG}polyline") is None


def test_labels_are_escaped():
    svg = str(charts.sparkline([1], 'A <b>"quoted"</b> & title'))
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "&amp;" in svg
    _parse(svg)  # still well-formed


def test_line_chart_marks_revisions_with_dashed_labelled_lines():
    points = [("11-01", 3), ("11-02", None), ("11-03", 9), ("11-04", 4)]
    root = _parse(charts.line_chart(points, "Views per day",
                                    markers=[(2, "r2", "Revision 2 published on 2026-11-03")]))
    markers = root.findall(f"{SVG}g[@class='chart-marker']")
    assert len(markers) == 1
    assert markers[0].find(f"{SVG}text").text == "r2"
    assert markers[0].find(f"{SVG}line").get("stroke-dasharray")
    assert markers[0].find(f"{SVG}title").text == "Revision 2 published on 2026-11-03"
    # The gap splits the line in two; every present value gets a square marker.
    assert len(root.findall(f"{SVG}polyline")) == 2
    assert len(root.findall(f"{SVG}rect[@class='chart-point']")) == 3
    desc = root.find(f"{SVG}desc").text
    assert "11-02: –" in desc and "11-03: 9" in desc and "r2: Revision 2" in desc


def test_line_chart_ignores_markers_outside_the_range_and_formats_values():
    root = _parse(charts.line_chart([("a", 0.5), ("b", 0.25)], "Helpful rate",
                                    markers=[(9, "r9", "later")],
                                    value_format=lambda v: f"{v * 100:.0f}%"))
    assert root.findall(f"{SVG}g[@class='chart-marker']") == []
    assert "a: 50%; b: 25%" in root.find(f"{SVG}desc").text
    ticks = [t.text for t in root.findall(f"{SVG}text[@class='chart-tick']")]
    assert "50%" in ticks


def test_bar_chart_writes_each_value_and_note_as_text():
    svg = charts.bar_chart([("Install", 100, "20 sessions"), ("Environment variables", 30, None)],
                           "Share of readers who reached each section")
    root = _parse(svg)
    values = [t.text for t in root.findall(f"{SVG}text[@class='chart-value']")]
    assert values == ["100 (20 sessions)", "30"]
    widths = [float(r.get("width")) for r in root.findall(f"{SVG}rect[@class='chart-bar']")]
    assert widths[0] == charts.BAR_W and abs(widths[1] - 0.3 * charts.BAR_W) < 0.01
    assert root.find(f"{SVG}desc").text == "Install: 100 (20 sessions); Environment variables: 30"


def test_long_bar_labels_are_clipped_but_the_description_keeps_them():
    name = "A very long section title that goes on and on"
    root = _parse(charts.bar_chart([(name, 1, None)], "Reach"))
    assert root.find(f"{SVG}text[@class='chart-label']").text.endswith("…")
    assert name in root.find(f"{SVG}desc").text


def test_numbers_are_short():
    assert charts._fmt(1234) == "1,234" and charts._fmt(2.345) == "2.3" and charts._fmt(None) == "–"
    assert re.fullmatch(r"[\d,]+", charts._fmt(3.0))


def test_sparkline_breaks_at_days_without_data():
    root = _parse(charts.sparkline([2, None, 3, 4], "CES per day"))
    assert len(root.findall(f"{SVG}polyline")) == 2
    assert root.find(f"{SVG}desc").text == "CES per day: 2, –, 3, 4"
    assert _parse(charts.sparkline([None, None], "Nothing")).find(f"{SVG}circle") is None
