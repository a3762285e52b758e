"""Reads for writers: every page with each language's state, revision history, lookups."""
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.content.models import Page, Revision, Translation
from portal.content.queries import is_outdated

STATUS_FILTERS = ("outdated", "draft", "unpublished", "missing")


@dataclass
class LangCell:
    """One language of a page as writers see it."""

    lang: str
    translation: Translation | None
    revision: int | None  # the published (current) revision
    head: int | None  # the newest revision, draft or not
    outdated: bool
    follows: int | None  # source revision the current translation follows

    @property
    def status(self):
        """'missing', 'draft' (never published), 'unpublished' or 'published'."""
        if self.translation is None:
            return "missing"
        if self.revision is None:
            return "draft"
        return "published" if self.translation.published else "unpublished"

    @property
    def has_draft(self):
        """True when a draft newer than the published revision waits."""
        return self.head is not None and (self.revision is None or self.head > self.revision)


@dataclass
class PageRow:
    """A page with one cell per content language."""

    page: Page
    title: str
    cells: list

    @property
    def published_count(self):
        """How many languages readers can read it in."""
        return sum(1 for c in self.cells if c.status == "published")

    def edit_lang(self, preferred=None):
        """`preferred` when the page exists in it, else its first language."""
        langs = [c.lang for c in self.cells if c.translation is not None]
        return preferred if preferred in langs else (langs[0] if langs else preferred)

    def matches(self, status, lang):
        """True when a cell (in `lang`, or any) is in the filter `status`."""
        cells = [c for c in self.cells if lang is None or c.lang == lang]
        tests = {"outdated": lambda c: c.outdated, "draft": lambda c: c.has_draft,
                 "unpublished": lambda c: c.status == "unpublished",
                 "missing": lambda c: c.status == "missing"}
        return any(tests[status](c) for c in cells)


def _heads(session):
    return dict(session.execute(select(Revision.translation_id, func.max(Revision.number))
                                .group_by(Revision.translation_id)).all())


def page_rows(session, languages, source_lang, lang=None, section=None, status=None, text=None):
    """Pages in navigation order with a LangCell per language, filtered as asked."""
    stmt = (select(Page).options(selectinload(Page.translations)
                                 .selectinload(Translation.current_revision))
            .order_by(Page.order, Page.slug))
    if section is not None:
        stmt = stmt.where(Page.section == section)
    heads = _heads(session)
    rows = []
    needle = (text or "").strip().casefold()
    for page in session.scalars(stmt):
        by_lang = {t.lang: t for t in page.translations}
        source = by_lang.get(source_lang)
        if source is not None and not (source.published and source.current_revision):
            source = None
        cells = [_cell(code, by_lang.get(code), source, heads) for code in languages]
        title = next((t.title for t in (by_lang.get(lang), source, *page.translations) if t), page.slug)
        row = PageRow(page, title, cells)
        if needle and needle not in page.slug.casefold() and not any(
                needle in t.title.casefold() for t in page.translations):
            continue
        if status in STATUS_FILTERS and not row.matches(status, lang):
            continue
        rows.append(row)
    return rows


def _cell(lang, translation, source, heads):
    if translation is None:
        return LangCell(lang, None, None, None, False, None)
    current = translation.current_revision
    return LangCell(lang, translation, current.number if current else None,
                    heads.get(translation.id), is_outdated(translation, source),
                    current.source_revision if current else None)


def sections(session):
    """Every section name in use, sorted."""
    return [s for s in session.scalars(select(Page.section).distinct().order_by(Page.section)) if s]


def find_page(session, slug):
    """The page at `slug` with its translations, or None."""
    return session.scalars(select(Page).where(Page.slug == slug.strip("/"))
                           .options(selectinload(Page.translations))).first()


def find_translation(session, slug, lang):
    """(page, translation) for `slug` in `lang`; either may be None."""
    page = find_page(session, slug)
    if page is None:
        return None, None
    return page, next((t for t in page.translations if t.lang == lang), None)


def history(translation):
    """The translation's revisions, newest first, with their authors."""
    return list(reversed(translation.revisions))


def revision(translation, number):
    """The translation's revision `number`, or None."""
    return next((r for r in translation.revisions if r.number == number), None)


def source_revision(page, source_lang, number):
    """Revision `number` of the page's source-language translation, or None."""
    source = next((t for t in page.translations if t.lang == source_lang), None)
    return revision(source, number) if source is not None and number else None
