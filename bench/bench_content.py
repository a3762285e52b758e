"""Content: corpus import time, uncached render time, cached page latency over HTTP."""
import http.client
import statistics
import time

from bench.common import CORPUS, flask, gunicorn, instance, percentile


def run(report):
    with instance() as (folder, env):
        flask(env, "init", "--no-demo")
        started = time.perf_counter()
        out = flask(env, "import-docs", str(CORPUS), "--mkdocs")
        elapsed = time.perf_counter() - started
        report("corpus import (527 files, 4 languages, incl. process start)", f"{elapsed:.2f}", "s",
               note=out.strip().splitlines()[-1] if out.strip() else "")
        started = time.perf_counter()
        flask(env, "import-docs", str(CORPUS), "--mkdocs")
        report("corpus re-import, nothing changed", f"{time.perf_counter() - started:.2f}", "s")
        _serve(env, report)


def _serve(env, report):
    slugs = [p.relative_to(CORPUS / "en").with_suffix("").as_posix()
             for p in sorted((CORPUS / "en").rglob("*.md"))]
    with gunicorn(env) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        first = []
        for slug in slugs:  # first request renders (per worker) and fills the cache
            first.append(_get(conn, f"/en/docs/{slug}"))
        for slug in slugs:  # make sure both workers have rendered every page
            _get(conn, f"/en/docs/{slug}")
        times = [_get(conn, f"/en/docs/{slug}") for _ in range(5) for slug in slugs]
    report("page first request (renders), median", f"{statistics.median(first):.1f}", "ms")
    report("cached page over HTTP, median", f"{statistics.median(times):.1f}", "ms")
    p95 = percentile(times, 95)
    report("cached page over HTTP, p95", f"{p95:.1f}", "ms", target="< 50 ms", ok=p95 < 50)


def _get(conn, path):
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status}")
    return (time.perf_counter() - started) * 1000
