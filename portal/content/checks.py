"""Checks on a revision's rendered HTML that tell writers what readers will miss.

They only report: the portal never invents a text alternative for an image.
"""
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


def images_without_alt(html):
    """The images in rendered `html` that have no text alternative, as [{"src": ...}] in order.

    - `<img>` (raw HTML in the page) without an `alt` attribute is missing; an explicit
      `alt=""` marks the image as decorative and is fine.
    - A Markdown image `![](x.png)` is missing too, although Python-Markdown gives it
      `alt=""`: Markdown has no other way to leave the alt out, so an empty one is far
      more likely forgotten than chosen. The renderer replaces Markdown images it does
      not serve with a placeholder: one labelled with the alt text, or, without alt text,
      a `no-alt` one holding the file's name (the path is not kept), reported with that
      name as its `src`. An unlabelled `role="img"` element counts as missing too.
    """
    finder = _MissingAlt()
    finder.feed(html)
    finder.close()
    return [{"src": src} for src in finder.found]


class _MissingAlt(HTMLParser):
    """Collects the `src` of images without alt text while walking the HTML once."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self._placeholder = None  # text of an unlabelled role="img" element being read
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._placeholder is not None:
            self._depth += tag not in VOID
        elif tag == "img":
            if "alt" not in attrs:
                self.found.append(attrs.get("src") or "")
        elif ((attrs.get("role") == "img" and not _labelled(attrs))
              or "no-alt" in (attrs.get("class") or "").split()):
            self._placeholder, self._depth = [], 0

    def handle_endtag(self, tag):
        if self._placeholder is None or tag in VOID:
            return
        if self._depth:
            self._depth -= 1
            return
        self.found.append("".join(self._placeholder).strip())
        self._placeholder = None

    def handle_data(self, data):
        if self._placeholder is not None:
            self._placeholder.append(data)


def _labelled(attrs):
    """True when an element has a non-blank accessible name from its attributes."""
    return any((attrs.get(name) or "").strip() for name in ("aria-label", "aria-labelledby", "title"))
