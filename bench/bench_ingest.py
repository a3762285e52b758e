"""Event ingest over HTTP: 32 concurrent clients posting batches of 20, SQLite and PostgreSQL.

Every acknowledged (202) event must be in the database afterwards: the benchmark counts
rows and reports any difference as lost events.
"""
import http.client
import json
import os
import resource
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.common import flask, gunicorn, instance

CLIENTS = int(os.environ.get("BENCH_INGEST_CLIENTS", 32))
BATCH = 20
SECONDS = float(os.environ.get("BENCH_INGEST_SECONDS", 10))
PG_SERVER = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
TARGET = 20_000


def run(report):
    _measure(report, "SQLite", None)
    name = f"signpost_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_SERVER.replace("postgresql://", "postgresql+psycopg://"),
                          isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # PostgreSQL not running: say so in the table
        report("ingest PostgreSQL", "n/a", "", note=f"PostgreSQL unavailable: {exc.__class__.__name__}")
        return
    try:
        _measure(report, "PostgreSQL", PG_SERVER.rsplit("/", 1)[0] + "/" + name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _measure(report, label, database_url):
    with instance(database_url) as (folder, env):
        docs = folder / "bench-docs" / "en" / "guide"
        docs.mkdir(parents=True)
        (docs / "install.md").write_text("# Install\n\n## Configure { #configure }\n\nText.\n")
        env = dict(env, SIGNPOST_EVENT_RATE_LIMIT="0", SIGNPOST_DOCS_PATH=str(folder / "nodocs"))
        flask(env, "init", "--no-demo")
        flask(env, "import-docs", str(folder / "bench-docs"))
        url = env.get("DATABASE_URL") or f"sqlite:///{folder / 'signpost.db'}"
        # One thread per open client connection lets a worker gather more concurrent
        # batches into each group commit (measured: 2 x 16 threads ~9k, 2 x 64 ~14k events/s).
        with gunicorn(env, workers=2, threads=64) as port:
            before = _cpu(port)
            acked, errors, elapsed, latencies = _load(port)
            server_cpu, client_cpu = (b - a for a, b in zip(before, _cpu(port)))
        stored = _count(url)
        started = time.perf_counter()
        flask(env, "rollup")  # what a report does first: fold the day's new events in
        rollup_seconds = time.perf_counter() - started
    rate = acked / elapsed
    lost = acked - stored
    ok = lost == 0 and (rate >= TARGET if label == "SQLite" else None)
    report(f"ingest {label}: events/s ({CLIENTS} clients x batches of {BATCH})", f"{rate:,.0f}",
           "events/s", target=f">= {TARGET:,}" if label == "SQLite" else "", ok=ok,
           note=f"{acked:,} acknowledged in {elapsed:.1f}s, {errors} errors")
    report(f"ingest {label}: lost events (acknowledged but not stored)", lost, "events",
           target="0", ok=lost == 0, note=f"{stored:,} rows in the database")
    latencies.sort()
    report(f"ingest {label}: request latency p50 / p95", f"{latencies[len(latencies) // 2]:.1f} / "
           f"{latencies[int(len(latencies) * 0.95)]:.1f}", "ms")
    requests = max(acked / BATCH, 1)
    # CPU per request tells machines apart: the same code ran 2.5x slower on a slower host.
    report(f"ingest {label}: CPU per request, server / client",
           f"{server_cpu / requests * 1000:.2f} / {client_cpu / requests * 1000:.2f}", "ms",
           note=f"{(server_cpu + client_cpu) / elapsed:.2f} of {os.cpu_count()} cores busy"
           + (" (without PostgreSQL's own)" if database_url else ""))
    report(f"ingest {label}: rollup of the day's events (portal rollup)", f"{rollup_seconds:.1f}",
           "s", note=f"{stored:,} events, CLI start-up included")


def _cpu(port):
    """(CPU seconds so far of the gunicorn processes serving `port`, of this process)."""
    tick, server = os.sysconf("SC_CLK_TCK"), 0.0
    for proc in Path("/proc").iterdir():
        try:
            if f"127.0.0.1:{port}" in (proc / "cmdline").read_text():
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                server += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        except (OSError, ValueError, IndexError):
            continue  # not a process, or gone
    me = resource.getrusage(resource.RUSAGE_SELF)
    return server, me.ru_utime + me.ru_stime


def _load(port):
    stop = time.monotonic() + SECONDS
    acked, errors, latencies = [0], [0], []
    lock = threading.Lock()

    def client(n):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        session = f"{n:032x}"
        mine_acked, mine_errors, mine_lat = 0, 0, []
        body = json.dumps({"session": session, "events": [
            {"type": "scroll", "page": "guide/install", "lang": "en", "depth": i * 5,
             "section": "configure"} for i in range(BATCH)]})
        headers = {"Content-Type": "application/json", "User-Agent": "Mozilla/5.0 bench"}
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/events", body, headers)
                response = conn.getresponse()
                payload = response.read()
            except OSError:
                mine_errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine_lat.append((time.perf_counter() - started) * 1000)
            if response.status == 202:
                mine_acked += json.loads(payload)["accepted"]
            else:
                mine_errors += 1
        with lock:
            acked[0] += mine_acked
            errors[0] += mine_errors
            latencies.extend(mine_lat)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return acked[0], errors[0], time.monotonic() - started, latencies


def _count(url):
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM events")).scalar()
    finally:
        engine.dispose()
