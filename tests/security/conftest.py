"""Fixtures for the security tests: the feedback tests' small guide and browser-like client."""
from tests.feedback.conftest import docs, post_events  # noqa: F401  (fixtures)
