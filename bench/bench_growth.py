"""Growth: how the cost of the main jobs grows with the amount of content.

At 1x, 5x and 20x the corpus (SIGNPOST_BENCH_GROWTH=1,5,20; each copy of the four
languages' 527 files under its own folder, so 20x is 10,540 pages), on a fresh SQLite
instance as a user sets one up:

- import: `flask portal import-docs` (it indexes the new pages after commit), process start
  included;
- reindex: `flask portal reindex` (every language rebuilt, one segment each);
- first-time search p95: queries of the frozen and dev sets in all four languages, each
  asked once, timed through the engine after a warm-up on other queries (as bench_search);
- rollup: `portal rollup` over 28 days of reading events, 40 per page (so they grow with
  the pages too);
- page table: the first request of /api/v1/insights/pages (28 days), through the app.

Each row prints the three values and the fitted growth exponent (slope of log cost against
log size: 1 is linear, 0 flat). At the largest size the instance is also served by gunicorn
with the repository's gunicorn.conf.py (preload, 2 workers x 4 threads unless
WEB_CONCURRENCY/GUNICORN_THREADS say otherwise): after pages and searches in en, ko, es and
ja, each worker's proportional memory (PSS, /proc/<pid>/smaps_rollup: pages shared by N
processes count 1/N) is read, against the 200 MB target.

Building 20x takes ~20 minutes on a 2-core machine. SIGNPOST_BENCH_GROWTH_KEEP=1 keeps the
largest size's instance (and its docs tree) in .cache/bench-growth-<N>x/ and reuses it on
the next run: import and reindex are then not timed again (their rows say "reused").
SIGNPOST_BENCH_GROWTH_ONLY=memory (or search, or memory,search) measures only those on the
kept instance (built first if missing), for a memory question that needs no new import.
"""
import contextlib
import http.client
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from bench.common import CORPUS, ROOT, flask, free_port, instance, percentile
from bench.search_common import EXTRA_QUERIES, FROZEN_QUERIES, LANGS, dev_queries

SCALES = [int(s) for s in os.environ.get("SIGNPOST_BENCH_GROWTH", "1,5,20").split(",")]
KEEP = os.environ.get("SIGNPOST_BENCH_GROWTH_KEEP") == "1"
ONLY = {p for p in os.environ.get("SIGNPOST_BENCH_GROWTH_ONLY", "").split(",") if p}
EVENTS_PER_PAGE = 40
DAYS = 28
PSS_TARGET_MB = 200


def run(report):
    rows = {}
    for scale in SCALES if not ONLY else [max(SCALES)]:
        keep = (KEEP or ONLY) and scale == max(SCALES)
        with _place(scale, keep) as (tree, folder, env):
            built = (folder / "growth-built").exists()
            pages = sum(1 for _ in Path(tree).rglob("*.md")) if built else _tree(Path(tree),
                                                                                 scale)
            env["SIGNPOST_DOCS_PATH"] = str(Path(tree) / "none")
            measured = {}
            if not built:
                flask(env, "init", "--no-demo")
                measured["import"] = _timed(lambda: flask(env, "import-docs", tree))
                measured["reindex"] = _timed(lambda: flask(env, "reindex"))
                (folder / "growth-built").write_text("")
            if not ONLY or "search" in ONLY:
                measured["search p95"] = _search_p95(folder / "search", report)
            if not ONLY and not (folder / "growth-events").exists():
                measured.update(_insights(folder))
                (folder / "growth-events").write_text("")
            for name, value in measured.items():
                rows.setdefault(name, {})[scale] = value
            report(f"growth {scale}x corpus ({pages:,} pages)", "", "",
                   note=(", ".join(f"{k} {_fmt(k, v)}" for k, v in measured.items())
                         + (" (instance reused from .cache: import/reindex not timed)"
                            if built else "")))
            if scale == max(SCALES) and (not ONLY or "memory" in ONLY):
                _memory(report, env, pages, folder)
    for name, values in rows.items():
        report(f"growth {name}: " + " / ".join(f"{s}x" for s in values),
               " / ".join(_fmt(name, v) for v in values.values()), _unit(name),
               note=f"growth exponent {_exponent(values):.2f}")


@contextlib.contextmanager
def _place(scale, keep):
    """(docs tree, instance folder, env): temporary, or kept in .cache/ when `keep`."""
    if not keep:
        with tempfile.TemporaryDirectory(prefix="signpost-bench-growth-docs-") as tree, \
                instance() as (folder, env):
            yield tree, folder, env
        return
    base = ROOT / ".cache" / f"bench-growth-{scale}x"
    folder, tree = base / "instance", base / "docs"
    if not (folder / "growth-built").exists():
        shutil.rmtree(base, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    tree.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SIGNPOST_INSTANCE_PATH=str(folder), FLASK_APP="wsgi")
    yield str(tree), folder, env


def _fmt(name, value):
    return f"{value:.1f}" if _unit(name) == "ms" else f"{value:.2f}"


def _unit(name):
    return "ms" if name in ("search p95", "page table") else "s"


