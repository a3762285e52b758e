"""Insights on big data: bulk-load raw events, roll them up, time the reports through the app.

A bulk equivalent of ingest (multi-row INSERTs straight to SQLite, as the ingest writer does)
loads SIGNPOST_BENCH_EVENTS events (default 10 million) of realistic reading sessions over 90
days and 500 pages × 2 languages into a temporary instance. `portal rollup` then builds every
rollup (timed: events/s), compared in the same run with the ingest rate measured through the
real ingest code (`bench_ingest`: gunicorn, 32 clients posting batches of 20 to
/api/v1/events, SQLite): the rollup keeps up when it counts events at least as fast as ingest
stores them. The page table and a page detail are then requested through the app's test
client, first request and repeated (median and p95), against the 300 ms target; nothing is
cached between requests, and before each first request the process drops its database
connections, compiled templates and rendered headings, as a restarted worker would. Each
time comes with the CPU time of the request and the load average: on a shared box the wall
time also counts waiting for a core. Last, an event is sent through the API and the time until the page
table shows it (today's rollup refreshed on the way) is checked against 10 seconds.

While iterating, SIGNPOST_BENCH_KEEP=1 keeps the loaded and rolled-up instance in
.cache/bench-insights-<events>/ and reuses it on the next run (the rollup runs again only
when the migrations' head changed or SIGNPOST_BENCH_REROLLUP is set); the load and rollup
rates printed then are those of the run that made it. Without it, every run loads and rolls
up from scratch in a temporary folder.
"""
import contextlib
import json
import os
import random
import shutil
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from bench.common import ROOT, instance, percentile

EVENTS = int(os.environ.get("SIGNPOST_BENCH_EVENTS", 10_000_000))
PAGES, LANGS, DAYS = 500, ("en", "ko"), 90
SECTIONS = 5
REPEAT = int(os.environ.get("SIGNPOST_BENCH_REPEAT", 15))
TARGET_MS = 300
BUDGET_S = float(os.environ.get("SIGNPOST_BENCH_BUDGET", 60))  # warm repeats per URL stop here (min 3)
ROWS_PER_INSERT = 400
KEEP = bool(os.environ.get("SIGNPOST_BENCH_KEEP"))


@contextlib.contextmanager
def _folder():
    """(instance folder, what the kept instance's marker says or None)."""
    if not KEEP:
        with instance() as (folder, _env):
            yield folder, None
        return
    folder = Path(ROOT) / ".cache" / f"bench-insights-{EVENTS}"
    marker = folder / "loaded.json"
    if folder.exists() and not marker.exists():  # a load that did not finish
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    yield folder, json.loads(marker.read_text()) if marker.exists() else None


def run(report):
    ingest_rate = _ingest_rate(report)
    with _folder() as (folder, kept):
        from portal import create_app
        from portal.extensions import db
        app = create_app({"INSTANCE_PATH": str(folder), "EVENT_RATE_LIMIT": 0,
                          "DOCS_PATH": str(folder / "nodocs")})
        with app.app_context():
            head = _migrate(app)
            if kept is None:
                slugs = _pages(db.session)
                loaded, seconds = _load(db, slugs)
                kept = {"slugs": slugs, "loaded": loaded, "load_seconds": seconds,
                        "made": date.today().isoformat()}
                if KEEP:
                    (folder / "loaded.json").write_text(json.dumps(kept))
            else:
                slugs, loaded, seconds = kept["slugs"], kept["loaded"], kept["load_seconds"]
            reused = f"; kept instance made {kept['made']}" if "made" in kept and KEEP else ""
            report("insights load (bulk, SQLite)", round(loaded / seconds), "events/s",
                   note=f"{loaded:,} events in {seconds:.0f}s{reused}")
            if kept.get("head") != head or os.environ.get("SIGNPOST_BENCH_REROLLUP"):
                kept["rollup_seconds"], kept["head"] = _rollup(app, loaded), head
                if KEEP:
                    (folder / "loaded.json").write_text(json.dumps(kept))
            rolled = kept["rollup_seconds"]
            rate = loaded / rolled
            if ingest_rate:
                report("insights rollup (incl. signals and running totals) vs ingest",
                       round(rate), "events/s", f">= ingest {ingest_rate:,.0f}",
                       rate >= ingest_rate, note=f"{rolled:.0f}s for {DAYS} days")
            else:
                report("insights rollup (incl. signals and running totals)", round(rate),
                       "events/s", note=f"{rolled:.0f}s for {DAYS} days; ingest not measured")
            _time_reports(app, db, report, slugs)
            _time_freshness(app, db, report, slugs)


