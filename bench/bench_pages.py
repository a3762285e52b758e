"""Anonymous reader pages against the framework's floor, side by side, with `wrk`.

One run starts two servers with the same gunicorn settings (`gunicorn.conf.py`: workers,
threads, preload): Signpost on a fresh instance, served as `gunicorn wsgi:app` is (the
asyncio worker, the settings file's default), and the *floor*, a bare Flask app that
returns the very bytes Signpost served for the page from memory, on gunicorn's threaded
worker (`-k gthread`, the same threads: a WSGI app cannot run on the asyncio worker). `wrk` (C, not Python
threads; installed with apt-get when missing) drives each with 32 connections in
interleaved rounds; the medians of the rounds are reported with the ratio. Then the same
Signpost page with and without 10,000 events/s arriving at POST /api/v1/events from a
separate, paced sender: wrk with a Lua script (C, a fraction of a core; a real reader's
browser is not on the server's cores), its rate checked by counting the events stored in
the database after each round. The events come twice: in batches of 50, the API's maximum
and the server's best case, and in batches of 3, what the reader script sends (one
request per reader every 15 s), each with a batch id of its own as the reader script
sends it. Also checks that a matching ETag gets a 304. Each round
notes the hypervisor's steal time: a round with much of it was disturbed from outside.

Environment: BENCH_PAGES_SECONDS (per round, 5), BENCH_PAGES_ROUNDS (5),
BENCH_PAGES_CONNECTIONS (32), BENCH_PAGES_EVENTS (events/s, 10000), BENCH_PAGES_BATCH (50),
BENCH_PAGES_BEACON_BATCH (3; 0 skips it), BENCH_PAGES_THREADED (1: also Signpost on
gunicorn's threaded worker, `gunicorn -k gthread wsgi:app`, against the same floor; 0 skips
it), BENCH_PAGES_SAME_WORKER (1: also a bare ASGI callable sending the same bytes on the
asyncio worker Signpost runs on, interleaved with Signpost, alone and under the same ingest
load: the worker's own floor, with no framework; 0 skips it).
`python -m bench.bench_pages send PORT RATE SECONDS` is the event sender on its own.
"""
import contextlib
import http.client
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import CORPUS, ROOT, flask, free_port, instance

SECONDS = float(os.environ.get("BENCH_PAGES_SECONDS", 5))
# Five rounds: on a 2-core box one round in five or so is disturbed (a round at a third of
# the others' rate), which a median of three cannot outvote.
ROUNDS = int(os.environ.get("BENCH_PAGES_ROUNDS", 5))
CONNECTIONS = int(os.environ.get("BENCH_PAGES_CONNECTIONS", 32))
EVENTS_PER_SECOND = int(os.environ.get("BENCH_PAGES_EVENTS", 10_000))
# Events a request: the API's maximum (EVENT_MAX_BATCH), the best case for the server, and
# what the reader script really sends: every 15 s it flushes what the reader did (an
# engagement tick and a scroll depth, a page view the first time), 2-3 events a request.
EVENT_BATCH = int(os.environ.get("BENCH_PAGES_BATCH", 50))
BEACON_BATCH = int(os.environ.get("BENCH_PAGES_BEACON_BATCH", 3))
RATIO_TARGET, P99_TARGET_MS, INGEST_DROP_TARGET = 0.7, 25.0, 0.25
# Also measure Signpost on gunicorn's threaded worker (`gunicorn -k gthread wsgi:app`).
THREADED = os.environ.get("BENCH_PAGES_THREADED", "1") != "0"
# Also measure a bare ASGI callable serving the same bytes on Signpost's own (asyncio) worker.
SAME_WORKER = os.environ.get("BENCH_PAGES_SAME_WORKER", "1") != "0"
GTHREAD = ["--worker-class", "gthread"]
GUIDE_PAGE = "/en/docs/searching"
CORPUS_PAGE = "/en/docs/deployment/concepts"

