"""Markdown to safe HTML: MkDocs-flavoured syntax, highlighting, anchors, sanitising.

A page must not be able to pass for the portal around it, so the sanitiser also limits
what the page's markup can name:
- ids: a heading keeps its id (URLs, the table of contents, section reach and the
  language switcher's #section depend on it) unless the portal itself uses that id;
  every other id, and a heading id the portal uses, gets `ID_PREFIX`, with the links
  (`href="#..."`, `label for=`) and the table of contents renamed to match;
- classes: only those the renderer itself emits (code highlighting, admonitions, tabs,
  task lists, footnotes, keys); others are dropped, the text stays;
- `<input>`: only task-list checkboxes (always disabled) and the radio buttons of tabs.
"""
import functools
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as etree

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

RENDER_VERSION = 5
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

ID_PREFIX = "user-content-"
RENDERER_CLASSES = (
    {"highlight", "highlighttable", "linenos", "linenodiv", "lineno", "filename", "hll", "code",
     "admonition", "admonition-title", "tabbed-set", "tabbed-alternate", "tabbed-labels",
     "tabbed-content", "tabbed-block", "task-list", "task-list-item", "task-list-control",
     "task-list-indicator", "footnote", "footnote-ref", "footnote-backref", "headerlink", "toc",
     "keys", "placeholder", "missing-image", "no-alt", "mermaid", "details"}
    | set(ADMONITION_TYPES)
    | {cls for cls in __import__("pygments.token").token.STANDARD_TYPES.values() if cls})
RENDERER_CLASS_PATTERN = re.compile(r"^(?:key-[a-z0-9-]+|language-[\w+#.-]+)$")
HEADING_ID = re.compile(r"<h[1-6]\b[^>]*?\sid=\"([^\"]*)\"")
INPUT_TAG = re.compile(r"<input\b[^>]*>")
TAB_RADIO = re.compile(ID_PREFIX + r"__tabbed_\d+(?:_\d+)?")


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
        return (f"{self.url_prefix}/{self.lang}/docs/{target}"
                + (f"#{heading_anchor(fragment)}" if fragment else ""))

    @staticmethod
    def placeholder(img):
        """What stands for an image the portal does not serve: its alt text, labelled as an
        image; without alt text, the file's name as plain text (an image with an empty
        label is no image to assistive technology). Text after the image stays."""
        alt = (img.get("alt") or "").strip()
        if alt:
            span = etree.Element("span", {"class": "missing-image", "role": "img",
                                          "aria-label": alt})
            span.text = alt
        else:
            span = etree.Element("span", {"class": "missing-image no-alt"})
            span.text = posixpath.basename(img.get("src") or "")
        span.tail = img.tail
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


def sanitize(html, heading_ids=frozenset()):
    """Remove scripts, event handlers, styles, unsafe URLs, and the portal's own names from HTML.

    `heading_ids` are the ids of the page's headings, kept unless the portal uses them too.
    """
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRS,
                      url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow",
                      strip_comments=True, attribute_filter=_attribute_filter(heading_ids))
    return INPUT_TAG.sub(_harmless_input, clean)


def heading_anchor(value):
    """The id a heading `value` has once sanitised: links from other pages use the same rule."""
    return ID_PREFIX + value if is_portal_id(value) else value


def content_id(value, heading_ids=frozenset()):
    """The id a page's element gets: a heading's own id, unless the portal uses it, else prefixed."""
    if value.startswith(ID_PREFIX) or (value in heading_ids and not is_portal_id(value)):
        return value
    return ID_PREFIX + value


def _attribute_filter(heading_ids):
    def check(tag, name, value):
        if name == "class":
            return " ".join(c for c in value.split() if _renderer_class(c)) or None
        if name in ("id", "for"):
            return content_id(value, heading_ids) if value else None
        if name == "href" and value.startswith("#") and len(value) > 1:
            return "#" + content_id(value[1:], heading_ids)
        return value
    return check


def _renderer_class(name):
    return name in RENDERER_CLASSES or bool(RENDERER_CLASS_PATTERN.match(name))