def _ingest_rate(report):
    """Events/s stored by the real ingest path (bench_ingest's SQLite run), or None."""
    if os.environ.get("SIGNPOST_BENCH_SKIP_INGEST"):
        return None
    from bench import bench_ingest
    rows = []
    try:
        bench_ingest._measure(lambda *args, **kwargs: rows.append(args), "SQLite", None)
    except Exception as exc:  # no gunicorn, port trouble: say so in the table
        report("insights: ingest rate to compare the rollup with", "n/a", "",
               note=f"{exc.__class__.__name__}: {exc}")
        return None
    rate = next(float(str(value).replace(",", "")) for name, value, unit, *_ in rows
                if unit == "events/s")
    report("insights: ingest rate, same run (bench_ingest SQLite)", round(rate), "events/s")
    return rate


def _migrate(app):
    """Upgrade the instance's database; returns the migration head it is at."""
    from flask_migrate import upgrade
    from portal import PROJECT_ROOT
    from portal.extensions import db
    from sqlalchemy import text
    upgrade(directory=str(PROJECT_ROOT / "migrations"), revision="heads")
    return ",".join(sorted(db.session.scalars(text("SELECT version_num FROM alembic_version"))))


def _pages(db_session):
    """500 published pages in English and Korean, each with five sections."""
    from portal.content.models import Page, Revision, Translation
    created = datetime.now(timezone.utc) - timedelta(days=DAYS + 30)
    slugs = []
    for i in range(PAGES):
        slug = f"section-{i % 10}/page-{i}"
        page = Page(slug=slug, section=f"Section {i % 10}", order=i, created_at=created)
        db_session.add(page)
        for lang in LANGS:
            title = f"Page {i}" if lang == "en" else f"페이지 {i}"
            body = "\n\n".join(f"## Part {s} {{ #sec-{s} }}\n\nText." for s in range(1, SECTIONS + 1))
            t = Translation(page=page, lang=lang, title=title, published=True, updated_at=created)
            rev = Revision(translation=t, number=1, title=title, markdown=f"# {title}\n\n{body}\n",
                           meta={}, message="bench", created_at=created,
                           source_revision=1 if lang != "en" else None)
            db_session.add_all([t, rev])
            db_session.flush()
            t.current_revision_id = rev.id
        slugs.append(slug)
    db_session.commit()
    return slugs


def _sessions(slugs, total, seed=11):
    """Yield (received_at, session, events) for reading sessions until `total` events."""
    rng = random.Random(seed)
    weights = [1 / (i + 1) ** 0.8 for i in range(len(slugs))]  # a few popular pages
    start = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0) \
        - timedelta(days=DAYS - 1)
    made = n = 0
    while made < total:
        n += 1
        at = start + timedelta(seconds=rng.randrange(DAYS * 86400))
        lang = "ko" if rng.random() < 0.35 else "en"
        pages = rng.choices(slugs, weights, k=rng.choice((1, 1, 2, 2, 3, 4, 6)))
        events, t = [], at.timestamp() * 1000
        for page in pages:
            ref = "search" if rng.random() < 0.3 else rng.choice(("direct", "internal", "internal"))
            events.append(("page_view", page, lang, {"ref": ref, "t": t}))
            reached = rng.randint(1, SECTIONS)
            for s in range(1, reached + 1):
                events.append(("scroll", page, lang,
                               {"depth": min(100, s * 20), "section": f"sec-{s}", "t": t + s * 4000}))
            seconds = round(rng.expovariate(1 / 45), 1)
            events.append(("engagement", page, lang, {"seconds": seconds, "t": t + 1000 * seconds}))
            t += 1000 * (seconds + 5)
        events = events[:total - made]
        made += len(events)
        yield at, f"{n:032x}", events


