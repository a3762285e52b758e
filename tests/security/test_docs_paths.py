"""import-docs and export-docs stay inside the tree they are given, symlinks included."""
import os

import pytest
from sqlalchemy import func, select

from portal.content.models import Page
from portal.extensions import db


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "outside" / "secret.md"
    path.parent.mkdir()
    path.write_text("# Secret\n\nroot:x:0:0\n", encoding="utf-8")
    return path


def _pages():
    return db.session.scalar(select(func.count()).select_from(Page))


def test_import_refuses_a_file_symlinked_out_of_the_tree(runner, make_docs, secret):
    root = make_docs({"en/index.md": "# Home\n"})
    os.symlink(secret, root / "en" / "leak.md")
    result = runner.invoke(args=["portal", "import-docs", str(root)])
    assert result.exit_code != 0
    assert "en/leak.md" in result.output and "outside" in result.output
    assert _pages() == 0  # nothing imported, not even the good file


def test_import_refuses_a_folder_symlinked_out_of_the_tree(runner, make_docs, secret):
    root = make_docs({"en/index.md": "# Home\n"})
    os.symlink(secret.parent, root / "en" / "guide")
    os.symlink(secret.parent, root / "ko")
    result = runner.invoke(args=["portal", "import-docs", str(root)])
    assert result.exit_code != 0 and "outside" in result.output
    assert _pages() == 0


def test_import_refuses_mkdocs_yml_symlinked_out_of_the_tree(runner, make_docs, tmp_path):
    root = make_docs({"en/index.md": "# Home\n"})
    outside = tmp_path / "elsewhere.yml"
    outside.write_text("nav:\n  - index.md\n", encoding="utf-8")
    os.symlink(outside, root / "mkdocs.yml")
    result = runner.invoke(args=["portal", "import-docs", str(root), "--mkdocs"])
    assert result.exit_code != 0 and "mkdocs.yml" in result.output


def test_import_follows_links_that_stay_inside_the_tree(runner, make_docs):
    root = make_docs({"en/index.md": "# Home\n", "en/guide/real.md": "# Real\n"})
    os.symlink(root / "en" / "guide" / "real.md", root / "en" / "alias.md")
    result = runner.invoke(args=["portal", "import-docs", str(root)])
    assert result.exit_code == 0, result.output
    assert _pages() == 3


def test_export_refuses_to_write_through_a_symlink_out_of_the_tree(runner, make_docs, tmp_path,
                                                                   import_docs):
    import_docs(make_docs({"en/index.md": "# Home\n", "en/guide/x.md": "# X\n"}))
    target, outside = tmp_path / "export", tmp_path / "victim"
    target.mkdir()
    outside.mkdir()
    os.symlink(outside, target / "en")
    result = runner.invoke(args=["portal", "export-docs", str(target)])
    assert result.exit_code != 0 and "outside" in result.output
    assert list(outside.iterdir()) == []


def test_export_writes_inside_the_tree(runner, make_docs, tmp_path, import_docs):
    import_docs(make_docs({"en/index.md": "# Home\n", "en/guide/x.md": "# X\n"}))
    target = tmp_path / "export"
    result = runner.invoke(args=["portal", "export-docs", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "en" / "guide" / "x.md").read_text(encoding="utf-8").startswith("# X")
