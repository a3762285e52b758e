"""Publishing one page updates the index in place: one document analysed, no rebuild, the
segment holding every other page left as it was."""
from sqlalchemy import select
from whoosh.index import TOC, open_dir

from portal.content import events
from portal.content.models import Page, Translation
from portal.content.operations import save_revision
from portal.extensions import db
from portal.search import index
from portal.search.engine import Engine
from tests.search.conftest import slugs


def _segments(engine, lang):
    ix = open_dir(engine._dir(lang))
    return {seg.segment_id(): seg.doc_count_all()
            for seg in TOC.read(ix.storage, "MAIN").segments}


def test_publishing_one_page_analyses_only_that_page(docs, monkeypatch):
    engine = index.engine()
    index.rebuild(db.session)  # one segment per language, as after `portal reindex`
    before = _segments(engine, "en")
    analysed, rebuilt = [], []
    real_fields = Engine._fields
    monkeypatch.setattr(Engine, "_fields", lambda self, doc: analysed.append(doc.slug)
                        or real_fields(self, doc))
    monkeypatch.setattr(Engine, "rebuild", lambda *a, **k: rebuilt.append(a))
    t = db.session.scalars(select(Translation).join(Page).where(
        Page.slug == "tutorial/background-tasks", Translation.lang == "en")).one()
    save_revision(db.session, t, "# Background Tasks\n\nAlso works with WebSockets.\n",
                  "Background Tasks")
    db.session.commit()
    events.published([t])

    assert analysed == ["tutorial/background-tasks"] and rebuilt == []
    after = _segments(engine, "en")
    assert set(before).issubset(after)  # the old segment is still there, not rewritten
    assert sum(after.values()) == sum(before.values()) + 1  # + the new version (old deleted)
    assert engine.doc_count("en") == sum(before.values())
    assert slugs(index.query("en", "websockets")) == ["tutorial/background-tasks"]