def _load(db, slugs):
    """Insert the events in multi-row INSERTs on one connection; returns (count, seconds)."""
    from portal.feedback.models import Event
    conn = db.engine.raw_connection()
    dialect = db.engine.dialect
    table = Event.__table__
    proc = {c: table.c[c].type.dialect_impl(dialect).bind_processor(dialect) or (lambda v: v)
            for c in ("received_at", "day")}
    encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    columns = ("received_at", "day", "session", "seq", "type", "page", "lang", "data")
    reader_time = "at" in table.c  # the reader's own clock, where the schema keeps it
    if reader_time:
        columns += ("at",)
    row = "(" + ", ".join("?" * len(columns)) + ")"
    full = f"INSERT INTO events ({', '.join(columns)}) VALUES " + ", ".join([row] * ROWS_PER_INSERT)
    cur = conn.cursor()
    cur.execute("PRAGMA synchronous=OFF")
    started = time.perf_counter()
    buffer, count, next_commit = [], 0, 1_000_000
    for at, session, events in _sessions(slugs, EVENTS):
        received, day = proc["received_at"](at), proc["day"](at.date())
        for seq, (kind, page, lang, data) in enumerate(events):
            t = data.pop("t")
            buffer.extend((received, day, session, seq, kind, page, lang, encode(data)))
            if reader_time:
                buffer.append(int(t))
            count += 1
            if len(buffer) == ROWS_PER_INSERT * len(columns):
                cur.execute(full, buffer)
                buffer = []
        if count >= next_commit:
            conn.commit()
            next_commit += 1_000_000
    if buffer:
        n = len(buffer) // len(columns)
        cur.execute(f"INSERT INTO events ({', '.join(columns)}) VALUES " + ", ".join([row] * n), buffer)
    _votes(cur, slugs, proc)
    conn.commit()
    cur.close()
    conn.close()
    return count, time.perf_counter() - started


