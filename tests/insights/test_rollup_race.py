"""Two rollups of the same day at once: `portal rollup --from` (or a rollup on another node)
is rolling a day up when a new batch marks the day dirty and a report request refreshes it.
The report does not wait for the rollup (which can take minutes): it reads the rollups as
they are and leaves the day dirty, and the next refresh counts it, once. On PostgreSQL the
second used to fail with a unique-key error on the rows the first had just written (two
refreshes of one dirty day were already kept apart by the lock on its dirty mark, but a
rollup that started before the mark was set takes no such lock). SQLite lets one writer at
a time, so this runs on PostgreSQL only."""
import threading
import time

import pytest
from sqlalchemy import func, insert, select

from portal.extensions import db
from portal.feedback.models import DirtyDay, PageDay
from portal.feedback.rollup import refresh_dirty, rollup_day
from portal.insights.models import PageSignalDay, PageTotal
from tests.conftest import PG_SERVER
from tests.insights.scenario import Reader, docs_tree

pytestmark = pytest.mark.skipif(not PG_SERVER, reason="PostgreSQL only (SIGNPOST_TEST_POSTGRES)")


def _rollup_in_thread(app, outcome, started):
    with app.app_context():
        try:
            started.set()
            days = refresh_dirty(db.session)
            db.session.commit()
            outcome.append(("ok", days))
        except Exception as exc:  # reported to the test, which fails with it
            db.session.rollback()
            outcome.append(("error", exc))
        finally:
            db.session.remove()


@pytest.mark.parametrize("rolled_before", [False, True], ids=["new day", "day rolled before"])
def test_a_refresh_during_a_rollup_of_the_same_day(app, client, make_docs, import_docs,
                                                  rolled_before):
    import_docs(make_docs(docs_tree(["guide/a", "guide/b"])))
    for lang in ("en", "ko", "en"):
        r = Reader(client, lang)
        r.read("guide/a", seconds=30)
        r.read("guide/b", seconds=12)
    if rolled_before:
        refresh_dirty(db.session)
        db.session.commit()
        Reader(client, "en").read("guide/a", seconds=5)
    day = db.session.scalar(select(DirtyDay.day))
    db.session.query(DirtyDay).delete()
    db.session.commit()

    rollup_day(db.session, day)  # `portal rollup --from`: not committed yet
    with db.engine.begin() as other:  # a new batch marks the day dirty meanwhile
        other.execute(insert(DirtyDay).values(day=day))
    outcome, started = [], threading.Event()
    second = threading.Thread(target=_rollup_in_thread, args=(app, outcome, started))
    second.start()
    started.wait(5)
    time.sleep(0.5)  # the second has found the first at work (or run into its rows)
    db.session.commit()
    second.join(30)
    assert not second.is_alive()
    assert outcome and outcome[0][0] == "ok", outcome
    # The refresh did not wait for the rollup in progress: the day stays dirty, and the next
    # refresh rolls it up (the batch that came meanwhile counted).
    assert outcome[0][1] == []
    assert refresh_dirty(db.session) == [day]
    db.session.commit()

    views = db.session.scalar(select(func.sum(PageDay.views)))
    assert views == 6 + rolled_before
    assert db.session.scalar(select(func.sum(PageSignalDay.sessions))) == 6 + rolled_before
    assert db.session.scalar(select(func.max(PageTotal.views)).where(
        PageTotal.page == "guide/a", PageTotal.lang == "en")) == 2 + rolled_before
