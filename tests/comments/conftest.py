"""Fixtures for the comments tests: the same small docs tree as the tasks tests."""
from tests.tasks.conftest import DOCS, docs  # noqa: F401 (pytest finds the fixture by name)
