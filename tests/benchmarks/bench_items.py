"""Benchmark: the item-level product work at full customs scale, on SYNTHETIC data shaped like the KCS item-by-country
feed, through the real pipeline, beside bare DuckDB and pandas doing the same work on the same file.

Data (generated here, labelled SYNTHETIC, never written to raw/ of the checkout): 12,000 HSK-10 items (real HS6
headings + made-up 4-digit suffixes; the six shipped items and the headings with Korea figures in the
shipped Comtrade sample excluded) x partners x months, ~117,000 rows a month
(the real feed: ~1.4 M rows a year), with a long tail: an item trades with 1 to 41 partners (most with few), the
first partner dominates (values fall with the partner's rank), values are heavy-tailed. Written in the KITA HSK-10
layout and appended to a copy of the shipped file, as a user growing that file would.

Per size (`--rows 5000000,10000000,20000000`), each workload in its own process (peak resident memory is per
process, its children included), wall and CPU seconds (other agents share the machine: CPU seconds are the fair
figure):
- pipeline: the `build_warehouse` job (the same as `make warehouse`) on a raw/ copy holding the grown file and an
  empty warehouse: the DuckDB-native load, every dbt model and data test, the gate, publish and report;
- bare DuckDB: the SAME SQL in one plain DuckDB connection, no Dagster and no dbt: the loader's own SQL
  (warehouse/native_load.py) on the same file, then the compiled SQL of every model and data test the pipeline's
  dbt build ran, in its order (from that build's run_results.json). The ratio is the orchestration's overhead;
- pandas: the same product work in pandas: the project's pandas reader with the loader's validation
  (sources/files.py), partner names to ISO3, HSK-10/HS6/HS4/HS2 by month and year, supplier shares, D_i, HHI;
- new month: one further month (SYNTHETIC nitemtrade responses, one per partner, landed as the client lands them)
  through `refresh_monthly` (the KCS item asset, replayed without network, and the gate: the whole dbt build,
  promote, publish, report). Shown as the whole gated run, and as the item models' part of it (the execution
  time of the item models and their tests in that build's run_results.json).

Run: `make bench` (all three sizes) or `python -m tests.benchmarks.bench_items --rows N`. Figures are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from dagster_project import settings

ITEMS = 12_000
FIRST_MONTH = (2007, 1)
REAL_ITEMS = {"2811111000", "3707901010", "3818001000", "7002311000", "8542321010", "8542321030"}
KITA_FILE = "kita_hsk10_semiconductor_inputs/Trade_all.csv"
TOP_PARTNERS = ["China", "USA", "Japan"]


# --------------------------------------------------------------------------------------------------- data


def kita_partners() -> list[str]:
    with (settings.DBT_SEEDS_DIR / "country_name_crosswalk.csv").open(encoding="utf-8") as file:
        names = sorted({r["source_name"] for r in csv.DictReader(file) if r["source"] == "kita_hsk10"})
    return [n for n in TOP_PARTNERS if n in names] + [n for n in names if n not in TOP_PARTNERS]


def comtrade_korea_headings() -> set[str]:
    """HS6 headings for which the shipped Comtrade sample has Korea's own figures (2014, 2018-2020). Synthetic
    HSK-10 items under them would add up to more than Korea's real HS6 imports, and the data test
    child_sum_at_most_parent would rightly fail the build: the synthetic items stay out of them."""
    with duckdb.connect() as con:
        rows = con.execute(
            'select distinct "Commodity Code" from read_csv(?, all_varchar = true, union_by_name = true) '
            "where \"Reporter Code\" = '410'",
            [str(settings.DEFAULT_RAW_DIR / "comtrade_legacy" / "*.csv")],
        ).fetchall()
    return {code.zfill(6) for (code,) in rows}


def item_codes() -> list[str]:
    with (settings.DEFAULT_RAW_DIR / "reference/harmonized-system.csv").open(encoding="utf-8") as file:
        taken = comtrade_korea_headings()
        hs6 = sorted(r["hscode"] for r in csv.DictReader(file) if r["level"] == "6" and r["hscode"] not in taken)
    codes, n = [], 0
    while len(codes) < ITEMS:
        code = f"{hs6[n % len(hs6)]}{(n // len(hs6)) * 10 + 1:02d}00"[:10]
        if code not in REAL_ITEMS:
            codes.append(code)
        n += 1
    return codes


def _months(count: int, start: tuple[int, int] = FIRST_MONTH) -> list[tuple[int, int]]:
    first = start[0] * 12 + start[1] - 1
    return [((first + i) // 12, (first + i) % 12 + 1) for i in range(count)]


def synthetic_rows_sql(month_count: int, start_index: int = 0) -> str:
    """SYNTHETIC item x partner x month rows as SQL over the temp tables `items` and `partners` (deterministic:
    pseudo-random from hashes). Slot j of an item-month is the item's j-th partner."""
    first = FIRST_MONTH[0] * 12 + FIRST_MONTH[1] - 1 + start_index
    return f"""
        with months as (
            select (({first} + i) // 12) as trade_year, (({first} + i) % 12 + 1) as trade_month, i
            from range({month_count}) as r(i)
        ),
        item_months as (
            select items.item_idx, items.code, months.trade_year, months.trade_month,
                -- 1..41 partners, most items few (u^4), varying a little by month
                1 + cast(floor(40 * pow((hash(items.item_idx) % 1000003) / 1000003.0, 4)
                    * (0.8 + 0.4 * ((hash(items.item_idx, months.i) % 1000) / 1000.0))) as integer) as partner_count,
                -- heavy-tailed item size
                exp(8 + 6 * ((hash(items.item_idx, 7) % 1000003) / 1000003.0)) as item_scale
            from items cross join months
        ),
        slots as (
            select item_months.*, unnest(range(least(partner_count, {len(kita_partners())}))) as slot
            from item_months
        )
        select
            slots.code as "Item",
            partners.name as "Country",
            slots.trade_year as "Year",
            slots.trade_month as "Month",
            floor(slots.item_scale * 0.3 * pow(slots.slot + 1, -1.3)
                * (0.5 + (hash(slots.item_idx, slots.trade_year, slots.trade_month, slots.slot, 1) % 1000) / 1000.0))
                as "Export_dollar",
            round(slots.item_scale * 0.01 * pow(slots.slot + 1, -1.3), 1) as "Export_weight",
            floor(slots.item_scale * pow(slots.slot + 1, -1.3)
                * (0.5 + (hash(slots.item_idx, slots.trade_year, slots.trade_month, slots.slot, 2) % 1000) / 1000.0))
                as "Import_dollar",
            round(slots.item_scale * 0.03 * pow(slots.slot + 1, -1.3), 1) as "Import_weight"
        from slots
        inner join partners
            on partners.p_idx = case when slots.slot < 3 then (slots.slot + slots.item_idx) % 3 else slots.slot end
    """


