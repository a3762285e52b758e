"""Owners' tuning as the query path reads it: a per-process snapshot refreshed every TTL.

Synonyms, pins, learned boosts and the learning switch are read from the database at most
once per `SEARCH_TUNING_TTL` seconds per process (and at once after a change made in this
process), so a search pays a dictionary lookup, not a query. Hit counts are one UPDATE by
primary key in the search's own transaction.
"""
import time
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import update

from portal.search import learning, pins, synonyms
from portal.search.tuning_models import SearchPin, SearchSynonym
from portal.timeutil import utcnow

DEFAULT_TTL = 30
DEFAULT_LEARN_EVERY = 900
KEY = "signpost_search_tuning"


@dataclass
class Snapshot:
    """What the query path applies, as of `loaded`."""

    synonyms: dict = field(default_factory=dict)  # lang -> [Group]
    pins: dict = field(default_factory=dict)  # (lang, key) -> (pin id, slug)
    boosts: dict = field(default_factory=dict)  # (lang, key) -> {slug: boost}
    learning: bool = True
    loaded: float = 0.0


def snapshot(db_session):
    """This process's snapshot, reloaded when older than the TTL."""
    config = current_app.config
    current = current_app.extensions.get(KEY)
    if current is not None and time.monotonic() - current.loaded < config.get(
            "SEARCH_TUNING_TTL", DEFAULT_TTL):
        return current
    setting = learning.peek(db_session)
    current = Snapshot(synonyms=synonyms.groups_by_lang(db_session),
                       pins=pins.pins_by_key(db_session),
                       boosts=learning.boosts(db_session) if setting.learning else {},
                       learning=setting.learning, loaded=time.monotonic())
    current_app.extensions[KEY] = current
    # Tests get no timer unless they ask: a thread outliving a test's database is noise.
    every = config.get("SEARCH_LEARN_EVERY", 0 if config.get("TESTING") else DEFAULT_LEARN_EVERY)
    if every and setting.learning and (setting.learned_at is None or
                                       (utcnow() - setting.learned_at).total_seconds() > every):
        learning.refresh_in_background(current_app._get_current_object(), every)
    return current


def forget():
    """Drop this process's snapshot (after a change made here)."""
    current_app.extensions.pop(KEY, None)


def commit(db_session):
    """Commit an owner's change; this process's next search applies it, others within the TTL."""
    db_session.commit()
    forget()


def count_hits(db_session, synonym_ids=(), pin_id=None):
    """Count that these synonym groups and this pin fired (not committed)."""
    now = utcnow()
    if synonym_ids:
        db_session.execute(update(SearchSynonym).where(SearchSynonym.id.in_(set(synonym_ids)))
                           .values(hits=SearchSynonym.hits + 1, last_hit_at=now))
    if pin_id is not None:
        db_session.execute(update(SearchPin).where(SearchPin.id == pin_id)
                           .values(hits=SearchPin.hits + 1, last_hit_at=now))


def delete(db_session, model, item_id):
    """Delete a synonym group or pin by id (not committed); False when there is none."""
    item = db_session.get(model, item_id)
    if item is None:
        return False
    db_session.delete(item)
    return True
