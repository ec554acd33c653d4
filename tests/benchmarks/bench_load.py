"""Benchmark: parse, validate and load a large SYNTHETIC file in the KITA HSK-10 layout into DuckDB.

Prints rows, seconds and rows/s for parsing and for the atomic load, and the peak memory of the process.
The data is generated here (random values, real partner names so the rules pass) and is SYNTHETIC: it is never
written to raw/ and never reaches a mart. Run: `make bench` (or `python -m tests.benchmarks.bench_load --rows N`).
"""

import argparse
import io
import resource
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from dagster_project.sources import kita
from dagster_project.sources.files import parse_csv
from dagster_project.warehouse.load import replace_source_rows


def synthetic_kita_csv(rows: int, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    partners = sorted(kita.known_partner_names())
    items = ["2811111000", "3707901010", "3818001000", "7002311000", "8542321010", "8542321030"]
    index = np.arange(rows)
    frame = pd.DataFrame(
        {
            "Item": np.array(items)[index % len(items)],
            "Country": np.array(partners)[(index // len(items)) % len(partners)],
            # one key per row: year and month advance once items x partners are used up
            "Year": 1900 + index // (len(items) * len(partners) * 12),
            "Month": (index // (len(items) * len(partners))) % 12 + 1,
            "Export_dollar": rng.integers(0, 10**9, rows),
            "Export_weight": rng.random(rows) * 1e6,
            "Import_dollar": rng.integers(0, 10**9, rows),
            "Import_weight": rng.random(rows) * 1e6,
        }
    )
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()

    data = synthetic_kita_csv(args.rows)
    started = time.perf_counter()
    parsed = parse_csv(data, kita.TRADE_BY_PARTNER_MONTHLY, "synthetic-benchmark.csv")
    parse_seconds = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as folder, duckdb.connect(str(Path(folder) / "bench.duckdb")) as con:
        started = time.perf_counter()
        result = replace_source_rows(
            con, "raw", "bench_kita", parsed.rows, load_id="benchmark", quarantined=parsed.quarantined
        )
        load_seconds = time.perf_counter() - started

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"synthetic KITA-layout rows: {args.rows:,} ({len(data) / 2**20:.1f} MiB of CSV)")
    print(
        f"parse + validate: {parse_seconds:.2f} s ({args.rows / parse_seconds:,.0f} rows/s); "
        f"quarantined {len(parsed.quarantined)}"
    )
    print(f"atomic load into DuckDB: {load_seconds:.2f} s ({result.row_count / load_seconds:,.0f} rows/s)")
    print(f"peak resident memory: {peak_mib:,.0f} MiB")


if __name__ == "__main__":
    main()