def _timed(fn):
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _exponent(values):
    """Least-squares slope of log(value) against log(scale)."""
    points = [(math.log(s), math.log(max(v, 1e-9))) for s, v in values.items()]
    if len(points) < 2:
        return float("nan")
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else float("nan")


def _tree(root, scale):
    """The corpus `scale` times under root/<lang>/[copyN/]...; returns the page count."""
    count = 0
    for lang in LANGS:
        source = CORPUS / lang
        for i in range(scale):
            target = root / lang / (f"copy{i}" if i else "")
            shutil.copytree(source, target, dirs_exist_ok=True,
                            ignore=lambda d, names: [n for n in names if n.startswith("copy")])
        count += sum(1 for _ in (root / lang).rglob("*.md"))
    return count


def _search_p95(index_dir, report=None):
    """p95 ms of first-time searches over every language; with `report`, each language's
    p95 too. SIGNPOST_BENCH_GROWTH_ANALYZER=process sends Korean text to the analyzer
    process as gunicorn workers do (one IPC round trip per distinct text), else in-process."""
    from portal.search import analysis
    from portal.search.analyzer_service import socket_path
    from portal.search.engine import Engine
    served = os.environ.get("SIGNPOST_BENCH_GROWTH_ANALYZER") == "process"
    if served:
        analysis.use_service(socket_path(index_dir), owner=os.getpid())
    engine = Engine(str(index_dir))
    warm = dev_queries(EXTRA_QUERIES)
    unseen = list(dict.fromkeys((lang, text) for lang, text, _ in
                                dev_queries(FROZEN_QUERIES) + dev_queries()))
    for lang in LANGS:
        engine.search(lang, "documentation")
    for lang, text, _ in warm:
        engine.search(lang, text)
    times = {}
    for lang, text in unseen:
        started = time.perf_counter()
        engine.search(lang, text, limit=10)
        times.setdefault(lang, []).append((time.perf_counter() - started) * 1000)
    engine.close()
    if served:
        analysis.use_local()
    every = [t for values in times.values() for t in values]
    if report is not None:
        load = open("/proc/loadavg").read().split()[0]
        report("first-time search p95 per language (" + "/".join(times) + ")",
               " / ".join(f"{percentile(v, 95):.1f}" for v in times.values()), "ms",
               note=f"{len(every)} queries; Korean analysed "
                    + ("by the analyzer process" if served else "in-process")
                    + f"; load average {load} when done")
    return percentile(every, 95)


def _insights(folder):
    """Seconds of `portal rollup` over the events, and ms of the page table's first request."""
    from portal import create_app
    from portal.extensions import db
    app = create_app({"INSTANCE_PATH": str(folder), "EVENT_RATE_LIMIT": 0,
                      "DOCS_PATH": str(folder / "none"), "NODE_SYNC": False})
    with app.app_context():
        pages = _published(db)
        _load_events(db, pages)
        first = date.today() - timedelta(days=DAYS - 1)
        runner = app.test_cli_runner()
        started = time.perf_counter()
        result = runner.invoke(args=["portal", "rollup", "--from", first.isoformat(),
                                     "--to", date.today().isoformat()])
        rollup = time.perf_counter() - started
        if result.exit_code != 0:
            raise RuntimeError(f"portal rollup failed: {result.output}{result.exception!r}")
        from portal.auth.operations import create_token, create_user
        user = create_user(db.session, "growth-owner@example.com", "owner", "password-123")
        token = create_token(db.session, user)
        db.session.commit()
        started = time.perf_counter()
        response = app.test_client().get(f"/api/v1/insights/pages?days={DAYS}",
                                          headers={"Authorization": f"Bearer {token}"})
        table = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"page table answered {response.status_code}")
        db.session.remove()
    return {"rollup": rollup, "page table": table}


def _published(db):
    from sqlalchemy import select
    from portal.content.models import Page, Translation
    return db.session.execute(select(Page.slug, Translation.lang).join(Translation.page)).all()


def _load_events(db, pages, seed=7):
    """EVENTS_PER_PAGE reading events per translation over DAYS days, in bulk inserts."""
    from portal.feedback.models import Event
    rng = random.Random(seed)
    start = datetime.now(timezone.utc) - timedelta(days=DAYS - 1)
    rows, total = [], EVENTS_PER_PAGE * len(pages)
    weights = [1 / (i + 1) ** 0.8 for i in range(len(pages))]
    n = 0
    while n < total:
        at = start + timedelta(seconds=rng.randrange((DAYS - 1) * 86400))
        session = f"{rng.getrandbits(128):032x}"
        t = int(at.timestamp() * 1000)
        for slug, lang in rng.choices(pages, weights, k=rng.choice((1, 2, 3))):
            depth = rng.choice((20, 40, 60, 80, 100))
            for seq, (kind, data) in enumerate((
                    ("page_view", {"ref": rng.choice(("search", "direct", "internal"))}),
                    ("scroll", {"depth": depth, "section": f"s{depth}"}),
                    ("engagement", {"seconds": round(rng.expovariate(1 / 45), 1)}))):
                rows.append({"received_at": at, "day": at.date(), "session": session,
                             "seq": seq, "type": kind, "page": slug, "lang": lang,
                             "data": data, "at": t + seq * 1000})
                n += 1
        if len(rows) >= 5000:
            db.session.execute(Event.__table__.insert(), rows)
            rows = []
    if rows:
        db.session.execute(Event.__table__.insert(), rows)
    db.session.commit()


