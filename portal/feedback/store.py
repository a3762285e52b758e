"""Storing validated batches: events, votes, search clicks and drop counts (the caller commits)."""
import functools
import json
import sqlite3
from collections import OrderedDict

from portal.feedback.models import Event, IngestDrop, Vote
from portal.feedback.upsert import upsert
from portal.timeutil import utcnow

# A batch whose latest `t` lies this far behind the server clock (or any amount ahead) is
# from a skewed clock: its events are moved so the latest lands on the receive time. Within
# the margin the browser's clock is trusted (the beacon sends every 15 s or on leaving).
SKEW_MARGIN_MS = 120_000


# The latest reader time given to each recent session (events and searches), per process.
# A batch moved for a skewed clock is never placed before what the session did earlier:
# its times then only order it inside itself, and the session's order is the order of arrival.
_floors = OrderedDict()
MAX_FLOORS = 100_000


def note_session_time(session, ms):
    """Remember that `session` did something at `ms` (e.g. a search the server logged)."""
    if not session:
        return
    _floors[session] = max(ms, _floors.get(session, ms))
    _floors.move_to_end(session)
    if len(_floors) > MAX_FLOORS:
        _floors.popitem(last=False)


def reader_times(events, now_ms, session=None):
    """When the reader did each event, in ms since the epoch, corrected for clock skew.

    A browser clock within `SKEW_MARGIN_MS` behind the server is trusted as it is. Otherwise
    the batch is moved as a whole so its latest event lands on the receive time (server time
    minus the batch's latest `t`), and no event of it goes before the session's previous
    batch or search. Events without `t` get the receive time.
    """
    times = [e.get("t") for e in events]
    known = [t for t in times if t is not None]
    if not known:
        out = [now_ms] * len(events)
    else:
        latest = max(known)
        shift = 0 if 0 <= now_ms - latest <= SKEW_MARGIN_MS else now_ms - latest
        out = [now_ms if t is None else int(t + shift) for t in times]
        floor = _floors.get(session) if session and shift else None
        if floor is not None:
            out = [max(t, min(floor + 1, now_ms)) for t in out]
    note_session_time(session, max(out))
    return out


def store_batches(db_session, batches, now=None):
    """Insert the batches' events, votes and search clicks; the caller commits."""
    now = now or utcnow()
    written = write_events(db_session.connection(), batches, now)
    for session, e in side_effect_events(written):
        _side_effects(db_session, session, e, now)
    return sum(len(b.events) for b in written)


# Events that also write a row of their own (a vote, a search click) through the ORM.
SIDE_EFFECTS = frozenset({"feedback", "search_click"})


def side_effect_events(batches):
    """(session, event) of the events in `batches` that write more than their event row."""
    return [(b.session, e) for b in batches for e in b.events if e["type"] in SIDE_EFFECTS]


def write_events(conn, batches, now=None):
    """Insert the batches' event rows on a Core connection (no ORM); the caller commits.

    Batches sent before (same batch id) are skipped; returns the batches written. Votes
    and search clicks are left to `store_batches`.
    """
    now = now or utcnow()
    batches = claim_batches(conn, [b for b in batches if b.events], now)
    if not batches:
        return batches
    _insert_events(conn, batches, now)
    day = _processors(conn.dialect)["day"](now.date())
    conn.exec_driver_sql(_statements(conn.dialect)["dirty"], _params(conn.dialect, (day,)))
    return batches


def claim_batches(conn, batches, now):
    """The batches not stored before: each id is claimed in the same transaction as its
    events, so a batch sent again, to this node or another, is stored once (a concurrent
    claim of the same id waits for the first transaction and then finds it taken).

    The group's ids are claimed together, in multi-row INSERTs that return the ids they
    inserted: one statement per batch cost more than the batches' events (a group of 22
    three-event batches: 22 of its 24 statements). An id twice in one group keeps its
    first batch.
    """
    if not any(b.batch_id for b in batches):
        return batches
    received = _processors(conn.dialect)["received_at"](now)
    ids = list(dict.fromkeys(b.batch_id for b in batches if b.batch_id is not None))
    claimed = set()
    for start in range(0, len(ids), CLAIMS_PER_INSERT):
        chunk = ids[start:start + CLAIMS_PER_INSERT]
        params = tuple(v for batch_id in chunk for v in (batch_id, received))
        rows = conn.exec_driver_sql(_claim_statement(conn.dialect.paramstyle, len(chunk)),
                                    params)
        claimed.update(row[0] for row in rows)
    fresh = []
    for b in batches:
        if b.batch_id is None:
            fresh.append(b)
        elif b.batch_id in claimed:
            claimed.discard(b.batch_id)  # a later batch with this id is a copy
            fresh.append(b)
    return fresh


CLAIMS_PER_INSERT = 200  # 2 parameters a row, under SQLite's old limit of 999


@functools.lru_cache(maxsize=64)
def _claim_statement(paramstyle, count):
    mark = "?" if paramstyle == "qmark" else "%s"
    return ("INSERT INTO event_batches (id, received_at) VALUES "
            + _rows(mark, 2, count) + " ON CONFLICT (id) DO NOTHING RETURNING id")


def _rows(mark, width, count):
    """`count` rows of `width` placeholders for a multi-row VALUES: (?, ?), (?, ?)..."""
    return ", ".join(["(" + ", ".join([mark] * width) + ")"] * count)


