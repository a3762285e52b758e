"""The shared FastAPI corpus (527 files, four languages) imports and every page renders."""
import re

import pytest
from sqlalchemy import func, select

from portal.content.models import Page, Revision, Translation
from portal.extensions import db
from tests.conftest import CORPUS

pytestmark = [pytest.mark.corpus, pytest.mark.slow]
RAW_MARKERS = re.compile(r"\{\*|\{%|^\s*/{3,}", re.M)


def _files():
    """(lang, slug) of every Markdown file in the corpus."""
    found = []
    for lang in ("en", "ko", "es", "ja"):
        found += [(lang, p.relative_to(CORPUS / lang).with_suffix("").as_posix())
                  for p in (CORPUS / lang).rglob("*.md")]
    return sorted(found)


def test_every_file_is_imported_once(corpus_app):
    files = _files()
    assert len(files) == 527
    count = db.session.scalar(select(func.count()).select_from(Translation))
    assert count == len(files)
    assert db.session.scalar(select(func.count()).select_from(Page)) == len({s for _, s in files})


def test_every_page_renders_in_every_language(corpus_app):
    client = corpus_app.test_client()
    slugs = db.session.scalars(select(Page.slug)).all()
    problems = []
    for lang in ("en", "ko", "es", "ja"):
        for slug in slugs:
            response = client.get(f"/{lang}/docs/{slug}")
            html = response.get_data(as_text=True)
            article = html.split('<article', 1)[-1].split("</article>", 1)[0]
            title = re.search(r"<h1[^>]*>(.*?)</h1>", article, re.S)
            if response.status_code != 200 or not title or not title.group(1).strip():
                problems.append((lang, slug, response.status_code, "no title"))
            elif RAW_MARKERS.search(re.sub(r"<pre.*?</pre>|<code.*?</code>", "", article, flags=re.S)):
                problems.append((lang, slug, "raw MkDocs markers"))
    assert problems == []


def test_import_counts_what_it_created(corpus_app):
    stats = corpus_app.extensions["corpus_import"]
    assert (stats.pages, stats.translations, stats.revisions) == (155, 527, 527)


def test_reimport_creates_no_revisions(corpus_app):
    from portal.content.commands import run_import
    before = db.session.scalar(select(func.count()).select_from(Revision))
    stats = run_import(CORPUS, mkdocs=True)
    assert stats.revisions == 0 and stats.unchanged == 527
    assert db.session.scalar(select(func.count()).select_from(Revision)) == before


def test_export_round_trip_is_byte_identical(corpus_app, tmp_path):
    from portal.content.operations import export_docs
    export_docs(db.session, tmp_path)
    for lang, slug in _files():
        original = (CORPUS / lang / f"{slug}.md").read_bytes()
        exported = (tmp_path / lang / f"{slug}.md").read_bytes()
        assert exported == original, f"{lang}/{slug}.md differs after export"


def test_export_nav_reimports_to_the_same_order(corpus_app, tmp_path):
    from portal.content.operations import export_docs
    from portal.content.source import read_mkdocs_nav
    export_docs(db.session, tmp_path)
    original = read_mkdocs_nav(CORPUS / "mkdocs.yml")
    exported = read_mkdocs_nav(tmp_path / "mkdocs.yml")
    order = lambda placement: [s for s, _ in sorted(placement.items(), key=lambda kv: kv[1][1])]  # noqa: E731
    assert order(exported)[:len(original)] == order(original)
    assert {s: v[0] for s, v in exported.items() if s in original} == {s: v[0] for s, v in original.items()}