def _generator() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create temp table items (item_idx integer, code varchar)")
    con.executemany("insert into items values (?, ?)", list(enumerate(item_codes())))
    con.execute("create temp table partners (p_idx integer, name varchar)")
    con.executemany("insert into partners values (?, ?)", list(enumerate(kita_partners())))
    return con


def write_grown_raw(rows: int, folder: Path) -> tuple[Path, int, int]:
    """A copy of raw/ whose KITA file is the shipped file plus `rows` SYNTHETIC rows. Returns (raw dir, synthetic
    rows written, months covered)."""
    raw = folder / "raw"
    shutil.copytree(settings.DEFAULT_RAW_DIR, raw, ignore=shutil.ignore_patterns("landing", "inbox"))
    con = _generator()
    rows_per_month = con.execute(f"select count(*) from ({synthetic_rows_sql(12)})").fetchone()[0] / 12
    months = max(1, round(rows / rows_per_month))
    synthetic = folder / "synthetic.csv"
    con.execute(
        f"copy (select * from ({synthetic_rows_sql(months)}) limit {rows}) to '{synthetic}' "
        "(header false, delimiter ',')"
    )
    written = con.execute(f"select count(*) from read_csv('{synthetic}', header = false)").fetchone()[0]
    con.close()
    target = raw / KITA_FILE
    with target.open("ab") as out, synthetic.open("rb") as extra:
        shutil.copyfileobj(extra, out, 1 << 24)
    synthetic.unlink()
    return raw, written, months


