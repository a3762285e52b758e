"""What readers see, changed: one set of SQLAlchemy session hooks names it for every area.

Before each flush the hooks name what the flush adds, changes or deletes among the rows
readers see, as (kind, slug, lang):

- ("page", slug, lang): a translation of that page (publish, unpublish, restore, a new
  translation, an import) or the page itself (a move names the old slug and the new);
- ("site", "", ""): anything else a reader page shows: navigation (pages, redirects),
  comments, surveys, a user's shown name or email. A bulk UPDATE or DELETE statement on
  one of those models (no rows to look at) counts as "site" too.

Two areas listen, each from its own `init_app`:

- `on_flush(fn)`: `fn(session, changes)` runs inside the flush with the changes not yet
  named in this transaction, so it can add rows in the same transaction (the node change
  log, `portal/sync.py`);
- `lifecycle.reader_content_committed(changes=)` is sent after the commit with everything
  the transaction changed (the page cache's stamp, `portal/pagecache.py`).

A rollback forgets what was named.
"""
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from portal import lifecycle

KEY = "signpost_reader_changes"
SITE = ("site", "", "")
_flush_listeners = []


def on_flush(fn):
    """Call `fn(session, changes)` in every flush that changes what readers see."""
    if fn not in _flush_listeners:
        _flush_listeners.append(fn)
    return fn


def _models():
    from portal.auth.models import User
    from portal.comments.models import PageComment
    from portal.content.models import Page, PageRedirect, Translation
    from portal.feedback.models import SurveySetting
    return User, Page, Translation, (PageComment, PageRedirect, SurveySetting)


def named(session):
    """(kind, slug, lang) of what this flush adds, changes or deletes that readers see."""
    User, Page, Translation, site = _models()
    found = set()
    for state, objects in (("new", session.new), ("deleted", session.deleted),
                           ("dirty", session.dirty)):
        for obj in objects:
            if state == "dirty" and not session.is_modified(obj):
                continue
            if isinstance(obj, Translation):
                if obj.page is not None:
                    found.add(("page", obj.page.slug, obj.lang))
            elif isinstance(obj, Page):
                slugs = {obj.slug, *inspect(obj).attrs.slug.history.deleted}
                for t in obj.translations:
                    found.update(("page", slug, t.lang) for slug in slugs if slug)
                found.add(SITE)  # navigation order and sections
            elif isinstance(obj, site):
                found.add(SITE)
            elif isinstance(obj, User) and state == "dirty" and any(
                    inspect(obj).attrs[name].history.has_changes() for name in ("name", "email")):
                found.add(SITE)
    return found


def _before_flush(session, flush_context, instances):
    with session.no_autoflush:
        found = named(session) - session.info.get(KEY, set())
    if not found:
        return
    session.info.setdefault(KEY, set()).update(found)
    for fn in _flush_listeners:
        fn(session, found)


def _orm_execute(state):
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    User, Page, Translation, site = _models()
    if issubclass(state.bind_mapper.class_, (User, Page, Translation, *site)):
        found = state.session.info.setdefault(KEY, set())
        if SITE not in found:
            found.add(SITE)
            for fn in _flush_listeners:
                fn(state.session, {SITE})


def _after_commit(session):
    changes = session.info.pop(KEY, None)
    if changes:
        lifecycle.send(lifecycle.reader_content_committed, changes=changes)


def _after_rollback(session):
    session.info.pop(KEY, None)


def watch_sessions():
    """Install the hooks once per process (every Session, every app)."""
    if event.contains(Session, "before_flush", _before_flush):
        return
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "do_orm_execute", _orm_execute)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)