def _votes(cur, slugs, proc, count=20_000, seed=5):
    """Helpful votes (about one per 500 events at full size) spread over the period."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    rows = []
    for i in range(min(count, max(100, EVENTS // 500))):
        at = now - timedelta(seconds=rng.randrange(DAYS * 86400))
        helpful = rng.random() < 0.7
        rows.append((f"v{i:031x}", rng.choice(slugs[:100]), rng.choice(LANGS), "", helpful,
                     None if helpful else rng.choice(("unclear", "outdated", "missing")), None,
                     proc["received_at"](at), proc["received_at"](at)))
    cur.executemany("INSERT INTO votes (session, page, lang, section, helpful, reason, comment, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _rollup(app, loaded):
    """Run `portal rollup` over the whole period; returns the seconds it took."""
    first = date.today() - timedelta(days=DAYS - 1)
    runner = app.test_cli_runner()
    started = time.perf_counter()
    result = runner.invoke(args=["portal", "rollup", "--from", first.isoformat(),
                                 "--to", date.today().isoformat()])
    seconds = time.perf_counter() - started
    if result.exit_code != 0:
        raise RuntimeError(f"portal rollup failed: {result.output}\n{result.exception!r}")
    return seconds


def _time_reports(app, db, report, slugs):
    from portal.insights import reports
    if reports.available("page_table") is None:
        report("insights reports", "n/a", "", note="portal.insights.queries is not installed")
        return
    from portal.auth.models import User
    from portal.auth.operations import create_token, create_user
    from sqlalchemy import select
    user = (db.session.scalar(select(User).where(User.email == "bench-owner@example.com"))
            or create_user(db.session, "bench-owner@example.com", "owner", "password-123"))
    token = create_token(db.session, user)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    detail = f"/api/v1/insights/pages/{slugs[0]}?lang=ko&days=90"
    targets = [("page table JSON (90 days)", "/api/v1/insights/pages?days=90"),
               ("page table JSON (ko, 28 days)", "/api/v1/insights/pages?lang=ko"),
               ("page table HTML (90 days)", "/insights/?days=90"),
               ("page table CSV (90 days)", "/api/v1/insights/pages.csv?days=90"),
               ("page detail JSON (90 days)", detail),
               ("page detail HTML (90 days)", f"/insights/pages/ko/{slugs[0]}?days=90"),
               ("search gaps JSON (28 days)", "/api/v1/insights/searches"),
               ("journeys JSON (28 days)", "/api/v1/insights/journeys")]
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = user.get_id(), True
    for name, url in targets:
        _as_if_restarted(app, db)
        cold, status, cold_cpu = _timed(client, url, headers)
        if status != 200:
            report(f"insights {name}", "n/a", "", note=f"HTTP {status}")
            continue
        warm, cpu, deadline = [], [], time.monotonic() + BUDGET_S
        while len(warm) < REPEAT and (len(warm) < 3 or time.monotonic() < deadline):
            ms, _status, cpu_ms = _timed(client, url, headers)
            warm.append(ms)
            cpu.append(cpu_ms)
        median, p95 = percentile(warm, 50), percentile(warm, 95)
        # CPU time of this process beside the wall time: on a box shared with other work the
        # wall time also counts waiting for a core (load average in the note).
        report(f"insights {name} cold", round(cold), "ms", f"< {TARGET_MS}", cold < TARGET_MS,
               note=f"cpu {cold_cpu:.0f} ms; load {_loadavg()}")
        report(f"insights {name} warm median", round(median), "ms", f"< {TARGET_MS}",
               median < TARGET_MS, note=f"p95 {p95:.0f} ms over {len(warm)}; cpu median "
               f"{percentile(cpu, 50):.0f} ms; load {_loadavg()}")


def _as_if_restarted(app, db):
    """Drop what this process learned while loading and rolling up, as a restarted worker
    would have none of it: the database connections (SQLite's page cache), the compiled
    templates and the headings rendered by the rollup."""
    from portal.insights import signals
    db.session.remove()
    db.engine.dispose()
    app.jinja_env.cache.clear()
    signals._rendered_headings.cache_clear()


def _timed(client, url, headers):
    """(wall ms, HTTP status, CPU ms of this process) of one request."""
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(url, headers=headers)
    return ((time.perf_counter() - started) * 1000, response.status_code,
            (time.process_time() - cpu) * 1000)


def _loadavg():
    try:
        with open("/proc/loadavg") as f:
            return f.read().split()[0]
    except OSError:
        return "?"


def _time_freshness(app, db, report, slugs, target_s=10):
    """Send one page view now; seconds until the page table's views for that page count it."""
    from portal.auth.models import User
    from sqlalchemy import select
    user = db.session.scalar(select(User).where(User.email == "bench-owner@example.com"))
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = user.get_id(), True
    slug, url = slugs[1], "/api/v1/insights/pages?lang=en&days=7"

    def views():
        rows = client.get(url).json["pages"]
        return next((r["views"] for r in rows if r["slug"] == slug), 0)
    before = views()
    started = time.perf_counter()
    sent = client.post("/api/v1/events", json={"session": "f" * 32, "events": [
        {"type": "page_view", "page": slug, "lang": "en", "ref": "direct",
         "t": int(time.time() * 1000)}]},
        headers={"User-Agent": "Mozilla/5.0 bench"})
    seen = None
    while time.perf_counter() - started < target_s * 3:
        if views() > before:
            seen = time.perf_counter() - started
            break
    ok = sent.status_code == 202 and seen is not None and seen < target_s
    report("insights: an event sent now shows in the page table after",
           "never" if seen is None else f"{seen:.1f}", "s", f"< {target_s}", ok,
           note=f"HTTP {sent.status_code} {(sent.get_json(silent=True) or {}).get('error', '')}"
           f"; today's ~{EVENTS // DAYS:,} events rolled up again on the way")