def land_next_month(rows_months: int, landing: Path) -> str:
    """SYNTHETIC nitemtrade responses for the month after the grown file's last, one per partner, landed under
    `landing` exactly as the client lands them (body + sidecar + the month's completeness marker)."""
    from dagster_project.sources import kcs_api
    from dagster_project.sources.fetch import ApiRequest
    from dagster_project.sources.landing import land
    from tests.live_payloads import kcs_item_response

    year, month = _months(1, _months(rows_months + 1)[-1])[0]
    key = f"{year:04d}-{month:02d}"
    names = kita_partners()
    iso2 = {"China": "CN", "USA": "US", "Japan": "JP"}
    codes = kcs_api.item_partners()
    others = [c for c in codes if c not in iso2.values()]
    partner_codes = {name: iso2.get(name) or others[i] for i, name in enumerate(names)}
    con = _generator()
    frame = con.execute(f"""select * from ({synthetic_rows_sql(1, rows_months)})""").fetchall()
    by_partner: dict[str, list[dict[str, str]]] = {}
    for item, country, y, m, exp, exp_kg, imp, imp_kg in frame:
        code = partner_codes[country]
        by_partner.setdefault(code, []).append(
            {
                "year": f"{y:04d}.{m:02d}",
                "statCd": code,
                "statCdCntnKor1": country,
                "hsCd": item,
                "statKor": "합성",
                "expDlr": str(int(exp)),
                "impDlr": str(int(imp)),
                "balPayments": str(int(exp) - int(imp)),
                "expWgt": str(int(exp_kg)),
                "impWgt": str(int(imp_kg)),
            }
        )
    yymm = key.replace("-", "")
    for code in codes:
        request = ApiRequest(
            kcs_api.ITEM_TRADE,
            key,
            "http://127.0.0.1/nitemtrade/getNitemtradeList",
            {"strtYymm": yymm, "endYymm": yymm, "cntyCd": code},
        )
        land(
            landing,
            request,
            kcs_item_response(by_partner.get(code, []), codec="utf-8", encoding="UTF-8"),
            status=200,
            content_type="text/xml;charset=UTF-8",
        )
    (landing / kcs_api.ITEM_TRADE / key / kcs_api.COMPLETE_MARKER).write_text(
        json.dumps({"month": key, "partners": codes}), encoding="utf-8"
    )
    return key


# --------------------------------------------------------------------------------------------------- workloads


def _peak_mib() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def _dbt_targets() -> set[Path]:
    return set((settings.DBT_PROJECT_DIR / "target").glob("*/run_results.json"))


def _new_run_results(before: set[Path], run_id: str) -> Path | None:
    """The run_results.json the run just wrote: dagster-dbt gives each invocation its own target folder, named
    `<op>-<run id[:7]>-<uuid[:7]>`, so a benchmark running beside another picks its own."""
    new = [p for p in _dbt_targets() - before if p.parent.name.rsplit("-", 2)[1:2] == [run_id[:7]]]
    return max(new, key=lambda p: p.stat().st_mtime) if new else None


def run_pipeline(raw: str, warehouse: str, keep: str) -> dict:
    os.environ.update(
        {
            "RAW_DIR": raw,
            "WAREHOUSE_PATH": warehouse,
            "SERVING_PATH": str(Path(warehouse).parent / "serving" / "warehouse.duckdb"),
        }
    )
    import dagster as dg

    from dagster_project.cli import run_build_job

    before = _dbt_targets()
    started = time.perf_counter()
    result = run_build_job(instance=dg.DagsterInstance.ephemeral())
    seconds = time.perf_counter() - started
    results = _new_run_results(before, result.run_id)
    if results is not None:  # kept for the bare DuckDB run: the compiled SQL of what this build ran
        shutil.copy(results, Path(keep) / "run_results.json")
        shutil.copy(results.parent / "manifest.json", Path(keep) / "manifest.json")
    steps = _step_seconds(result)
    failed_checks = sum(
        1
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.event_specific_data.passed
    )
    return {"seconds": seconds, "success": result.success, "steps": steps, "failed_checks": failed_checks}


def _step_seconds(result) -> dict[str, float]:
    """Seconds each step of a finished run took, by step key."""
    return {
        event.step_key: getattr(event.event_specific_data, "duration_ms", 0) / 1000
        for event in result.all_events
        if event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE")
    }


def _item_part(run_results: Path) -> tuple[float, int]:
    """Seconds the item models (tag item_marts) and their data tests took in a build, and how many nodes."""
    manifest = json.loads((run_results.parent / "manifest.json").read_text(encoding="utf-8"))
    nodes = manifest["nodes"]
    items = {
        uid for uid, node in nodes.items() if node["resource_type"] == "model" and "item_marts" in node.get("tags", [])
    }
    tests = {
        uid
        for uid, node in nodes.items()
        if node["resource_type"] == "test" and set(node.get("depends_on", {}).get("nodes", [])) & items
    }
    results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    part = [r["execution_time"] for r in results if r["unique_id"] in items | tests]
    return sum(part), len(part)


