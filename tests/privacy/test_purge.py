"""Retention: `flask portal purge` deletes old raw rows; reports read rollups and stay the same."""
import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.feedback.models import DirtyDay, Event, PageDay
from portal.feedback.rollup import rollup_range
from portal.search.models import SearchClick, SearchLog
from tests.feedback.conftest import DOCS

OLD = date.today() - timedelta(days=500)


@pytest.fixture
def docs(make_docs, import_docs):
    return import_docs(make_docs(DOCS))


def _events(day, sessions=6, page="guide/install", lang="en"):
    at = datetime.combine(day, time(12), tzinfo=timezone.utc)
    rows = []
    for n in range(sessions):
        session = f"{n:032x}"
        rows.append(Event(received_at=at, day=day, session=session, seq=0, type="page_view",
                          page=page, lang=lang, data={"ref": "direct"},
                          at=int(at.timestamp() * 1000)))
        rows.append(Event(received_at=at, day=day, session=session, seq=1, type="scroll",
                          page=page, lang=lang, data={"depth": 25 * (n % 5)},
                          at=int(at.timestamp() * 1000) + 5000))
    db.session.add_all(rows)


def _searches(day, n=3):
    at = datetime.combine(day, time(12), tzinfo=timezone.utc)
    for i in range(n):
        log = SearchLog(query=f"install {i}", query_key=f"install {i}", lang="en", results=1,
                        session=f"{i:032x}", created_at=at)
        log.clicks.append(SearchClick(rank=1, slug="guide/install", lang="en",
                                      session=f"{i:032x}", created_at=at))
        db.session.add(log)


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _table(client, day):
    html = client.get(f"/insights/?from={day.isoformat()}&to={(day + timedelta(days=2)).isoformat()}"
                      ).get_data(as_text=True)
    return html.split('id="pages-table"', 1)[1].split("</table>", 1)[0]


def test_purge_keeps_reports_identical(app, client, login_as, docs, runner):
    _events(OLD)
    _events(OLD + timedelta(days=1), sessions=4)
    _searches(OLD)
    db.session.commit()
    rollup_range(db.session, OLD, OLD + timedelta(days=1))
    db.session.commit()
    login_as("owner")
    before = _table(client, OLD)
    assert re.search(r"guide/install", before)  # the page is in the table: there is something to compare
    page_days = [(d.day, d.page, d.views) for d in db.session.scalars(select(PageDay).order_by(PageDay.day))]
    assert [v for _, _, v in page_days] == [6, 4]

    dry = runner.invoke(args=["portal", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would delete 20" in dry.output and "3 searches, 3 clicks" in dry.output
    assert _count(Event) == 20 and _count(SearchLog) == 3  # a dry run deletes nothing

    done = runner.invoke(args=["portal", "purge"])
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    assert _count(Event) == 0 and _count(SearchLog) == 0 and _count(SearchClick) == 0
    assert [(d.day, d.page, d.views) for d in db.session.scalars(select(PageDay).order_by(PageDay.day))] == page_days
    assert _table(client, OLD) == before

    # rolling up purged days again keeps their rollups (it would rebuild them from nothing)
    again = runner.invoke(args=["portal", "rollup", "--from", OLD.isoformat(),
                                "--to", (OLD + timedelta(days=1)).isoformat()])
    assert again.exit_code == 0 and "past EVENT_RETENTION_DAYS" in again.output, again.output
    db.session.expire_all()
    assert [(d.day, d.page, d.views) for d in db.session.scalars(select(PageDay).order_by(PageDay.day))] == page_days
    assert _table(client, OLD) == before


def test_recent_rows_and_dirty_days_are_kept(app, docs):
    from portal.privacy import purge
    recent = date.today() - timedelta(days=3)
    _events(OLD)
    _events(OLD + timedelta(days=1))
    _events(recent)
    _searches(OLD + timedelta(days=1))
    _searches(recent, n=2)
    db.session.add(DirtyDay(day=OLD + timedelta(days=1)))  # not rolled up yet: still needed
    db.session.commit()
    result = purge(db.session)
    assert result["events"] == 12 and result["search_log"] == 0
    assert result["kept_dirty_days"] == [(OLD + timedelta(days=1)).isoformat()]
    days = sorted(set(db.session.scalars(select(Event.day))))
    assert days == [OLD + timedelta(days=1), recent]
    assert _count(SearchLog) == 5


def test_retention_is_configurable_and_zero_keeps_everything(app, docs):
    from portal.privacy import purge
    _events(OLD)
    _searches(OLD)
    db.session.commit()
    config = dict(app.config, EVENT_RETENTION_DAYS=0, SEARCH_LOG_RETENTION_DAYS=600)
    result = purge(db.session, config=config)
    assert result["events"] == 0 and result["search_log"] == 0
    assert _count(Event) == 12
    config["SEARCH_LOG_RETENTION_DAYS"] = 30
    assert purge(db.session, config=config)["search_log"] == 3
    assert _count(SearchLog) == 0 and _count(Event) == 12
