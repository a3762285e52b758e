"""Writes to content: importing trees, saving revisions, exporting. The caller commits."""
import logging
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.content.models import Page, Revision, Translation
from portal.content.source import format_markdown_file, inside, read_mkdocs_nav, read_tree
from portal.timeutil import utcnow

log = logging.getLogger(__name__)
UNPLACED_ORDER = 100_000


class StaleRevision(Exception):
    """A save was based on a revision that is no longer current."""

    def __init__(self, current):
        super().__init__(f"the page is now at revision {current}")
        self.current = current


@dataclass
class ImportStats:
    """What an import did."""

    pages: int = 0
    translations: int = 0
    revisions: int = 0
    unchanged: int = 0
    changed_translations: tuple = ()


def import_docs(session, root, languages, source_lang, mkdocs=False, author=None):
    """Import a `<lang>/<slug>.md` tree; unchanged files create no revision."""
    root = Path(root)
    placement = read_mkdocs_nav(root / "mkdocs.yml") if mkdocs else {}
    files = read_tree(root, languages)
    files.sort(key=lambda f: (f.lang != source_lang, f.lang, f.slug))
    slugs = sorted({f.slug for f in files})
    placement = _fill_placement(placement, slugs)
    pages = {p.slug: p for p in session.scalars(select(Page))}
    stats = ImportStats()
    changed = []
    for f in files:
        page = pages.get(f.slug)
        section, order = placement[f.slug]
        if page is None:
            page = Page(slug=f.slug, section=section, order=order)
            session.add(page)
            pages[f.slug] = page
            stats.pages += 1
        else:
            page.section, page.order = section, order
        translation, created = _translation(page, f.lang)
        stats.translations += created
        source_rev = _source_revision_number(page, f.lang, source_lang)
        if save_revision(session, translation, f.markdown, f.title, f.meta, author=author,
                         message="import", source_revision=source_rev):
            stats.revisions += 1
            changed.append(translation)
        else:
            stats.unchanged += 1
    session.flush()
    stats.changed_translations = tuple(changed)
    return stats


def _fill_placement(placement, slugs):
    """Place pages the nav does not mention: under their folder's index, after the nav."""
    placement = dict(placement)
    slug_set = set(slugs)
    for i, slug in enumerate(slugs):
        if slug in placement:
            continue
        folder = slug.rsplit("/", 1)[0] if "/" in slug else ""
        if slug.endswith("/index") or slug == "index":
            folder = folder.rsplit("/", 1)[0] if "/" in folder else ""
        parent = f"{folder}/index" if folder else ""
        if parent and parent not in slug_set:
            parent = folder
        placement[slug] = (parent, UNPLACED_ORDER + i)
    return placement


def _translation(page, lang):
    """The page's translation into `lang` and whether it was just created."""
    for t in page.translations:
        if t.lang == lang:
            return t, False
    t = Translation(lang=lang, title="")
    page.translations.append(t)
    return t, True


def _source_revision_number(page, lang, source_lang):
    if lang == source_lang:
        return None
    for t in page.translations:
        if t.lang == source_lang and t.current_revision is not None:
            return t.current_revision.number
    return None


def latest_revision(translation):
    """The translation's newest revision, draft or published; None when it has none."""
    return translation.revisions[-1] if translation.revisions else None


def save_revision(session, translation, markdown, title, meta=None, author=None, message="",
                  base_revision=None, source_revision=None, draft=False, record_follow=False):
    """Add a revision unless nothing changed; refuse a stale `base_revision`.

    `base_revision` is compared with the newest revision, drafts included, so a save never
    silently replaces a colleague's draft either. A draft is kept for writers only; a
    published revision becomes the translation's current one. With `record_follow`, a new
    followed `source_revision` alone counts as a change (a translator confirming "up to
    date"). Returns the new (or just published) Revision, or None when nothing changed.
    When a concurrent save took the next number first, StaleRevision is raised and the
    session must be rolled back.
    """
    head = latest_revision(translation)
    if base_revision is not None and head is not None and head.number != base_revision:
        raise StaleRevision(head.number)
    meta = dict(meta or {})

    def same(rev):
        return rev is not None and (rev.markdown, rev.title, rev.meta or {}) == (markdown, title, meta)

    if same(head) and not (record_follow and head.source_revision != source_revision):
        if head.draft and not draft:
            head.draft = False
            _make_current(translation, head)
            return head
        return None
    if base_revision is None and not draft and not record_follow and same(
            translation.current_revision):
        return None  # an import of unchanged text, with a writer's draft waiting on top
    revision = Revision(number=(head.number + 1) if head else 1, title=title,
                        markdown=markdown, meta=meta, message=message,
                        author_id=getattr(author, "id", None), source_revision=source_revision,
                        created_at=utcnow(), draft=draft)
    translation.revisions.append(revision)
    session.add(revision)
    try:
        session.flush()
    except IntegrityError as exc:  # another save took this number first; caller rolls back
        raise StaleRevision(revision.number) from exc
    if not draft:
        _make_current(translation, revision)
    return revision


def _make_current(translation, revision):
    translation.current_revision = revision
    translation.current_revision_id = revision.id
    translation.title = revision.title
    translation.updated_at = utcnow()
    translation.published = True


def export_docs(session, root):
    """Write every translation's current revision back as `<lang>/<slug>.md`, plus mkdocs.yml nav."""
    root = Path(root)
    files = []
    rows = session.execute(select(Translation, Page).join(Page).order_by(Page.order, Page.slug))
    for translation, page in rows:
        rev = translation.current_revision
        if rev is not None:
            files.append((root / translation.lang / f"{page.slug}.md",
                          format_markdown_file(rev.meta or {}, rev.markdown)))
    pages = list(session.scalars(select(Page).order_by(Page.order, Page.slug)))
    nav = {"site_name": "Signpost export", "nav": build_nav_yaml(pages)}
    files.append((root / "mkdocs.yml", yaml.safe_dump(nav, allow_unicode=True, sort_keys=False)))
    root.mkdir(parents=True, exist_ok=True)
    for path, _text in files:  # every path checked before the first write (UnsafePath)
        inside(root, path)
    for path, text in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        inside(root, path).write_text(text, encoding="utf-8")
    return len(files) - 1


def build_nav_yaml(pages):
    """Rebuild an mkdocs `nav` list from pages' sections and order."""
    children = {}
    for page in pages:
        children.setdefault(page.section, []).append(page)
    slugs = {p.slug for p in pages}
    labels = [s for s in children if s and s not in slugs]

    def items(section):
        out = []
        for page in children.get(section, []):
            if page.slug in children:
                out.append({"": [f"{page.slug}.md"] + items(page.slug)})
            else:
                out.append(f"{page.slug}.md")
        return out

    nav = items("")
    nav += [{label: items(label)} for label in labels]
    return nav
