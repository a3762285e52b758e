"""Writers' operations: drafts, publishing, stale saves, restore, move, outdated rule."""
import pytest

from portal.content import editing, overview, queries
from portal.content.diff import side_by_side, stats, unified
from portal.extensions import db
from tests.docs.test_reader import GUIDE


@pytest.fixture
def guide(make_docs, import_docs):
    return import_docs(make_docs(GUIDE))


def _t(slug, lang):
    return overview.find_translation(db.session, slug, lang)[1]


def _view(slug, lang):
    return queries.get_page_view(db.session, slug, lang, "en")


def _save(slug, lang, text, base, author=None, **kw):
    revision = editing.save(db.session, _t(slug, lang), editing.Edit(text, kw.pop("title", "Install"),
                            base_revision=base, **kw), author, "en")
    db.session.commit()
    return revision


def test_a_draft_does_not_reach_readers_and_publish_does(guide, make_user):
    writer = make_user("writer")
    draft = _save("guide/install", "en", "# Install\n\nDraft text.\n", 1, writer, draft=True)
    assert (draft.number, draft.draft, draft.author_id) == (2, True, writer.id)
    view = _view("guide/install", "en")
    assert view.revision.number == 1 and "Draft text" not in view.revision.markdown
    published = _save("guide/install", "en", "# Install\n\nFinal text.\n", 2, writer)
    assert (published.number, published.draft) == (3, False)
    assert _view("guide/install", "en").revision.markdown.endswith("Final text.\n")


def test_publishing_an_unchanged_draft_publishes_that_revision(guide):
    _save("guide/install", "en", "# Install\n\nSame.\n", 1, draft=True)
    revision = _save("guide/install", "en", "# Install\n\nSame.\n", 2)
    assert (revision.number, revision.draft) == (2, False)
    assert _t("guide/install", "en").current_revision.number == 2


def test_a_stale_base_is_refused_even_by_a_draft(guide):
    _save("guide/install", "en", "# Install\n\nFirst writer.\n", 1, draft=True)
    with pytest.raises(editing.StaleRevision) as refused:
        _save("guide/install", "en", "# Install\n\nSecond writer.\n", 1)
    assert refused.value.current == 2
    db.session.rollback()
    assert _view("guide/install", "en").revision.number == 1


def test_nothing_changed_saves_nothing(guide):
    text = _t("guide/install", "en").current_revision.markdown
    assert _save("guide/install", "en", text, 1) is None


@pytest.mark.parametrize("edit, field", [
    (editing.Edit(None, "T"), "markdown"),
    (editing.Edit("x" * (editing.MAX_MARKDOWN + 1), "T"), "markdown"),
    (editing.Edit("x", "  "), "title"),
    (editing.Edit("x", "T" * 501), "title"),
    (editing.Edit("x", "T", "m" * 501), "message"),
])
def test_bad_input_is_refused_by_field(guide, edit, field):
    with pytest.raises(editing.EditError) as refused:
        editing.save(db.session, _t("guide/install", "en"), edit, None, "en")
    assert refused.value.field == field


def test_source_edit_flags_the_translation_until_confirmed(guide):
    ko = _t("guide/install", "ko")
    assert not _view("guide/install", "ko").outdated
    _save("guide/install", "en", "# Install\n\nNew step.\n", 1)
    assert _view("guide/install", "ko").outdated
    # A translation save that does not confirm keeps following revision 1.
    kept = _save("guide/install", "ko", "# 설치\n\n고침.\n", 1, title="설치")
    assert kept.source_revision == 1 and _view("guide/install", "ko").outdated
    # Confirming without changing the text still records the new followed revision.
    confirmed = _save("guide/install", "ko", "# 설치\n\n고침.\n", 2, title="설치", follow=True)
    assert confirmed.number == 3 and confirmed.source_revision == 2
    assert not _view("guide/install", "ko").outdated and ko.current_revision.source_revision == 2
    cell = next(c for c in overview.page_rows(db.session, ["en", "ko"], "en")[1].cells
                if c.lang == "ko")
    assert not cell.outdated


def test_a_source_draft_does_not_outdate_translations(guide):
    _save("guide/install", "en", "# Install\n\nDraft.\n", 1, draft=True)
    assert not _view("guide/install", "ko").outdated