FLOOR_APP = '''
"""The framework's floor: the same bytes and headers from memory, nothing else; and an
event endpoint that decodes a batch and answers 202 without checking or storing it. `app`
is a bare Flask app (WSGI), `asgi_app` the same without any framework (ASGI)."""
import json
from flask import Flask, Response, request
with open({body!r}, "rb") as fh:
    BODY = fh.read()
with open({headers!r}) as fh:
    HEADERS = json.load(fh)
app = Flask(__name__)


@app.route({path!r})
def page():
    return Response(BODY, headers=HEADERS)


@app.post("/api/v1/events")
def events():
    return {{"accepted": len(request.get_json(force=True)["events"])}}, 202


# The asyncio worker's own floor: the same bytes and headers from a bare ASGI callable, no
# framework at all, served by the worker Signpost runs on (gunicorn.conf.py's default).
ASGI_HEADERS = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in HEADERS.items()]
ASGI_HEADERS.append((b"content-length", str(len(BODY)).encode()))


async def asgi_app(scope, receive, send):
    if scope["type"] != "http":
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({{"type": "lifespan.startup.complete"}})
            await send({{"type": "lifespan.shutdown.complete"}})
        return
    if scope["method"] == "POST":
        parts = []
        while True:
            message = await receive()
            parts.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        out = json.dumps({{"accepted": len(json.loads(b"".join(parts))["events"])}}).encode()
        await send({{"type": "http.response.start", "status": 202, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(out)).encode())]}})
        await send({{"type": "http.response.body", "body": out}})
    elif scope["path"] == {path!r}:
        await send({{"type": "http.response.start", "status": 200, "headers": ASGI_HEADERS}})
        await send({{"type": "http.response.body", "body": BODY}})
    else:
        await send({{"type": "http.response.start", "status": 404, "headers": []}})
        await send({{"type": "http.response.body", "body": b""}})
'''


def run(report):
    wrk = _ensure_wrk()
    if wrk is None:
        report("pages: wrk", "n/a", "", note="wrk is not installed and apt-get could not install it")
        return
    with instance() as (folder, env):
        env = dict(env, SIGNPOST_EVENT_RATE_LIMIT="0")
        flask(env, "init", "--no-demo")
        flask(env, "import-docs", str(ROOT / "docs"))  # the user guide
        _compare_page(report, wrk, folder, env, GUIDE_PAGE, "guide page", under_ingest=True)
    if (CORPUS / "mkdocs.yml").is_file():
        with instance() as (folder, env):
            env = dict(env, SIGNPOST_DOCS_PATH=str(folder / "nodocs"))
            flask(env, "init", "--no-demo")
            flask(env, "import-docs", str(CORPUS), "--mkdocs")
            _compare_page(report, wrk, folder, env, CORPUS_PAGE, "corpus page")


