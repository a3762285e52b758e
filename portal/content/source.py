"""Reading and writing Markdown files with YAML front matter, and mkdocs.yml navigation."""
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
HEADING_ID = re.compile(r"\s*\{\s*#[^}]*\}\s*$")


@dataclass
class SourceFile:
    """One Markdown file of a docs tree."""

    lang: str
    slug: str
    markdown: str
    meta: dict = field(default_factory=dict)

    @property
    def title(self):
        """Front matter title, else the first level-one heading, else the slug."""
        if isinstance(self.meta.get("title"), str) and self.meta["title"].strip():
            return self.meta["title"].strip()
        return first_heading(self.markdown) or self.slug.rsplit("/", 1)[-1].replace("-", " ").title()


def first_heading(markdown):
    """Text of the first `# heading` outside code fences, without `{ #id }`."""
    in_fence = False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        elif not in_fence and line.startswith("# "):
            return HEADING_ID.sub("", line[2:]).strip().strip("#").strip() or None
    return None


def parse_markdown_file(text):
    """Split a file into (front matter dict, body). Bad YAML is left in the body."""
    text = text.lstrip("\ufeff")
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError:
        return {}, text
    if not isinstance(meta, dict):
        return {}, text
    return meta, text[match.end():]


class _FrontMatterDumper(yaml.SafeDumper):
    """Indents lists under their key (`hide:\n  - navigation`), as MkDocs projects write them."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def format_markdown_file(meta, body):
    """Inverse of parse_markdown_file."""
    if not meta:
        return body
    head = yaml.dump(meta, Dumper=_FrontMatterDumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False)
    return f"---\n{head}---\n{body}"


def read_tree(root, languages):
    """Every `<lang>/<slug>.md` under `root` for the given languages, sorted by path."""
    root = Path(root)
    files = []
    for lang in languages:
        base = root / lang
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.md")):
            slug = path.relative_to(base).with_suffix("").as_posix()
            meta, body = parse_markdown_file(path.read_text(encoding="utf-8"))
            files.append(SourceFile(lang, slug, body, meta))
    return files


class _Loader(yaml.SafeLoader):
    """SafeLoader that tolerates MkDocs' python tags (`!!python/name:...`)."""


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def read_mkdocs_nav(path):
    """Navigation from mkdocs.yml as {slug: (section, order)}; sections are parent slugs."""
    config = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_Loader) or {}
    placement = {}
    _walk_nav(config.get("nav") or [], "", placement, root=True)
    return placement


def _walk_nav(items, section, placement, root=False):
    """Depth-first over a nav list; a group's index page becomes the section of the rest."""
    entries = [_nav_entry(item) for item in items]
    group_index = None if root else next(
        (target for label, target in entries if isinstance(target, str) and _is_index(target)),
        None)
    inner = _slug(group_index) if group_index else section
    for label, target in entries:
        if isinstance(target, str):
            if not target.endswith(".md") or "://" in target:
                continue
            slug = _slug(target)
            placement.setdefault(slug, (section if slug == inner and group_index else inner,
                                        len(placement)))
        elif isinstance(target, list):
            sub_section = inner
            if label and not any(isinstance(t, str) and _is_index(t)
                                 for _, t in map(_nav_entry, target)):
                sub_section = label
            _walk_nav(target, sub_section, placement)


def _nav_entry(item):
    if isinstance(item, dict) and len(item) == 1:
        label, target = next(iter(item.items()))
        return str(label or ""), target
    return "", item


def _is_index(target):
    return target.endswith(".md") and target.rsplit("/", 1)[-1] == "index.md"


def _slug(target):
    return target[:-3] if target.endswith(".md") else target
