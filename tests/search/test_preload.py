"""The Korean model is loaded at app creation in a pre-forking server's master, not in tests."""
import gc

import pytest

from portal.search import analysis
from tests.conftest import make_app


@pytest.fixture
def loads(monkeypatch):
    calls = []
    monkeypatch.setattr(analysis, "preload", lambda: calls.append(1))
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    return calls


def test_preload_loads_the_model_and_freezes_the_heap(tmp_path, database_template, loads):
    make_app(tmp_path, database_template, SEARCH_PRELOAD=True)
    assert loads == [1, "freeze"]


@pytest.mark.parametrize("config", [{}, {"SEARCH_PRELOAD": True, "SEARCH_KOREAN": "bigram"},
                                    {"SEARCH_PRELOAD": False}])
def test_no_preload_in_tests_or_without_the_model(tmp_path, database_template, loads, config):
    make_app(tmp_path, database_template, **config)
    assert loads == []
