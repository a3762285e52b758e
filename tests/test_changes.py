"""One set of session hooks names what readers see changed; the node log and the page cache
both follow it."""
import pytest
from sqlalchemy import select, update

from portal import changes, pagecache
from portal.content.models import Page, Translation
from portal.extensions import db
from portal.sync import ChangeLog

DOCS = {"en/guide/install.md": "# Install\n\nSteps.\n", "ko/guide/install.md": "# 설치\n\n단계.\n"}


@pytest.fixture
def guide(make_docs, import_docs):
    return import_docs(make_docs(DOCS))


def logged(after):
    return {(r.kind, r.slug, r.lang) for r in db.session.scalars(
        select(ChangeLog).where(ChangeLog.id > after))}


def last_id():
    return db.session.scalar(select(ChangeLog.id).order_by(ChangeLog.id.desc()).limit(1)) or 0


def test_a_translation_change_is_logged_by_page_and_bumps_the_stamp(app, guide):
    before, stamp = last_id(), pagecache.current(app)
    translation = db.session.scalars(select(Translation).join(Page).where(
        Page.slug == "guide/install", Translation.lang == "ko")).one()
    translation.title = "설치하기"
    db.session.commit()
    assert logged(before) == {("page", "guide/install", "ko")}
    assert pagecache.current(app) != stamp


def test_a_bulk_statement_on_a_watched_model_counts_as_a_site_change(app, guide):
    before, stamp = last_id(), pagecache.current(app)
    db.session.execute(update(Page).values(order=Page.order + 1))
    db.session.commit()
    assert logged(before) == {changes.SITE}
    assert pagecache.current(app) != stamp


def test_a_rollback_names_nothing(app, guide):
    before, stamp = last_id(), pagecache.current(app)
    page = db.session.scalars(select(Page)).first()
    page.order += 1
    db.session.flush()
    db.session.rollback()
    assert logged(before) == set()
    assert pagecache.current(app) == stamp
    assert changes.KEY not in db.session.info