def run_increment(warehouse: str, landing: str, month: str) -> dict:
    os.environ.update(
        {
            "WAREHOUSE_PATH": warehouse,
            "LANDING_DIR": landing,
            "SERVING_PATH": str(Path(warehouse).parent / "serving" / "warehouse.duckdb"),
        }
    )
    os.environ.pop(settings.KCS_SERVICE_KEY_ENV, None)
    import dagster as dg

    from dagster_project.definitions import defs
    from dagster_project.defs.jobs import GATE

    definitions = defs()
    job = definitions.resolve_job_def("refresh_monthly")
    gate_keys = GATE.resolve(definitions.resolve_asset_graph())
    before = _dbt_targets()
    started = time.perf_counter()
    # the item asset (the other live sources have nothing landed for this month) and the gate
    result = job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        partition_key=month,
        asset_selection=[dg.AssetKey(["raw", "kcs_trade_by_item_country"]), *gate_keys],
    )
    seconds = time.perf_counter() - started
    load = next(
        (
            getattr(e.event_specific_data, "duration_ms", 0) / 1000
            for e in result.all_events
            if e.event_type_value == "STEP_SUCCESS" and e.step_key == "raw__kcs_trade_by_item_country"
        ),
        0,
    )
    results = _new_run_results(before, result.run_id)
    item_seconds, item_nodes = _item_part(results) if results else (0.0, 0)
    rows = (
        duckdb.connect(warehouse, read_only=True)
        .execute("select count(*) from raw.kcs_trade_by_item_country")
        .fetchone()[0]
    )
    return {
        "seconds": seconds,
        "load_seconds": load,
        "item_models_seconds": item_seconds,
        "item_nodes": item_nodes,
        "success": result.success,
        "rows": rows,
        "steps": _step_seconds(result),
    }


def run_bare_duckdb(path: str, folder: str, pipeline_warehouse: str) -> dict:
    """The pipeline's SQL in one plain connection: the loader's SQL on the file, then every model and test the
    pipeline's dbt build ran (compiled SQL, in run order). The other (small) raw tables and the seeds are copied
    from the pipeline's warehouse before the clock starts."""
    from dagster_project.sources import kita
    from dagster_project.warehouse import native_load

    run_results = json.loads((Path(folder) / "run_results.json").read_text(encoding="utf-8"))["results"]
    manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    nodes = manifest["nodes"]
    catalog = next(r["relation_name"].split(".")[0].strip('"') for r in run_results if r.get("relation_name"))
    bare_dir = Path(folder) / "bare"
    bare_dir.mkdir(exist_ok=True)
    con = duckdb.connect(str(bare_dir / f"{catalog}.duckdb"))  # the compiled SQL names this catalog
    spec = kita.TRADE_BY_PARTNER_MONTHLY
    con.execute(f"attach '{pipeline_warehouse}' as pipeline (read_only)")
    seeds = {(n["schema"], n["alias"]) for n in nodes.values() if n["resource_type"] == "seed"}
    copied = [
        (schema, table)
        for schema, table in con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'pipeline'"
        ).fetchall()
        if (schema == settings.RAW_SCHEMA and table not in (spec.table, "quarantine")) or (schema, table) in seeds
    ]
    for schema in {schema for schema, _ in copied} | {settings.RAW_SCHEMA}:
        con.execute(f'create schema if not exists "{schema}"')
    for schema, table in copied:
        con.execute(f'create table "{schema}"."{table}" as select * from pipeline."{schema}"."{table}"')
    con.execute("detach pipeline")
    con.execute(f"set memory_limit = '{settings.duckdb_memory_limit()}'")
    con.execute(f"set threads = {settings.duckdb_threads()}")

    cpu_before, started = _cpu_seconds(), time.perf_counter()
    native_load.load_csv_files(con, settings.RAW_SCHEMA, spec, [(Path(path), spec.relative_path)], load_id="bare")
    loaded = time.perf_counter()
    models = tests = 0
    for result in run_results:
        node = nodes.get(result["unique_id"])
        if node is None or result["status"] not in ("success", "pass", "warn", "fail"):
            continue
        sql = result.get("compiled_code") or node.get("compiled_code")
        if node["resource_type"] == "model":
            con.execute(f'create schema if not exists "{node["schema"]}"')
            kind = "view" if node["config"]["materialized"] == "view" else "table"
            con.execute(f"create or replace {kind} {node['relation_name']} as {sql}")
            models += 1
        elif node["resource_type"] == "test":
            con.execute(f"select count(*) from ({sql}) as dbt_internal_test").fetchone()
            tests += 1
    done = time.perf_counter()
    rows = con.execute(f'select count(*) from "{settings.RAW_SCHEMA}"."{spec.table}"').fetchone()[0]
    return {
        "seconds": done - started,
        "load_seconds": loaded - started,
        "dbt_seconds": done - loaded,
        "cpu_seconds_own": _cpu_seconds() - cpu_before,
        "rows": rows,
        "models": models,
        "tests": tests,
    }


