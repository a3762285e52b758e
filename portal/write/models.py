"""Models of the write area.

Drafts (`Revision.draft`) and moved-page redirects (`PageRedirect`) are content models,
kept in `portal.content.models` next to the pages they belong to; this module re-exports
them for the write area.
"""
from portal.content.models import PageRedirect, Revision  # noqa: F401
