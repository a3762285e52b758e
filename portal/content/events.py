"""After-commit hooks: the one place that tells other areas content changed.

Search indexing, cache invalidation and demo set-up subscribe here so that views and
CLI commands never update those areas directly.
"""
import logging

log = logging.getLogger(__name__)
_published_listeners = []
_instance_listeners = []


def on_published(fn):
    """Register `fn(translations)` to run after translations were published or changed."""
    _published_listeners.append(fn)
    return fn


def on_instance_created(fn):
    """Register `fn(demo, echo)` to run once when `init` creates a new instance."""
    _instance_listeners.append(fn)
    return fn


def published(translations):
    """Call after commit with the translations whose current revision changed."""
    for fn in _published_listeners:
        fn(translations)


def instance_created(demo, echo):
    """Call after `init` created and filled a new database."""
    for fn in _instance_listeners:
        fn(demo=demo, echo=echo)


class Withdrawn:
    """Stands in for a translation that is no longer at `slug` (the page moved away).

    Listeners treat it like any unpublished translation: drop it from what they keep.
    """

    published = False
    current_revision = None

    def __init__(self, slug, lang):
        self.lang = lang
        self.page = type("OldPage", (), {"slug": slug})()


def withdrawn(slug, langs):
    """Call after commit when a page left `slug` (moved): listeners forget it in `langs`."""
    published([Withdrawn(slug, lang) for lang in langs])