def _compare_page(report, wrk, folder, env, path, label, under_ingest=False):
    server = _server(env, "wsgi:app", ROOT)
    with server as port:
        status, headers, body = _get(port, path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        _report_headers(report, port, path, label, headers, body)
        floor_dir = folder / "floor"
        floor_dir.mkdir()
        _write_floor(floor_dir, path, headers, body)
        floor_server = _server(dict(env, PYTHONPATH=str(floor_dir)), "floor:app", floor_dir,
                               GTHREAD)
        with floor_server as floor_port:
            assert _get(floor_port, path)[2] == body
            _wrk(wrk, floor_port, path, 1)  # warm both up (the page cache, the workers)
            _wrk(wrk, port, path, 1)
            floor, signpost = _interleaved(wrk, path, floor_port, port)
            _report_comparison(report, label, len(body), floor, signpost)
            if THREADED:
                _compare_threaded(report, wrk, folder, env, path, label, floor, floor_port,
                                  under_ingest)
            if under_ingest:
                for batch in _event_batches():
                    _compare_under_ingest(report, wrk, port, path, label,
                                          folder / "signpost.db", batch)
                    _ingest_cost(report, wrk, port, server.proc.pid, batch)
                    # The same load on the floor app, whose event endpoint only decodes
                    # the body: what any Flask app on these cores loses to the requests.
                    _compare_under_ingest(report, wrk, floor_port, path, "floor " + label,
                                          None, batch)
                    _ingest_cost(report, wrk, floor_port, floor_server.proc.pid, batch,
                                 "floor")
        if SAME_WORKER:
            _compare_same_worker(report, wrk, floor_dir, env, path, label, port, under_ingest)


def _compare_same_worker(report, wrk, floor_dir, env, path, label, port, under_ingest):
    """Signpost against the same bytes from a bare ASGI callable on the same (asyncio)
    worker, in interleaved rounds: what the worker itself allows, with no framework at all
    (a reference: the floor of the issue is a bare Flask app, which needs the threaded
    worker); then that callable under the same ingest load, whose event endpoint only
    decodes the body."""
    with _server(dict(env, PYTHONPATH=str(floor_dir)), "floor:asgi_app", floor_dir) as bare:
        assert _get(bare, path)[0] == 200
        _wrk(wrk, bare, path, 1)
        floor, signpost = _interleaved(wrk, path, bare, port)
        floor_rps = statistics.median(r["rps"] for r in floor)
        rps = statistics.median(r["rps"] for r in signpost)
        report(f"pages: {label}, bare ASGI callable on the asyncio worker (same bytes), "
               f"{CONNECTIONS} conns", f"{floor_rps:,.0f}", "req/s", note="p99 "
               f"{statistics.median(r['p99'] for r in floor):.1f} ms; rounds "
               + ", ".join(f"{r['rps']:,.0f}" for r in floor))
        report(f"pages: {label}, Signpost / bare ASGI on the same worker",
               f"{rps / floor_rps if floor_rps else 0:.2f}", "x", target="(reference)",
               note=f"Signpost {rps:,.0f} req/s in these rounds; rounds "
               + ", ".join(f"{r['rps']:,.0f}" for r in signpost))
        if under_ingest:
            for batch in _event_batches():
                _compare_under_ingest(report, wrk, bare, path, "bare ASGI " + label, None,
                                      batch)


def _event_batches():
    """The batch sizes to measure under ingest (each once; 0 skips one)."""
    return dict.fromkeys(b for b in (EVENT_BATCH, BEACON_BATCH) if b > 0)


def _interleaved(wrk, path, first_port, second_port):
    """ROUNDS wrk runs on each of two servers, taking turns (which goes first alternates);
    the two lists of results."""
    first, second = [], []
    for i in range(ROUNDS):
        order = [(first, first_port), (second, second_port)]
        for results, port in (order if i % 2 == 0 else order[::-1]):
            results.append(_wrk(wrk, port, path, SECONDS))
    return first, second


def _compare_threaded(report, wrk, folder, env, path, label, floor, floor_port, under_ingest):
    """The same page from Signpost on gunicorn's threaded worker (`-k gthread wsgi:app`),
    in rounds interleaved with the floor again; then under ingest."""
    with _server(env, "wsgi:app", ROOT, GTHREAD) as port:
        _wrk(wrk, port, path, 1)
        floor_again, threaded = _interleaved(wrk, path, floor_port, port)
        floor_rps = statistics.median(r["rps"] for r in floor + floor_again)
        rps = statistics.median(r["rps"] for r in threaded)
        errors = sum(r["errors"] for r in threaded)
        report(f"pages: {label}, Signpost on the threaded worker (-k gthread), "
               f"{CONNECTIONS} conns",
               f"{rps:,.0f}", "req/s", note=f"{rps / floor_rps:.2f}x the floor; p99 "
               f"{statistics.median(r['p99'] for r in threaded):.1f} ms; rounds "
               + ", ".join(f"{r['rps']:,.0f}" for r in threaded) + f"; {errors} errors")
        if under_ingest:
            for batch in _event_batches():
                _compare_under_ingest(report, wrk, port, path, "threaded worker " + label,
                                      folder / "signpost.db", batch)


def _report_headers(report, port, path, label, headers, body):
    etag = headers.get("etag")
    again = _get(port, path, {"If-None-Match": etag or '"none"'})
    ok = etag is not None and again[0] == 304 and again[2] == b""
    vary = headers.get("vary", "")
    report(f"pages: {label}: 304 for a matching ETag", again[0], "status", target="304", ok=ok,
           note=f"ETag {etag}; Cache-Control: {headers.get('cache-control')}; "
                f"Last-Modified {'present' if headers.get('last-modified') else 'MISSING'}; "
                f"Vary: {vary or '-'}")
    report(f"pages: {label}: no Vary: Cookie on anonymous pages", "cookie" not in vary.lower(),
           "", target="True", ok="cookie" not in vary.lower(), note=f"{len(body):,} bytes")


def _report_comparison(report, label, size, floor, signpost):
    floor_rps = statistics.median(r["rps"] for r in floor)
    sign_rps = statistics.median(r["rps"] for r in signpost)
    sign_p99 = statistics.median(r["p99"] for r in signpost)
    floor_p99 = statistics.median(r["p99"] for r in floor)
    errors = sum(r["errors"] for r in signpost + floor)
    ratio = sign_rps / floor_rps if floor_rps else 0
    rounds = ", ".join(f"{r['rps']:,.0f}" for r in signpost)
    report(f"pages: {label} ({size // 1024} KB), floor (bare Flask on gthread, same bytes), "
           f"{CONNECTIONS} conns",
           f"{floor_rps:,.0f}", "req/s", note=f"p99 {floor_p99:.1f} ms; rounds "
           + ", ".join(f"{r['rps']:,.0f}" for r in floor))
    report(f"pages: {label}, Signpost anonymous, {CONNECTIONS} conns", f"{sign_rps:,.0f}", "req/s",
           note=f"rounds {rounds}; {errors} errors; {_steal(signpost)} (floor {_steal(floor)})")
    report(f"pages: {label}, Signpost / floor", f"{ratio:.2f}", "x", target=f">= {RATIO_TARGET}",
           ok=ratio >= RATIO_TARGET and errors == 0)
    report(f"pages: {label}, Signpost p99 at {CONNECTIONS} conns", f"{sign_p99:.1f}", "ms",
           target=f"< {P99_TARGET_MS:.0f}", ok=sign_p99 < P99_TARGET_MS)


def _compare_under_ingest(report, wrk, port, path, label, database, batch=EVENT_BATCH):
    quiet, loaded, sent = [], [], []
    for i in range(ROUNDS):
        for ingest in ((False, True) if i % 2 == 0 else (True, False)):
            if not ingest:
                quiet.append(_wrk(wrk, port, path, SECONDS))
                continue
            first = _last_event_id(database) if database else None
            sender = _Sender(wrk, port, EVENTS_PER_SECOND, SECONDS + 2, batch=batch)
            time.sleep(1)  # the sender at its pace before measuring
            loaded.append(_wrk(wrk, port, path, SECONDS))
            result = sender.finish()
            # the floor stores nothing: what it acknowledged stands for what it took
            result["stored"] = (_events_after(database, first) if database
                                else result["sent"] * batch)
            sent.append(result)
    quiet_rps = statistics.median(r["rps"] for r in quiet)
    loaded_rps = statistics.median(r["rps"] for r in loaded)
    drop = 1 - loaded_rps / quiet_rps if quiet_rps else 1
    rate = statistics.median(s["stored"] / s["seconds"] for s in sent)
    refused = sum(s["failed"] for s in sent)
    # wrk stops with requests in flight: stored but never acknowledged, so only a shortfall
    # (acknowledged but not stored) is counted
    lost = sum(max(0, s["sent"] * batch - s["stored"]) for s in sent)
    cpu = statistics.median(s["cpu"] / s["seconds"] for s in sent)
    report(f"pages: {label} while {EVENTS_PER_SECOND:,} events/s arrive, {batch} a request",
           f"{loaded_rps:,.0f}",
           "req/s", note=f"without: {quiet_rps:,.0f} req/s; p99 "
           f"{statistics.median(r['p99'] for r in loaded):.1f} ms (without "
           f"{statistics.median(r['p99'] for r in quiet):.1f}); events "
           + (f"stored at {rate:,.0f}/s (counted in the database)" if database else
              f"acknowledged at {rate:,.0f}/s (the floor stores nothing)")
           + f", {refused} batches refused, {lost} acknowledged events "
           f"missing; the sender (wrk) used {cpu * 100:.0f}% of a core")
    report(f"pages: {label}, throughput lost under ingest ({batch} events a request)",
           f"{drop * 100:.0f}", "%",
           target=f"<= {INGEST_DROP_TARGET * 100:.0f}" if database else "(reference)",
           ok=(drop <= INGEST_DROP_TARGET and rate >= 0.9 * EVENTS_PER_SECOND and refused == 0
               and lost == 0) if database else None, note="rounds with / without: "
           + ", ".join(f"{w['rps']:,.0f}/{q['rps']:,.0f}" for w, q in zip(loaded, quiet))
           + f"; {_steal(loaded)} with, {_steal(quiet)} without")


def _ingest_cost(report, wrk, port, master, batch=EVENT_BATCH, server="Signpost"):
    """The workers' CPU per event with events alone arriving (no page load): what each
    event takes from page serving, less noisy than throughput on a shared machine."""
    workers = _workers(master)
    before = sum(_cpu_seconds(pid) for pid in workers)
    result = _Sender(wrk, port, EVENTS_PER_SECOND, SECONDS, batch=batch).finish()
    used = sum(_cpu_seconds(pid) for pid in workers) - before
    events = result["sent"] * batch
    report(f"pages: {server} CPU per event at {EVENTS_PER_SECOND:,} events/s, {batch} a request "
           "(no page load)",
           f"{used / max(events, 1) * 1e6:.0f}", "us",
           note=f"{used / result['seconds'] * 100:.0f}% of a core for {len(workers)} workers; "
                f"the sender used {result['cpu'] / result['seconds'] * 100:.0f}%")


def _workers(master):
    """gunicorn's worker processes under `master` (not the search analyzer process)."""
    found = []
    for task in Path(f"/proc/{master}/task").iterdir():
        for pid in (task / "children").read_text().split():
            if b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(int(pid))
    return found


def _cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _last_event_id(database):
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        return conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]