def _harmless_input(match):
    """A task-list checkbox (disabled) or a tab's radio button; any other <input> is dropped."""
    tag = match.group(0)
    attrs = dict(re.findall(r'\s([a-z-]+)(?:="([^"]*)")?', tag))
    checked = ' checked=""' if "checked" in attrs else ""
    if attrs.get("type") == "checkbox":
        return f'<input type="checkbox" disabled=""{checked}>'
    if (attrs.get("type") == "radio" and TAB_RADIO.fullmatch(attrs.get("id", ""))
            and re.fullmatch(r"__tabbed_\d+", attrs.get("name", ""))):
        return f'<input type="radio" id="{attrs["id"]}" name="{attrs["name"]}"{checked}>'
    return ""


@functools.lru_cache(maxsize=1)
def _portal_id_pattern():
    """The ids the portal's templates and scripts use; a `{{ ... }}` part stands for a number."""
    root = Path(__file__).resolve().parent.parent
    found = set()
    for path in root.glob("**/templates/**/*.html"):
        found.update(re.findall(r'\bid="([^"]+)"', path.read_text(encoding="utf-8")))
    for path in root.glob("static/js/*.js"):
        text = path.read_text(encoding="utf-8")
        found.update(re.findall(r'getElementById\(\s*["\']([^"\']+)', text))
        found.update(i + "{{n}}" if i.endswith("-") else i  # "header-q-option-" + n
                     for i in re.findall(r'\.id\s*=\s*["\']([^"\']+)', text))
    parts = sorted({re.sub(r"\\\{\\\{.*?\\\}\\\}", r"\\d+", re.escape(i))
                    for i in found if "{%" not in i})
    return re.compile("^(?:" + "|".join(parts) + ")$")


def is_portal_id(value):
    """True when the portal's own pages use `value` as an element id."""
    return bool(_portal_id_pattern().match(value))


def render_markdown(text, slug="", lang="en", url_prefix=""):
    """Render a page's Markdown to sanitised HTML with its table of contents."""
    md = _make_markdown(slug, lang, url_prefix)
    try:
        html = md.convert(_preprocess(text))
    except Exception:  # a malformed page must never take the site down
        import logging
        logging.getLogger(__name__).exception("render failed for %s/%s", lang, slug)
        html = f"<pre>{_escape(text)}</pre>"
    heading_ids = frozenset(HEADING_ID.findall(html))
    toc = _rename_toc(getattr(md, "toc_tokens", []), heading_ids)
    html = _focusable_code(_raw_images(sanitize(html, heading_ids)))
    return Rendered(html=html, toc=toc, headings=list(_flatten(toc)), text=_plain_text(html))


def _rename_toc(tokens, heading_ids):
    """The table of contents with each id as the sanitised page has it."""
    for token in tokens:
        token["id"] = content_id(token["id"], heading_ids)
        _rename_toc(token.get("children", []), heading_ids)
    return tokens


PRE_TAG = re.compile(r"<pre(?=[\s>])")
IMG_TAG = re.compile(r"<img\b[^>]*>")
ATTR = re.compile(r'([\w:-]+)="([^"]*)"')


def _raw_images(html):
    """Images written as HTML in the page become the placeholder Markdown images get.

    The portal serves no content images (and its CSP allows images from itself only), so
    such an image would show as a broken one, with no text at all when it has no alt.
    Runs on sanitised output, whose attributes are double-quoted and escaped.
    """
    def placeholder(match):
        attrs = dict(ATTR.findall(match.group(0)))
        alt = attrs.get("alt", "").strip()
        if "alt" in attrs and not alt:  # decorative: nothing to stand in for
            return ""
        if alt:
            return (f'<span aria-label="{alt}" class="missing-image" role="img">'
                    f"{alt}</span>")
        name = posixpath.basename(attrs.get("src", "").split("?")[0].split("#")[0])
        return f'<span class="missing-image no-alt">{name}</span>'
    return IMG_TAG.sub(placeholder, html) if "<img" in html else html


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
