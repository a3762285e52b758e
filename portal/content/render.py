"""Markdown to safe HTML: MkDocs-flavoured syntax, highlighting, anchors, sanitising."""
import posixpath
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from xml.etree import ElementTree as etree

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

RENDER_VERSION = 3
ADMONITION_TYPES = ["note", "attention", "caution", "danger", "error", "tip", "hint",
                    "warning", "info", "check", "important", "success", "question",
                    "failure", "bug", "example", "quote", "abstract", "todo"]
INCLUDE = re.compile(r"^([ \t]*)\{\*\s*(.*?)\s*\*\}[ \t]*$", re.M)
JINJA_BLOCK = re.compile(r"\{%-?.*?-?%\}", re.S)
BLOCK_START = re.compile(r"^([ \t]*)(/{3,})[ \t]*([\w-]+)(.*)$", re.M)
KNOWN_BLOCKS = set(ADMONITION_TYPES) | {"details", "tab", "html", "admonition"}

ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) | {"input", "label", "section", "main", "figure",
                                        "figcaption", "svg", "path", "button"}
ALLOWED_TAGS -= {"svg", "path", "button"}
GLOBAL_ATTRS = {"class", "id", "title", "lang", "dir", "role", "aria-label", "aria-hidden",
                "data-kind", "data-path"}