def test_writer_rows_flag_the_same_translations_as_readers(guide):
    _save("guide/install", "en", "# Install\n\nNew.\n", 1)
    rows = {r.page.slug: r for r in overview.page_rows(db.session, ["en", "ko", "ja"], "en")}
    ko = rows["guide/install"].cells[1]
    assert ko.outdated == _view("guide/install", "ko").outdated is True
    assert rows["guide/only-english"].cells[1].status == "missing"
    assert [r.page.slug for r in overview.page_rows(db.session, ["en", "ko"], "en",
                                                    status="outdated")] == ["guide/install"]
    assert [r.page.slug for r in overview.page_rows(db.session, ["en", "ko"], "en",
                                                    text="only")] == ["guide/only-english"]


def test_restore_adds_a_new_revision_with_the_old_text(guide):
    _save("guide/install", "en", "# Install\n\nChanged.\n", 1)
    translation = _t("guide/install", "en")
    restored = editing.restore(db.session, translation, 1, None, base_revision=2)
    db.session.commit()
    assert restored.number == 3 and restored.markdown == GUIDE["en/guide/install.md"]
    assert [r.number for r in overview.history(translation)] == [3, 2, 1]
    with pytest.raises(editing.EditError):
        editing.restore(db.session, translation, 9, None)


def test_move_keeps_a_redirect_and_children(guide, client):
    page = overview.find_page(db.session, "guide/install")
    old = editing.move_page(db.session, page, "/setup/install/")
    db.session.commit()
    assert (old, page.slug) == ("guide/install", "setup/install")
    assert editing.redirect_target(db.session, "guide/install") == "setup/install"
    response = client.get("/ko/docs/guide/install")
    assert response.status_code == 301 and response.location.endswith("/ko/docs/setup/install")
    assert client.get("/en/docs/setup/install").status_code == 200
    with pytest.raises(editing.EditError) as taken:
        editing.move_page(db.session, page, "index")
    assert taken.value.code == "taken"


@pytest.mark.parametrize("slug", ["", "a//b", "../x", "a/./b", "x y", "<b>", "a" * 256])
def test_bad_slugs_are_refused(slug):
    with pytest.raises(editing.EditError):
        editing.clean_slug(slug)


def test_create_page_and_a_new_language(guide):
    t = editing.create_page(db.session, "guide/new", "en", editing.Edit("# New\n", "New"), None,
                            "en", section="guide")
    db.session.commit()
    assert t.current_revision.number == 1 and t.page.section == "guide"
    ko = editing.create_page(db.session, "guide/new", "ko", editing.Edit("# 새\n", "새"), None, "en")
    assert ko.current_revision.source_revision == 1
    with pytest.raises(editing.PageExists):
        editing.create_page(db.session, "guide/new", "en", editing.Edit("# x\n", "x"), None, "en")


def test_unpublish_hides_the_page_and_keeps_revisions(guide):
    translation = _t("guide/only-english", "en")
    assert editing.set_published(translation, False)
    db.session.commit()
    assert _view("guide/only-english", "en") is None
    assert editing.set_published(translation, True) and _view("guide/only-english", "en")


def test_diffs_cover_changes_and_escape_nothing_themselves():
    old, new = "a\nb\nc\n<script>\n", "a\nB\nc\n<script>\nd\n"
    lines = unified(old, new)
    assert [(line.kind, line.text) for line in lines if line.kind in ("add", "del")] == [
        ("del", "b"), ("add", "B"), ("add", "d")]
    assert stats(lines) == (2, 1)
    rows = side_by_side(old, new)
    assert [(r.kind, r.old, r.new) for r in rows if r.kind != "same"] == [
        ("change", "b", "B"), ("add", None, "d")]
    assert unified("same\n", "same\n") == []


def test_reimport_with_a_draft_waiting_creates_nothing(guide, make_docs, import_docs):
    _save("guide/install", "en", "# Install\n\nA draft.\n", 1, draft=True)
    stats = import_docs(make_docs(GUIDE, name="again"))
    assert stats.revisions == 0
    assert [r.number for r in _t("guide/install", "en").revisions] == [1, 2]


def test_a_concurrent_save_of_the_same_number_is_stale(guide):
    from portal.content.models import Revision
    translation = _t("guide/install", "en")
    assert [r.number for r in translation.revisions] == [1]  # this save has read the head
    # Another writer's revision 2 reaches the database after that read (the collection
    # loaded above does not see it): the unique revision number is the last guard.
    db.session.add(Revision(translation_id=translation.id, number=2, title="x",
                            markdown="theirs", meta={}))
    db.session.flush()
    with pytest.raises(editing.StaleRevision) as refused:
        editing.save(db.session, translation, editing.Edit("mine", "Install", base_revision=1),
                     None, "en")
    assert refused.value.current == 2
    db.session.rollback()
