"""Fixtures for the tasks tests: a small docs tree imported."""
import pytest

DOCS = {"en/guide/install.md": "---\ntitle: Install\n---\n# Install\n\nSteps.\n",
        "ko/guide/install.md": "---\ntitle: 설치\n---\n# 설치\n\n단계.\n",
        "en/index.md": "---\ntitle: Home\n---\n# Home\n"}


@pytest.fixture
def docs(make_docs, import_docs):
    """Import two pages (English and Korean)."""
    import_docs(make_docs(DOCS))
