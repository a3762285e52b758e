"""How much of a page's throughput can any Python app on these cores keep while small event
batches arrive? A measurement of gunicorn's two worker kinds, not of Signpost.

`python -m bench.probe_worker_floor` serves one trivial app twice with 3 workers: as WSGI
on gunicorn's `gthread` worker (16 threads, what `gunicorn.conf.py` uses) and as ASGI on
gunicorn's asyncio `asgi` worker. GET returns 20 KB from memory; POST decodes a JSON event
batch and answers 202, storing nothing. wrk measures GET throughput alone and while the
paced sender of `bench_pages` posts 10,000 events/s in batches of 50 and of 3 (median of 3
rounds each), so the loss is what the serving stack alone costs, before any validation or
storage.

Measured 2026-11-29, 2 cores, quiet, this script (the first two runs before `--reuse-port`
was added for the asyncio worker); each figure is the median of 3 rounds, and runs differ a
lot, so read the ranges:

| worker | GET alone | lost at 50 events a request | lost at 3 events a request |
|---|---|---|---|
| gthread (WSGI), 3 x 16 threads | 9,304-12,842 req/s | 16%, 23%, 23%, 41% | 42%, 43%, 44%, 66% |
| asgi (asyncio), 3 workers | 21,372-31,418 req/s | -7%, 8%, 10%, 15% | 16%, 22%, 24%, 28% |

(runs 1-2 without `--reuse-port` for asgi: 15% / 28% and 10% / 16%; runs 3-4 with it:
8% / 24% and -7% / 22%.) Those four runs were before uvloop and gunicorn_h1c were installed. With
both (the asyncio worker picks them up by itself), in one later run of 3 rounds beside the
plain asyncio loop and Python parser (`--asgi-loop asyncio --http-parser python`): GET alone
31,826 against 25,523 req/s; lost at 50 events a request 0% against 6%, at 3 events 14%
against 32%. A separate one-worker run of the same trivial POST (wrk, 1
thread, 16 connections, 5 s, once) gave 2,683 requests/s on `gthread` and 8,505/s on
`asgi`: ~370 and ~118 us of CPU a request, counting one core each. So at the reader script's batch size (2-3 events, one request per reader
every 15 s: ~3,300 requests/s at 10,000 events/s) even an app that does nothing with the
events loses around a fifth of its page throughput on the asyncio worker and about half on
the threaded one; validating and storing three events comes on top. `bench_pages` reports
Signpost and a bare Flask app under the same load.
"""
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_pages import _ensure_wrk, _Sender, _wrk
from bench.common import free_port

APP = r'''
import json
PAGE = b"x" * 20000


def wsgi(environ, start_response):
    if environ["REQUEST_METHOD"] == "GET":
        start_response("200 OK", [("Content-Type", "text/html"),
                                  ("Content-Length", str(len(PAGE)))])
        return [PAGE]
    body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
    out = json.dumps({"accepted": len(body["events"])}).encode()
    start_response("202 Accepted", [("Content-Type", "application/json"),
                                    ("Content-Length", str(len(out)))])
    return [out]


async def asgi(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["method"] == "GET":
        out, status, kind = PAGE, 200, b"text/html"
    else:
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = json.loads(b"".join(chunks))
        out, status = json.dumps({"accepted": len(body["events"])}).encode(), 202
        kind = b"application/json"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(out)).encode())]})
    await send({"type": "http.response.body", "body": out})
'''
WORKERS = (("gthread (WSGI), 3 x 16 threads", "app:wsgi", ["-k", "gthread", "--threads", "16"]),
           ("asgi (asyncio), 3 workers, --reuse-port", "app:asgi",
            ["-k", "asgi", "--reuse-port"]))


def main():
    wrk = _ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="signpost-probe-") as folder:
        (Path(folder) / "app.py").write_text(APP)
        for label, target, options in WORKERS:
            port = free_port()
            proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--no-control-socket", "-w", "3", *options,
                 "-b", f"127.0.0.1:{port}", "--log-level", "warning", target], cwd=folder)
            try:
                time.sleep(3)
                _wrk(wrk, port, "/page", 1)
                for batch in (50, 3):
                    quiet, loaded = [], []
                    for _ in range(3):
                        quiet.append(_wrk(wrk, port, "/page", 4)["rps"])
                        sender = _Sender(wrk, port, 10_000, 5, batch=batch)
                        time.sleep(0.5)
                        loaded.append(_wrk(wrk, port, "/page", 4)["rps"])
                        sent = sender.finish()
                    q, lo = statistics.median(quiet), statistics.median(loaded)
                    print(f"{label}, {batch} events a request: GET alone {q:,.0f} req/s, "
                          f"under 10,000 events/s {lo:,.0f} req/s, lost {1 - lo / q:.0%} "
                          f"(events acknowledged {sent['events_per_second']:,.0f}/s)",
                          flush=True)
            finally:
                proc.terminate()
                proc.wait()


if __name__ == "__main__":
    sys.exit(main())
