"""Benchmark: publish latency, and how soon a BI-server-like process sees a publish.

Publishes the built work file (`make warehouse` first) and a copy of it that differs by one SYNTHETIC marker table
(`marts.bench_synthetic_marker`, written only into a temporary copy, never into data/ or a served path of the
project) alternately into a temporary served path, and prints per-publish latency (min/median/max). With the
generation layout it also times a publish whose marts equal the served generation's (nothing new is written).

Then, in this one process, it holds a read-only connection to the served path open (as a threaded BI server with
overlapping queries always does), publishes the other build, and polls with new connections until one sees it:
the seconds until the new build is visible, or "never" within --wait seconds.

Run: `python -m tests.benchmarks.bench_publish` (or `--module-file old_publish.py` to time another implementation
of `publish(work_file, served_file)`, e.g. main's, saved with `git show main:dagster_project/warehouse/publish.py`).
"""

import argparse
import importlib.util
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from dagster_project import settings

MARKER = "marts.bench_synthetic_marker"


def load_module(module_file: str | None):
    if not module_file:
        from dagster_project.warehouse import publish as module

        return module
    spec = importlib.util.spec_from_file_location("publish_under_test", module_file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def has_marker(con) -> bool:
    return (
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'marts' and table_name = 'bench_synthetic_marker'"
        ).fetchone()[0]
        == 1
    )


def seconds_until_visible(served: Path, want_marker: bool, wait: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < wait:
        with duckdb.connect(str(served), read_only=True) as con:
            if has_marker(con) == want_marker:
                return time.monotonic() - started
        time.sleep(0.01)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default=str(settings.warehouse_path()))
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--wait", type=float, default=10.0)
    parser.add_argument("--module-file")
    args = parser.parse_args()
    module = load_module(args.module_file)
    label = args.module_file or module.__name__

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        work_a = Path(shutil.copy(args.work, tmp / "work_a.duckdb"))
        work_b = Path(shutil.copy(args.work, tmp / "work_b.duckdb"))
        with duckdb.connect(str(work_b)) as con:
            con.execute(f"create table {MARKER} as select 'SYNTHETIC benchmark marker' as note")
        served = tmp / "serving" / "warehouse.duckdb"

        latencies, walls = [], []
        for i in range(args.rounds):
            started = time.monotonic()
            result = module.publish(work_b if i % 2 else work_a, served)
            walls.append(time.monotonic() - started)
            latencies.append(result.seconds)
        size = served.stat().st_size / 1e6
        print(
            f"{label}: {args.rounds} publishes of a {size:.1f} MB file, changed content each time: latency "
            f"min {min(latencies):.3f} s, median {statistics.median(latencies):.3f} s, max {max(latencies):.3f} s "
            f"(wall median {statistics.median(walls):.3f} s)"
        )
        if hasattr(module, "marts_fingerprint"):
            same = [module.publish(work_b if (args.rounds - 1) % 2 else work_a, served).seconds for _ in range(3)]
            print(f"{label}: 3 publishes of unchanged marts (nothing written): median {statistics.median(same):.3f} s")

        # One process, one connection held open across the publish: the threaded BI server's pattern.
        with duckdb.connect(str(served), read_only=True) as holder:
            before = has_marker(holder)
            started = time.monotonic()
            module.publish(work_a if before else work_b, served)
            publish_seconds = time.monotonic() - started
            visible = seconds_until_visible(served, not before, args.wait)
            held = has_marker(holder)
        print(
            f"{label}: with a connection held open in this process, a publish took {publish_seconds:.3f} s; "
            + (
                f"a new connection saw the new build {visible:.3f} s after it returned"
                if visible is not None
                else f"new connections did NOT see the new build within {args.wait:.0f} s"
            )
            + f"; the held connection still reads the {'new' if held != before else 'old'} build"
        )


if __name__ == "__main__":
    main()
