"""The app's index: publishing makes a page findable, unpublishing removes it, reindex rebuilds."""
import shutil

from sqlalchemy import select

from portal.content import events
from portal.content.models import Page, Translation
from portal.content.operations import save_revision
from portal.extensions import db
from portal.search import index
from tests.search.conftest import slugs


def _translation(slug, lang):
    return db.session.scalars(select(Translation).join(Page)
                              .where(Page.slug == slug, Translation.lang == lang)).one()


def test_import_indexes_every_language(docs):
    assert slugs(index.query("en", "upload"))[0] == "tutorial/request-files"
    assert slugs(index.query("ko", "파일업로드"))[0] == "tutorial/request-files"


def test_publishing_a_revision_makes_new_words_findable(docs):
    assert index.query("en", "websockets").total == 0
    t = _translation("tutorial/background-tasks", "en")
    save_revision(db.session, t, "# Background Tasks\n\nAlso works with WebSockets.\n",
                  "Background Tasks")
    db.session.commit()
    events.published([t])
    assert slugs(index.query("en", "websockets")) == ["tutorial/background-tasks"]


def test_unpublishing_removes_the_page_from_the_index(docs):
    t = _translation("tutorial/security", "ko")
    t.published = False
    db.session.commit()
    events.published([t])
    assert "tutorial/security" not in slugs(index.query("ko", "비밀번호 해싱"))
    assert slugs(index.query("en", "password hashing"))[0] == "tutorial/security"


def test_reindex_command_rebuilds_from_the_database(app, docs, runner):
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])
    assert index.query("en", "upload").total == 0
    out = runner.invoke(args=["portal", "reindex"])
    assert out.exit_code == 0, out.output
    assert "en 5" in out.output and "ko 5" in out.output
    assert slugs(index.query("en", "upload"))[0] == "tutorial/request-files"


def test_reindex_leaves_unpublished_pages_out(app, docs, runner):
    t = _translation("deployment/docker", "en")
    t.published = False
    db.session.commit()
    runner.invoke(args=["portal", "reindex"])
    assert "deployment/docker" not in slugs(index.query("en", "docker"))


def test_index_lives_in_the_configured_folder(app, docs):
    folder = app.config["SEARCH_INDEX_DIR"]
    assert folder.startswith(app.instance_path)
    assert sorted(p.name for p in __import__("pathlib").Path(folder).iterdir()
                  if not p.name.startswith(".")) == ["en", "es", "ja", "ko"]


def test_init_rebuilds_an_index_of_an_older_format(app, docs, runner):
    from pathlib import Path
    assert index.is_current()
    folder = Path(app.config["SEARCH_INDEX_DIR"])
    shutil.rmtree(folder / "es")  # a language without an index is not stale
    (folder / ".format-es").unlink()
    assert index.is_current()
    (folder / ".format-en").write_text("1")
    (folder / ".format-ko").unlink()  # built before indexes carried a format
    assert not index.is_current()
    out = runner.invoke(args=["portal", "init"])
    assert out.exit_code == 0, out.output
    assert "Search index rebuilt" in out.output and index.is_current()
    assert slugs(index.query("ko", "파일업로드"))[0] == "tutorial/request-files"
    again = runner.invoke(args=["portal", "init"])
    assert "Search index rebuilt" not in again.output


def test_table_rules_and_horizontal_rules_are_not_indexed():
    from portal.search.text import extract
    headings, body = extract("# Title\n\n## Limits\n\n| name | max |\n| :--- | ---: |\n"
                             "| size | 10 |\n\n---\n\n* * *\n\nA range of 1 --- 5 stays.\n")
    assert headings == "Limits"
    assert body == "Title. Limits. name max size 10 A range of 1 --- 5 stays."