ALLOWED_ATTRS = {tag: set(attrs) | GLOBAL_ATTRS for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
for _tag in ALLOWED_TAGS:
    ALLOWED_ATTRS.setdefault(_tag, set(GLOBAL_ATTRS))
ALLOWED_ATTRS["input"] |= {"type", "name", "checked", "disabled"}
ALLOWED_ATTRS["label"] |= {"for"}
ALLOWED_ATTRS["details"] |= {"open"}
ALLOWED_ATTRS["ol"] |= {"start"}
URL_SCHEMES = {"http", "https", "mailto"}


@dataclass
class Rendered:
    """The result of rendering one revision."""

    html: str
    toc: list = field(default_factory=list)  # [{"id", "name", "level", "children"}]
    headings: list = field(default_factory=list)  # flat [(level, id, text)]
    text: str = ""  # plain text for search snippets


class _LinkRewriter(Treeprocessor):
    """Rewrites links to `.md` files into portal URLs; replaces images we cannot serve."""

    def __init__(self, md, slug, lang, url_prefix):
        super().__init__(md)
        self.slug, self.lang, self.url_prefix = slug, lang, url_prefix

    def run(self, root):
        for parent in root.iter():
            for i, el in enumerate(list(parent)):
                if el.tag == "a" and el.get("href"):
                    el.set("href", self.rewrite(el.get("href")))
                elif el.tag == "img":
                    parent.remove(el)
                    parent.insert(i, self.placeholder(el))

    def rewrite(self, href):
        if "://" in href or href.startswith(("#", "/", "mailto:")):
            return href
        path, _, fragment = href.partition("#")
        if not path.endswith(".md"):
            return href
        base = posixpath.dirname(self.slug)
        target = posixpath.normpath(posixpath.join(base, path[:-3]))
        if target.startswith(".."):
            return href
        return f"{self.url_prefix}/{self.lang}/docs/{target}" + (f"#{fragment}" if fragment else "")

    @staticmethod
    def placeholder(img):
        span = etree.Element("span", {"class": "missing-image", "role": "img",
                                      "aria-label": img.get("alt") or ""})
        span.text = img.get("alt") or posixpath.basename(img.get("src") or "")
        return span


class _PortalExtension(Extension):
    def __init__(self, slug, lang, url_prefix):
        super().__init__()
        self.slug, self.lang, self.url_prefix = slug, lang, url_prefix

    def extendMarkdown(self, md):
        md.treeprocessors.register(_LinkRewriter(md, self.slug, self.lang, self.url_prefix),
                                   "portal_links", 5)


def _preprocess(text):
    """Degrade syntax Signpost cannot resolve into neutral placeholders or text."""
    text = INCLUDE.sub(lambda m: f'{m.group(1)}<div class="placeholder" data-kind="include">'
                       f'<code>{_escape(m.group(2))}</code></div>', text)
    text = JINJA_BLOCK.sub("", text)
    return BLOCK_START.sub(_fix_block, text)


def _fix_block(match):
    indent, slashes, name, rest = match.groups()
    if name.lower() in KNOWN_BLOCKS:
        return match.group(0)
    title = f" | {name}{rest.replace('|', ' ', 1) if rest.strip() else ''}"
    return f"{indent}{slashes} note{title}"


def _escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _make_markdown(slug, lang, url_prefix):
    return markdown.Markdown(
        extensions=[
            "abbr", "attr_list", "def_list", "footnotes", "md_in_html", "tables",
            "toc", "pymdownx.betterem", "pymdownx.caret", "pymdownx.mark", "pymdownx.tilde",
            "pymdownx.keys", "pymdownx.inlinehilite", "pymdownx.highlight",
            "pymdownx.superfences", "pymdownx.blocks.admonition", "pymdownx.blocks.details",
            "pymdownx.blocks.tab", "pymdownx.tasklist",
            # The classic MkDocs Material forms: `!!! note`, `??? note` and `=== "Tab"`.
            "admonition", "pymdownx.details", "pymdownx.tabbed",
            _PortalExtension(slug, lang, url_prefix),
        ],
        extension_configs={
            "toc": {"permalink": "¶", "permalink_title": "", "toc_depth": "2-4"},
            "pymdownx.highlight": {"use_pygments": True, "css_class": "highlight",
                                   "guess_lang": False},
            "pymdownx.blocks.admonition": {"types": ADMONITION_TYPES},
            "pymdownx.blocks.tab": {"alternate_style": True},
            "pymdownx.tabbed": {"alternate_style": True},
            "pymdownx.superfences": {"custom_fences": [
                {"name": "mermaid", "class": "mermaid",
                 "format": __import__("pymdownx.superfences").superfences.fence_code_format}]},
        },
        output_format="html",
    )


def sanitize(html):
    """Remove scripts, event handlers, styles and unsafe URLs from HTML."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRS,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow",
                     strip_comments=True)


def render_markdown(text, slug="", lang="en", url_prefix=""):
    """Render a page's Markdown to sanitised HTML with its table of contents."""
    md = _make_markdown(slug, lang, url_prefix)
    try:
        html = md.convert(_preprocess(text))
    except Exception:  # a malformed page must never take the site down
        import logging
        logging.getLogger(__name__).exception("render failed for %s/%s", lang, slug)
        html = f"<pre>{_escape(text)}</pre>"
    toc = getattr(md, "toc_tokens", [])
    html = _focusable_code(sanitize(html))
    return Rendered(html=html, toc=toc, headings=list(_flatten(toc)), text=_plain_text(html))


PRE_TAG = re.compile(r"<pre(?=[\s>])")


def _focusable_code(html):
    """Code blocks can scroll sideways: keyboard users must be able to focus them (WCAG 2.1.1)."""
    return PRE_TAG.sub('<pre tabindex="0"', html)


def _flatten(tokens):
    for t in tokens:
        yield t["level"], t["id"], t["name"]
        yield from _flatten(t.get("children", []))


TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")


def _plain_text(html):
    import html as htmllib
    return SPACE.sub(" ", htmllib.unescape(TAG.sub(" ", html.replace("¶", "")))).strip()


class RenderCache:
    """A thread-safe LRU of rendered revisions, keyed by revision id (revisions never change)."""

    def __init__(self, size):
        self.size = size
        self._data = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, compute):
        """The cached value for `key`, computing and storing it on a miss."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = compute()
        with self._lock:
            self._data[key] = value
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value