# -- memory per worker ------------------------------------------------------------------

def _memory(report, env, pages, folder):
    """PSS of each gunicorn worker after pages and searches in every language; also of the
    Korean analyzer process and the master (what the machine pays in all)."""
    from portal.search.analyzer_service import pid_file, socket_path
    port = free_port()
    env = dict(env, PORT=str(port), HOST="127.0.0.1")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                             "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    try:
        _wait(port)
        queries = dev_queries(FROZEN_QUERIES) + dev_queries()
        paths = []
        for lang in LANGS:
            paths += [f"/{lang}/docs/{slug}" for slug in _slugs(lang)[:60]]
            for q_lang, text, _ in queries:
                if q_lang == lang:
                    paths.append("/api/v1/search?" + urllib.parse.urlencode(
                        {"q": text, "lang": lang}))
                    paths.append(f"/{lang}/search?" + urllib.parse.urlencode({"q": text}))
        # 8 clients, a connection per request: every worker and thread gets its share.
        with ThreadPoolExecutor(8) as pool:
            for _ in range(2):
                list(pool.map(lambda path: _get(port, path), paths))
        analyzer_pid = _pid(pid_file(socket_path(folder / "search")))
        workers = [pid for pid in _children(proc.pid) if pid != analyzer_pid]
        pss = {pid: _rollup_kb(pid) for pid in workers}
        master = _rollup_kb(proc.pid)
        analyzer = _rollup_kb(analyzer_pid) if analyzer_pid else None
        if os.environ.get("SIGNPOST_BENCH_GROWTH_SMAPS"):
            for pid in [proc.pid, *workers]:
                print(f"   smaps of {pid}:\n" + _smaps_summary(pid), flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    worst = max(v["Pss"] for v in pss.values()) / 1024
    total = sum(v["Pss"] for v in [*pss.values(), master, analyzer or {"Pss": 0}]) / 1024
    report(f"memory per gunicorn worker (PSS) at {pages:,} pages, after pages and searches "
           "in en/ko/es/ja", f"{worst:.0f}", "MB", target=f"< {PSS_TARGET_MB} MB",
           ok=worst < PSS_TARGET_MB,
           note=f"{len(pss)} workers: " + ", ".join(
               f"PSS {v['Pss'] / 1024:.0f} (RSS {v['Rss'] / 1024:.0f}, private "
               f"{(v['Private_Clean'] + v['Private_Dirty']) / 1024:.0f})" for v in pss.values())
           + f" MB; master PSS {master['Pss'] / 1024:.0f} MB")
    report(f"memory of the Korean analyzer process (PSS) at {pages:,} pages",
           f"{analyzer['Pss'] / 1024:.0f}" if analyzer else "none", "MB",
           note="one per machine, shared by every worker; "
                f"workers + master + analyzer together {total:.0f} MB PSS")


def _pid(path):
    """The pid written in the file at `path`, or None."""
    try:
        with open(path) as fh:
            return int(fh.read())
    except (OSError, ValueError):
        return None


def _smaps_summary(pid, top=12):
    """The mappings of `pid` holding the most PSS, grouped by file (anonymous together)."""
    sizes, name = {}, None
    with open(f"/proc/{pid}/smaps") as fh:
        for line in fh:
            parts = line.split()
            if not parts[0].endswith(":"):  # a mapping's header line
                name = parts[5] if len(parts) > 5 else "[anon]"
                if "/" in name:
                    name = "/".join(name.split("/")[-2:])
                continue
            if parts[0] in ("Pss:", "Private_Dirty:", "Private_Clean:"):
                entry = sizes.setdefault(name, {"Pss:": 0, "Private_Dirty:": 0,
                                                "Private_Clean:": 0})
                entry[parts[0]] += int(parts[1])
    rows = sorted(sizes.items(), key=lambda item: -item[1]["Pss:"])[:top]
    return "\n".join(f"     {v['Pss:'] / 1024:7.1f} MB PSS, {v['Private_Dirty:'] / 1024:6.1f} "
                     f"private dirty  {k}" for k, v in rows)


def _slugs(lang):
    return [p.relative_to(CORPUS / lang).with_suffix("").as_posix()
            for p in sorted((CORPUS / lang).rglob("*.md"))]


def _get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    if response.status >= 500:
        raise RuntimeError(f"{path} answered {response.status}")


def _wait(port, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer on port {port}")


def _children(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as fh:
        return [int(p) for p in fh.read().split()]


def _rollup_kb(pid):
    values = {}
    with open(f"/proc/{pid}/smaps_rollup") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                values[parts[0][:-1]] = int(parts[1])
    return values