def _crosswalk_rows() -> list[tuple[str, str]]:
    with (settings.DBT_SEEDS_DIR / "country_name_crosswalk.csv").open(encoding="utf-8") as file:
        return [(r["source_name"], r["country_iso3"]) for r in csv.DictReader(file) if r["source"] == "kita_hsk10"]


def run_pandas(path: str) -> dict:
    """The product work in pandas: the project's pandas reader (the loader's validation), then the marts' core."""
    import dataclasses

    import numpy as np
    import pandas as pd

    from dagster_project.sources import kita
    from dagster_project.sources.files import read_csv_files

    started = time.perf_counter()
    spec = dataclasses.replace(kita.TRADE_BY_PARTNER_MONTHLY, engine="pandas")
    rows = read_csv_files([(Path(path), spec.relative_path)], spec).rows
    crosswalk = dict(_crosswalk_rows())
    good = rows[rows["Country"].isin(crosswalk)]
    monthly = (
        good.assign(
            partner=good["Country"].map(crosswalk),
            period_start=good["Year"].astype("int64") * 100 + good["Month"].astype("int64"),
        )
        .groupby(["Item", "partner", "period_start"], as_index=False)[["Export_dollar", "Import_dollar"]]
        .sum()
    )
    del rows, good
    parts = []
    for level, digits in (("hsk10", 10), ("hs6", 6), ("hs4", 4), ("hs2", 2)):
        frame = monthly.assign(code=monthly["Item"].str.slice(0, digits))
        months = frame.groupby(["code", "partner", "period_start"], as_index=False)[
            ["Export_dollar", "Import_dollar"]
        ].sum()
        years = (
            months.assign(period_start=months["period_start"] // 100)
            .groupby(["code", "partner", "period_start"], as_index=False)[["Export_dollar", "Import_dollar"]]
            .sum()
        )
        for grain, table in (("month", months), ("year", years)):
            parts.append(table.assign(level=level, grain=grain))
    by_partner = pd.concat(parts, ignore_index=True)
    keys = ["level", "code", "grain", "period_start"]
    grouped = by_partner.groupby(keys)["Import_dollar"]
    total = grouped.transform("sum")
    by_partner["share"] = by_partner["Import_dollar"] / total.replace(0, np.nan)
    by_partner["is_top"] = (by_partner["Import_dollar"] == grouped.transform("max")) & (by_partner["Import_dollar"] > 0)
    by_partner["share2"] = by_partner["share"] ** 2
    dependence = by_partner.groupby(keys).agg(
        total=("Import_dollar", "sum"), top_share=("share", "max"), hhi=("share2", "sum")
    )
    dependence = dependence[dependence["total"] > 0]
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "dependence_rows": len(dependence)}


