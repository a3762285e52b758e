"""After-commit announcements from content: the one place that tells other areas content
changed. They go out as the signals of `portal.lifecycle`, where search indexing, caches and
demo set-up subscribe (in their own `init_app`), so views and CLI commands never update
those areas directly.
"""
from portal import lifecycle


def on_published(fn):
    """Connect `fn(translations)` to `lifecycle.content_changed` (kept for old callers)."""
    return lifecycle.connect(lifecycle.content_changed, fn)


def published(translations):
    """Call after commit with the translations whose current revision changed."""
    lifecycle.send(lifecycle.content_changed, translations=translations)


def instance_created(demo, echo):
    """Call after `init` created and filled a new database."""
    lifecycle.send(lifecycle.instance_initialised, demo=demo, echo=echo)


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
