"""Run every benchmark module and print one table.

Each `bench/bench_<name>.py` defines `run(report)`; it calls
`report(name, value, unit, target=None, ok=None, note="")` once per measurement.
`python -m bench NAME ...` runs only the named modules.
"""
import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path

ROWS = []


def report(name, value, unit, target=None, ok=None, note=""):
    """Record one measurement for the table."""
    ROWS.append((name, value, unit, target or "", "" if ok is None else ("ok" if ok else "MISS"),
                 note))
    print(f"  {name}: {value} {unit} {note}", flush=True)


def main(selected):
    here = Path(__file__).parent
    modules = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if selected:
        modules = [m for m in modules if m.removeprefix("bench_") in selected or m in selected]
    failed = []
    for name in modules:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        try:
            importlib.import_module(f"bench.{name}").run(report)
        except Exception:
            traceback.print_exc()
            failed.append(name)
        print(f"   ({time.perf_counter() - started:.1f}s)", flush=True)
    _print_table()
    if failed:
        print("benchmarks that failed to run: " + ", ".join(failed))
    return 1 if failed else 0


def _print_table():
    headers = ("measurement", "value", "unit", "target", "", "note")
    rows = [headers] + [tuple(str(c) for c in row) for row in ROWS]
    widths = [max(len(r[i]) for r in rows) for i in range(len(headers))]
    print()
    for i, row in enumerate(rows):
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if i == 0:
            print("-+-".join("-" * w for w in widths))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