def _events_after(database, first):
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        return conn.execute("SELECT count(*) FROM events WHERE id > ?", (first,)).fetchone()[0]


# -- servers and load ------------------------------------------------------------------

class _server:
    """gunicorn with the repository's gunicorn.conf.py on a free port (context manager)."""

    def __init__(self, env, target, cwd, options=()):
        self.env, self.target, self.cwd, self.options = env, target, cwd, list(options)

    def __enter__(self):
        self.port = free_port()
        env = dict(self.env, PORT=str(self.port))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
             "--no-control-socket", "--log-level", "warning", *self.options, self.target],
            cwd=self.cwd, env=env)
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(self.port, "/")[0] in (200, 302, 404):
                    return self.port
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.proc.kill()
                raise RuntimeError(f"gunicorn {self.target} did not start")
            time.sleep(0.2)

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def _write_floor(folder, path, headers, body):
    (folder / "page.html").write_bytes(body)
    kept = {k: v for k, v in headers.items() if k not in ("content-length", "date", "server",
                                                          "connection")}
    (folder / "headers.json").write_text(json.dumps(kept))
    (folder / "floor.py").write_text(FLOOR_APP.format(
        body=str(folder / "page.html"), headers=str(folder / "headers.json"), path=path))


def _get(port, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return (response.status, {k.lower(): v for k, v in response.getheaders()},
                response.read())
    finally:
        conn.close()


def _ensure_wrk():
    found = shutil.which("wrk")
    if found:
        return found
    print("  installing wrk with apt-get", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    for cmd in (["apt-get", "install", "-y", "-q", "wrk"], ["apt-get", "update", "-q"],
                ["apt-get", "install", "-y", "-q", "wrk"]):
        subprocess.run(sudo + cmd, capture_output=True)
        if shutil.which("wrk"):
            break
    return shutil.which("wrk")


def _wrk(wrk, port, path, seconds):
    """One wrk run: requests/s, p99 (ms) and non-2xx/3xx or socket errors."""
    threads = max(1, min(os.cpu_count() or 1, CONNECTIONS))
    before = _cpu_times()
    out = subprocess.run(
        [wrk, f"-t{threads}", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--latency",
         f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket:
        errors += sum(int(n) for n in socket.groups())
    after = _cpu_times()
    total = sum(after) - sum(before)
    steal = (after[7] - before[7]) / total if total > 0 and len(after) > 7 else 0.0
    return {"rps": rps, "p99": p99, "errors": errors, "steal": steal}


def _cpu_times():
    """The machine's CPU time counters (/proc/stat's first line: user, nice, system, idle,
    iowait, irq, softirq, steal...). Steal is time the hypervisor gave our virtual cores to
    someone else: a round with much of it was disturbed from outside."""
    try:
        with open("/proc/stat") as fh:
            return [int(v) for v in fh.readline().split()[1:]]
    except OSError:
        return [0]


def _steal(rounds):
    return "steal " + "/".join(f"{r.get('steal', 0) * 100:.0f}" for r in rounds) + " %"


def _ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


# -- the event sender (wrk with a pacing script) -----------------------------------------

# Why wrk and not Python threads: the sender shares the 2 cores with the server it measures,
# while a real reader's browser is elsewhere. A Python sender (http.client, 16 threads) used
# ~8% of a core at 10,000 events/s, taken from page serving and so counted against the
# server; wrk (C) sends the same batches for a fraction of that. Its rate is kept real:
# every request takes the next slot of an absolute schedule (a late send does not lower
# the rate), and the bench counts the events stored in the database afterwards.
SENDER_LUA = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } signpost_timespec;
int clock_gettime(int clk_id, signpost_timespec *tp);
]]
local ts = ffi.new("signpost_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local threads = {}
function setup(thread) table.insert(threads, thread) end

local requests, interval, due, i = {}, 0, nil, 0
accepted, refused = 0, 0  -- globals: done() reads them through thread:get

-- args: batches/s of this thread, sessions, events a batch, page, lang
-- Each request carries a batch id of its own, as the reader script sends (the server
-- claims it so a batch sent again is stored once).
local tag, sent = "", 0
function init(args)
  local rate, sessions, size = tonumber(args[1]), tonumber(args[2]), tonumber(args[3])
  interval = 1000 / rate
  local kinds = {
    '{"type":"page_view","page":"%s","lang":"%s","ref":"internal"}',
    '{"type":"scroll","page":"%s","lang":"%s","depth":%d,"section":"intro"}',
    '{"type":"engagement","page":"%s","lang":"%s","seconds":%d.5}'}
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
  for _ = 1, 4 do tag = tag .. string.format("%x", math.random(0, 15)) end
  for s = 1, sessions do
    local session = ""
    for _ = 1, 32 do session = session .. string.format("%x", math.random(0, 15)) end
    local events = {}
    for e = 1, size do
      events[e] = string.format(kinds[(e % 3) + 1], args[4], args[5], (e * 7) % 100)
    end
    requests[s] = {'{"session":"' .. session .. '","batch":"',
                   '","events":[' .. table.concat(events, ",") .. ']}'}
  end
end

local headers = {["Content-Type"] = "application/json",
                 ["User-Agent"] = "Mozilla/5.0 (bench reader)"}
function request()
  i = i % #requests + 1
  sent = sent + 1
  -- the time first, then randomness, 24 hex digits, as the reader script makes them
  local id = string.format("%012x", math.floor(now_ms())) .. tag .. string.format("%08x", sent)
  local body = requests[i][1] .. id .. requests[i][2]
  return wrk.format("POST", "/api/v1/events", headers, body)
end

function delay()
  local now = now_ms()
  if due == nil then due = now end
  due = due + interval
  return math.max(0, due - interval - now)
end

function response(status, headers, body)
  if status == 202 then accepted = accepted + 1 else refused = refused + 1 end
end

function done(summary, latency, requests)
  local ok, bad = 0, 0
  for _, t in ipairs(threads) do ok = ok + t:get("accepted"); bad = bad + t:get("refused") end
  local e = summary.errors
  io.write(string.format('{"accepted": %d, "refused": %d, "seconds": %.3f, "errors": %d}\n',
    ok, bad, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout))
end
"""
SENDER_PAGE = ("searching", "en")  # a page of the user guide: its events are valid


class _Sender:
    """wrk POSTing batches of `batch` mixed events to /api/v1/events at `rate` events/s
    for `seconds` (whole seconds), in the background until `finish()`."""

    def __init__(self, wrk, port, rate, seconds, connections=None, sessions=64,
                 batch=EVENT_BATCH):
        self.batch = batch
        # enough connections that the pace holds while requests wait behind page load (each
        # reader's browser has a connection of its own: arrivals do not wait for answers).
        # At 3 events a request (3,333 requests/s) 128 were too few once answers took more
        # than 38 ms under page load: one run stored 8,295 events/s instead of 10,000.
        connections = connections or (32 if batch >= 20 else 512)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
            fh.write(SENDER_LUA)
        self.script = fh.name
        self.proc = subprocess.Popen(
            [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-s", fh.name,
             f"http://127.0.0.1:{port}", "--", str(rate / batch), str(sessions),
             str(batch), *SENDER_PAGE], stdout=subprocess.PIPE, text=True)

    def finish(self):
        """What wrk saw: batches accepted (202), failed (another status or a socket error),
        its seconds and CPU seconds; events/s acknowledged."""
        out = self.proc.stdout.read()
        _pid, status, usage = os.wait4(self.proc.pid, 0)
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        self.proc.stdout.close()
        os.unlink(self.script)
        if self.proc.returncode:
            raise RuntimeError(f"the event sender (wrk) failed: {out}")
        seen = json.loads(out.strip().splitlines()[-1])
        return {"events_per_second": seen["accepted"] * self.batch / seen["seconds"],
                "sent": seen["accepted"], "failed": seen["refused"] + seen["errors"],
                "seconds": seen["seconds"], "cpu": usage.ru_utime + usage.ru_stime}


def send_events(port, rate, seconds):
    """The paced sender on its own (see `_Sender`); returns what it saw."""
    return _Sender(_ensure_wrk(), port, rate, seconds).finish()


if __name__ == "__main__" and sys.argv[1:2] == ["send"]:
    port, rate, seconds = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    print(json.dumps(send_events(port, rate, seconds)), flush=True)