def _cpu_seconds() -> float:
    """CPU time (user + system) of this process and its finished children: on a shared machine the wall clock
    also counts other processes' turns, the CPU time does not."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child(kind: str, args: list[str]) -> None:
    before = _cpu_seconds()
    result = {
        "pipeline": run_pipeline,
        "increment": run_increment,
        "bare_duckdb": run_bare_duckdb,
        "pandas": run_pandas,
    }[kind](*args)
    own, children = _peak_mib()
    # bare DuckDB times itself after its untimed setup (copying the small tables); the others count everything
    cpu = result.pop("cpu_seconds_own", None)
    result.update(
        peak_mib=own, children_peak_mib=children, cpu_seconds=cpu if cpu is not None else _cpu_seconds() - before
    )
    print("BENCH-RESULT " + json.dumps(result, default=str))


def _run_child(kind: str, *args: str) -> dict:
    process = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.bench_items", "--child", kind, *args],
        capture_output=True,
        text=True,
        cwd=settings.REPO_ROOT,
    )
    line = next((text for text in process.stdout.splitlines() if text.startswith("BENCH-RESULT ")), None)
    if line is None:
        return {"error": (process.stderr or process.stdout)[-2000:]}
    return json.loads(line[len("BENCH-RESULT ") :])


# --------------------------------------------------------------------------------------------------- main


def _fmt(result: dict, key: str = "seconds") -> str:
    return "error" if "error" in result or key not in result else f"{result[key]:.0f}"


def _mem(result: dict) -> str:
    if "error" in result:
        return "-"
    return f"{max(result['peak_mib'], result.get('children_peak_mib', 0)) / 1024:.2f}"


def _ratio(a: dict, b: dict) -> str:
    if not a.get("cpu_seconds") or not b.get("cpu_seconds"):
        return "-"
    return f"{a['cpu_seconds'] / b['cpu_seconds']:.1f}x"


HEADER = (
    "| synthetic rows | pipeline wall / CPU s (peak GiB) | bare DuckDB wall / CPU s (peak GiB) "
    "| pandas wall / CPU s (peak GiB) | pipeline / bare, CPU | pandas / pipeline, CPU "
    "| new month, whole gated run: wall / CPU s (peak GiB) | new month, item models' part s | new month / full, CPU |"
)


def _pair(result: dict) -> str:
    """`wall / CPU s (peak GiB)`, or `skipped (...)` for a column not run on purpose."""
    if "skipped" in result:
        return f"skipped ({result['skipped']})"
    return f"{_fmt(result)} / {_fmt(result, 'cpu_seconds')} ({_mem(result)})"


def table_line(written: int, pipeline: dict, bare: dict, pandas_result: dict, increment: dict) -> str:
    ok = "" if pipeline.get("success") else " (FAILED)"
    share = (
        f"{increment['cpu_seconds'] / pipeline['cpu_seconds'] * 100:.1f} %"
        if "error" not in increment and "error" not in pipeline
        else "-"
    )
    return (
        f"| {written / 1e6:.0f} M{ok} | {_pair(pipeline)} | {_pair(bare)} | {_pair(pandas_result)} | "
        f"{_ratio(pipeline, bare)} | {_ratio(pandas_result, pipeline)} | {_pair(increment)} | "
        f"{increment.get('item_models_seconds', 0):.1f} | {share} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="5000000,10000000,20000000", help="comma-separated synthetic row counts")
    parser.add_argument(
        "--pandas-max-rows",
        type=int,
        default=20_000_000,
        help="skip pandas above this size (it holds everything in memory)",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1:])
        return

    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; DuckDB "
        f"{duckdb.__version__}, memory_limit {settings.duckdb_memory_limit()}, threads {settings.duckdb_threads()}"
    )
    print("data: SYNTHETIC, generated by tests/benchmarks/bench_items.py (12,000 HSK-10 items x partners x months)")
    lines = []
    for rows in [int(float(r)) for r in args.rows.split(",")]:
        folder = Path(tempfile.mkdtemp(prefix="bench_items_"))
        try:
            raw, written, months = write_grown_raw(rows, folder)
            path = str(raw / KITA_FILE)
            print(
                f"\n{written:,} synthetic rows ({months} months) + the shipped file: {path} "
                f"({Path(path).stat().st_size / 2**20:,.0f} MiB); load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            warehouse = str(folder / "warehouse.duckdb")
            pipeline = _run_child("pipeline", str(raw), warehouse, str(folder))
            print(f"  pipeline: {json.dumps(pipeline)[:700]}", flush=True)
            bare = _run_child("bare_duckdb", path, str(folder), warehouse)
            print(f"  bare DuckDB: {json.dumps(bare)}", flush=True)
            pandas_result = (
                _run_child("pandas", path)
                if rows <= args.pandas_max_rows
                else {"skipped": f"> {args.pandas_max_rows / 1e6:g} M"}
            )
            print(f"  pandas: {json.dumps(pandas_result)[:400]}", flush=True)
            landing = folder / "landing"
            month = land_next_month(months, landing)
            increment = _run_child("increment", warehouse, str(landing), month)
            print(f"  new month ({month}): {json.dumps(increment)[:500]}", flush=True)
            lines.append(table_line(written, pipeline, bare, pandas_result, increment))
            print("\n" + HEADER + "\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n" + "\n".join(lines), flush=True)
        finally:
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
    print(
        f"\nload average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall clock includes "
        "waiting for other processes; CPU s does not)"
    )


if __name__ == "__main__":
    main()
