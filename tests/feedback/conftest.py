"""Fixtures for the feedback tests: a small published guide and a browser-like client."""
import pytest

DOCS = {
    "en/index.md": "# Welcome\n\nStart here.\n",
    "en/guide/install.md": "# Install\n\n## Download { #download }\n\nGet it.\n\n## Configure { #configure }\n\nSet it.\n",
    "ko/guide/install.md": "# 설치\n\n## 내려받기 { #download }\n\n받습니다.\n\n## 설정 { #configure }\n\n설정합니다.\n",
}
UA = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130 Safari/537.36"}
SESSION = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def docs(make_docs, import_docs):
    return import_docs(make_docs(DOCS))


@pytest.fixture
def post_events(client, docs):
    """post_events(events, session=SESSION, **kwargs) -> response."""
    def post(events, session=SESSION, headers=UA, **kwargs):
        return client.post("/api/v1/events", json={"session": session, "events": events},
                           headers=headers, **kwargs)
    return post


def view(page="guide/install", lang="en", **fields):
    """A page_view event."""
    return {"type": "page_view", "page": page, "lang": lang, "ref": "direct", **fields}