def _insert_events(conn, batches, now):
    """The group's rows straight to the driver, values converted by the columns' own types.

    Going through SQLAlchemy's statement layer per row cost more than the disk write;
    the types' bind processors keep the stored format identical. PostgreSQL gets one
    executemany (psycopg pipelines it); SQLite gets multi-row INSERTs: its executemany
    steps once per row and gives up and re-takes the GIL each time, and with many busy
    threads each hand-off can keep the write lock waiting (a small gain, ~5% measured).
    Returns the number of rows.
    """
    proc = _processors(conn.dialect)
    received, day = proc["received_at"](now), proc["day"](now.date())
    data, base = proc["data"], _BASE
    now_ms = int(now.timestamp() * 1000)
    # A session's events in one group are placed in time together (two batches of one
    # session in one group: one skew correction for both, as if they came as one).
    by_session = {}
    for b in batches:
        by_session.setdefault(b.session, []).extend(b.events)
    times = {session: iter(reader_times(group, now_ms, session))
             for session, group in by_session.items()}
    values = []  # the rows' values one after another: SQLite binds them as they are
    extend = values.extend
    for b in batches:
        session, at = b.session, times[b.session]
        for seq, e in enumerate(b.events):
            extend((received, day, session, seq, e["type"], e["page"], e["lang"],
                    data({k: v for k, v in e.items() if k not in base}), next(at)))
    width = len(_COLUMNS)
    count = len(values) // width
    if conn.dialect.paramstyle != "qmark":
        conn.exec_driver_sql(_statements(conn.dialect)["events"], [
            _params(conn.dialect, values[i:i + width]) for i in range(0, len(values), width)])
        return count
    for start in range(0, count, ROWS_PER_INSERT):
        rows = min(ROWS_PER_INSERT, count - start)
        conn.exec_driver_sql(_multi_row_insert(rows),
                             tuple(values[start * width:(start + rows) * width]))
    return count


# 9 columns a row: 3,600 parameters, under the 32,766 SQLite allows since 3.32 (999 before).
ROWS_PER_INSERT = 400 if sqlite3.sqlite_version_info >= (3, 32) else 110


@functools.lru_cache(maxsize=64)
def _multi_row_insert(count):
    return f"INSERT INTO events ({', '.join(_COLUMNS)}) VALUES " + _rows("?", len(_COLUMNS), count)


_BASE = frozenset({"type", "page", "lang", "t"})  # columns of their own, not in `data`


def _compact_json():
    """json.dumps(obj, separators=(",", ":"), ensure_ascii=False), made once.

    `JSONEncoder.encode` builds a new C encoder on every call, which cost more than the
    encoding of a small event's fields; this one is built once (no circular check: an
    event's fields are flat values). Same text out, the stdlib's encoder underneath.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # a Python without the C accelerator
        return json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

    def refuse(value):
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    encode = make(None, refuse, json.encoder.encode_basestring, None, ":", ",", False,
                  False, True)
    return lambda obj: "".join(encode(obj, 0))


_DATA = _compact_json()
_COLUMNS = ("received_at", "day", "session", "seq", "type", "page", "lang", "data", "at")
_cache = {}


def _processors(dialect):
    key = ("proc", dialect.name)
    if key not in _cache:
        table = Event.__table__
        procs = {name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                 for name in ("received_at", "day", "data")}
        # psycopg adapts dates itself. JSON goes as compact text on both backends (PostgreSQL
        # casts it to json); one shared encoder is cheaper than the type's per-row wrapper.
        procs["data"] = _DATA
        _cache[key] = {name: proc or (lambda v: v) for name, proc in procs.items()}
    return _cache[key]


def _statements(dialect):
    key = ("sql", dialect.name)
    if key not in _cache:
        marks = [("?" if dialect.paramstyle == "qmark" else f"%({c})s") for c in _COLUMNS]
        day = "?" if dialect.paramstyle == "qmark" else "%(day)s"
        _cache[key] = {
            "events": f"INSERT INTO events ({', '.join(_COLUMNS)}) VALUES ({', '.join(marks)})",
            "dirty": f"INSERT INTO rollup_dirty_days (day) VALUES ({day}) ON CONFLICT (day) DO NOTHING"}
    return _cache[key]


def _params(dialect, values):
    if dialect.paramstyle == "qmark":
        return values
    names = _COLUMNS if len(values) == len(_COLUMNS) else ("day",)
    return dict(zip(names, values))


def _side_effects(db_session, session, e, now):
    if e["type"] == "feedback":
        save_vote(db_session, session, e, now)
    elif e["type"] == "search_click":
        from portal.search.log import record_click
        record_click(db_session, e["search_id"], e["rank"], e["page"], e["lang"], session)


def save_vote(db_session, session, e, now=None):
    """Insert or replace the session's vote on a page (or one of its sections)."""
    now = now or utcnow()
    values = {"session": session, "page": e["page"], "lang": e["lang"],
              "section": e.get("section") or "", "helpful": e["helpful"],
              "reason": e.get("reason"), "comment": e.get("comment"),
              "created_at": now, "updated_at": now}
    upsert(db_session, Vote, values, ["session", "page", "lang", "section"],
           ["helpful", "reason", "comment", "updated_at"])


def count_drop(db_session, reason, events, now=None):
    """Count events dropped on purpose (e.g. bots) for the day."""
    day = (now or utcnow()).date()
    upsert(db_session, IngestDrop, {"day": day, "reason": reason, "events": events},
           ["day", "reason"], [], increment={"events": events})
