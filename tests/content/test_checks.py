"""Images without a text alternative, found in a revision's rendered HTML."""
from portal.content.checks import images_without_alt
from portal.content.render import render_markdown


def _missing(markdown):
    return images_without_alt(render_markdown(markdown).html)


def test_markdown_image_with_empty_alt_is_missing():
    assert _missing("![](a.png)") == [{"src": "a.png"}]


def test_markdown_image_with_alt_is_fine():
    assert _missing("![A cat](b.png)") == []


def test_raw_img_without_alt_is_missing():
    assert _missing('<img src="c.png">') == [{"src": "c.png"}]


def test_raw_img_with_empty_alt_is_decorative():
    assert _missing('<img src="d.png" alt="">') == []


def test_all_four_together_in_page_order():
    text = '![](a.png)\n\n![A cat](b.png)\n\n<img src="c.png">\n\n<img src="d.png" alt="">\n'
    assert _missing(text) == [{"src": "a.png"}, {"src": "c.png"}]


def test_labelled_role_img_and_nested_markup():
    html = ('<span role="img" aria-label="">x<em>y</em>.png</span>'
            '<div role="img" aria-label="Chart"><b>z</b></div><p>text</p>')
    assert images_without_alt(html) == [{"src": "xy.png"}]
