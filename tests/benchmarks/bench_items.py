"""Benchmark: the item-level product work at full customs scale, on SYNTHETIC data shaped like the KCS item-by-country
feed, through the real pipeline, beside bare DuckDB and pandas doing the same work on the same file.

Data (generated here, labelled SYNTHETIC, never written to raw/ of the checkout): 12,000 HSK-10 items (real HS6
headings + made-up 4-digit suffixes; the six shipped items excluded) x partners x months, ~117,000 rows a month
(the real feed: ~1.4 M rows a year), with a long tail: an item trades with 1 to 41 partners (most with few), the
first partner dominates (values fall with the partner's rank), values are heavy-tailed. Written in the KITA HSK-10
layout and appended to a copy of the shipped file, as a user growing that file would.

Per size (`--rows 5000000,10000000,20000000`), each in its own process (peak resident memory is per process):
- pipeline: the `build_warehouse` job (the same as `make warehouse`) on a raw/ copy holding the grown file: the
  DuckDB-native load, every model (the item marts and the older product marts) and every data test, publish and
  report; its load and dbt step times are shown too;
- increment: one further month (SYNTHETIC nitemtrade responses, one per partner, landed as the API would land
  them) through the KCS item asset (replay: no network) and the item marts' window run (dbt vars min/max_date);
- bare DuckDB: one connection, the same work as SQL: typed read, the loader's validation rules, partner names to
  ISO3, HSK-10/HS6/HS4/HS2 by month and year, supplier shares, top share D_i, HHI, supplier count;
- pandas: the same work with pandas (read with dtypes, the same checks, groupby/transform).

Run: `make bench` (all three sizes; ~20 minutes on 2 cores) or `python -m tests.benchmarks.bench_items --rows N`.
Figures are printed, never asserted.
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


def item_codes() -> list[str]:
    with (settings.DEFAULT_RAW_DIR / "reference/harmonized-system.csv").open(encoding="utf-8") as file:
        hs6 = sorted(r["hscode"] for r in csv.DictReader(file) if r["level"] == "6")
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
    con.execute(f"copy (select * from ({synthetic_rows_sql(months)}) limit {rows}) to '{synthetic}' "
                "(header false, delimiter ',')")
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
    from dagster_project.sources.fetch import ApiRequest, land
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
        by_partner.setdefault(code, []).append({
            "year": f"{y:04d}.{m:02d}", "statCd": code, "statCdCntnKor1": country, "hsCd": item, "statKor": "합성",
            "expDlr": str(int(exp)), "impDlr": str(int(imp)), "balPayments": str(int(exp) - int(imp)),
            "expWgt": str(int(exp_kg)), "impWgt": str(int(imp_kg))})
    yymm = key.replace("-", "")
    for code in codes:
        request = ApiRequest(kcs_api.ITEM_TRADE, key, "http://127.0.0.1/nitemtrade/getNitemtradeList",
                             {"strtYymm": yymm, "endYymm": yymm, "cntyCd": code})
        land(landing, request, kcs_item_response(by_partner.get(code, []), codec="utf-8", encoding="UTF-8"),
             status=200, content_type="text/xml;charset=UTF-8")
    (landing / kcs_api.ITEM_TRADE / key / kcs_api.COMPLETE_MARKER).write_text(
        json.dumps({"month": key, "partners": codes}), encoding="utf-8")
    return key


# --------------------------------------------------------------------------------------------------- workloads


def _peak_mib() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def run_pipeline(raw: str, warehouse: str) -> dict:
    os.environ.update({"RAW_DIR": raw, "WAREHOUSE_PATH": warehouse,
                       "SERVING_PATH": str(Path(warehouse).parent / "serving" / "warehouse.duckdb")})
    import dagster as dg

    from dagster_project.cli import run_build_job

    started = time.perf_counter()
    result = run_build_job(instance=dg.DagsterInstance.ephemeral())
    seconds = time.perf_counter() - started
    steps = {}
    for event in result.all_events:
        if event.event_type_value == "STEP_SUCCESS" or event.event_type_value == "STEP_FAILURE":
            steps[event.step_key] = event.event_specific_data.duration_ms / 1000 if hasattr(
                event.event_specific_data, "duration_ms") else None
    failed_checks = sum(1 for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
                        and not e.event_specific_data.passed)
    return {"seconds": seconds, "success": result.success, "steps": steps, "failed_checks": failed_checks}


def run_increment(warehouse: str, landing: str, month: str) -> dict:
    os.environ.update({"WAREHOUSE_PATH": warehouse, "LANDING_DIR": landing})
    os.environ.pop(settings.KCS_SERVICE_KEY_ENV, None)
    import dagster as dg

    from dagster_project.definitions import defs

    job = defs().resolve_job_def("refresh_monthly")
    started = time.perf_counter()
    # the item asset alone (the other live sources have nothing landed for this month)
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False,
                                    partition_key=month,
                                    asset_selection=[dg.AssetKey(["raw", "kcs_trade_by_item_country"])])
    loaded = time.perf_counter()
    year, number = int(month[:4]), int(month[5:])
    end = f"{year + number // 12:04d}-{number % 12 + 1:02d}-01"
    settings.export_warehouse_path()
    dbt = subprocess.run([settings.DBT_EXECUTABLE, "build", "--select", "tag:item_marts", "--vars",
                          json.dumps({"min_date": f"{month}-01", "max_date": end})],
                         cwd=settings.DBT_PROJECT_DIR, capture_output=True, text=True)
    done = time.perf_counter()
    rows = duckdb.connect(warehouse, read_only=True).execute(
        "select count(*) from raw.kcs_trade_by_item_country").fetchone()[0]
    return {"seconds": done - started, "load_seconds": loaded - started, "dbt_seconds": done - loaded,
            "success": result.success and dbt.returncode == 0, "rows": rows,
            "dbt_tail": dbt.stdout.splitlines()[-1:] if dbt.returncode else []}


def _crosswalk_rows() -> list[tuple[str, str]]:
    with (settings.DBT_SEEDS_DIR / "country_name_crosswalk.csv").open(encoding="utf-8") as file:
        return [(r["source_name"], r["country_iso3"]) for r in csv.DictReader(file) if r["source"] == "kita_hsk10"]


BARE_SQL = """
create table rows as select * from read_csv('{path}', header = true, auto_detect = false, columns = {{
    'Item': 'VARCHAR', 'Country': 'VARCHAR', 'Year': 'BIGINT', 'Month': 'BIGINT', 'Export_dollar': 'DOUBLE',
    'Export_weight': 'DOUBLE', 'Import_dollar': 'DOUBLE', 'Import_weight': 'DOUBLE'}});
create table rejects as select * from rows
    where not regexp_full_match(Item, '[0-9]{{10}}') or Country is null
       or Country not in (select name from crosswalk) or Month not between 1 and 12
       or Export_dollar < 0 or Import_dollar < 0 or Export_weight < 0 or Import_weight < 0;
create table duplicates as select Item, Country, Year, Month from rows group by all having count(*) > 1;
create table monthly as
    select Item as code, iso3 as partner, make_date(Year, Month, 1) as period_start,
        sum(Export_dollar) as export_usd, sum(Import_dollar) as import_usd
    from rows join crosswalk on crosswalk.name = rows.Country
    where regexp_full_match(Item, '[0-9]{{10}}') and Month between 1 and 12
    group by all;
create table levels as
    select 'hsk10' as level, code, partner, period_start, export_usd, import_usd from monthly
    union all select 'hs6', code[1:6], partner, period_start, sum(export_usd), sum(import_usd) from monthly group by all
    union all select 'hs4', code[1:4], partner, period_start, sum(export_usd), sum(import_usd) from monthly group by all
    union all select 'hs2', code[1:2], partner, period_start, sum(export_usd), sum(import_usd) from monthly group by all;
create table by_partner as
    with periods as (
        select level, code, partner, 'month' as grain, period_start, export_usd, import_usd from levels
        union all
        select level, code, partner, 'year', make_date(year(period_start), 1, 1), sum(export_usd), sum(import_usd)
        from levels group by level, code, partner, year(period_start)
    )
    select *, import_usd / nullif(sum(import_usd) over w, 0) as share,
        import_usd = max(import_usd) over w and import_usd > 0 as is_top
    from periods window w as (partition by level, code, grain, period_start);
create table dependence as
    select level, code, grain, period_start, sum(import_usd) as total_import_usd,
        max(share) as top_share, sum(share * share) as hhi, count(*) filter (where import_usd > 0) as suppliers,
        min(partner) filter (where is_top) as top_supplier
    from by_partner group by all having sum(import_usd) > 0;
"""


def run_bare_duckdb(path: str, folder: str) -> dict:
    con = duckdb.connect(str(Path(folder) / "bare.duckdb"))
    con.execute(f"set threads = {settings.duckdb_threads()}")
    con.execute("create table crosswalk (name varchar, iso3 varchar)")
    con.executemany("insert into crosswalk values (?, ?)", _crosswalk_rows())
    started = time.perf_counter()
    for statement in BARE_SQL.format(path=path).split(";"):
        if statement.strip():
            con.execute(statement)
    seconds = time.perf_counter() - started
    rows = con.execute("select count(*) from rows").fetchone()[0]
    return {"seconds": seconds, "rows": rows, "dependence_rows": con.execute(
        "select count(*) from dependence").fetchone()[0]}


def run_pandas(path: str) -> dict:
    import numpy as np
    import pandas as pd

    started = time.perf_counter()
    rows = pd.read_csv(path, dtype={"Item": "string", "Country": "string", "Year": "int64", "Month": "int64",
                                    "Export_dollar": "float64", "Export_weight": "float64",
                                    "Import_dollar": "float64", "Import_weight": "float64"},
                       keep_default_na=False, na_values=[""], engine="c")
    crosswalk = dict(_crosswalk_rows())
    bad = (~rows["Item"].str.fullmatch(r"\d{10}").fillna(False) | rows["Country"].isna()
           | ~rows["Country"].isin(crosswalk) | ~rows["Month"].between(1, 12)
           | (rows[["Export_dollar", "Import_dollar", "Export_weight", "Import_weight"]] < 0).any(axis=1))
    rows.duplicated(["Item", "Country", "Year", "Month"]).sum()
    good = rows[~bad]
    monthly = (good.assign(partner=good["Country"].map(crosswalk),
                           period_start=good["Year"] * 100 + good["Month"])
               .groupby(["Item", "partner", "period_start"], as_index=False)[["Export_dollar", "Import_dollar"]].sum())
    del rows, good
    parts = []
    for level, digits in (("hsk10", 10), ("hs6", 6), ("hs4", 4), ("hs2", 2)):
        frame = monthly.assign(code=monthly["Item"].str.slice(0, digits))
        months = frame.groupby(["code", "partner", "period_start"], as_index=False)[["Export_dollar", "Import_dollar"]].sum()
        years = (months.assign(period_start=months["period_start"] // 100)
                 .groupby(["code", "partner", "period_start"], as_index=False)[["Export_dollar", "Import_dollar"]].sum())
        for grain, table in (("month", months), ("year", years)):
            parts.append(table.assign(level=level, grain=grain))
    by_partner = pd.concat(parts, ignore_index=True)
    keys = ["level", "code", "grain", "period_start"]
    grouped = by_partner.groupby(keys)["Import_dollar"]
    total = grouped.transform("sum")
    by_partner["share"] = by_partner["Import_dollar"] / total.replace(0, np.nan)
    by_partner["is_top"] = (by_partner["Import_dollar"] == grouped.transform("max")) & (by_partner["Import_dollar"] > 0)
    by_partner["share2"] = by_partner["share"] ** 2
    dependence = by_partner.groupby(keys).agg(total=("Import_dollar", "sum"), top_share=("share", "max"),
                                              hhi=("share2", "sum"))
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
    result = {"pipeline": run_pipeline, "increment": run_increment, "bare_duckdb": run_bare_duckdb,
              "pandas": run_pandas}[kind](*args)
    own, children = _peak_mib()
    result.update(peak_mib=own, children_peak_mib=children, cpu_seconds=_cpu_seconds() - before)
    print("BENCH-RESULT " + json.dumps(result, default=str))


def _run_child(kind: str, *args: str) -> dict:
    process = subprocess.run([sys.executable, "-m", "tests.benchmarks.bench_items", "--child", kind, *args],
                             capture_output=True, text=True, cwd=settings.REPO_ROOT)
    line = next((l for l in process.stdout.splitlines() if l.startswith("BENCH-RESULT ")), None)
    if line is None:
        return {"error": (process.stderr or process.stdout)[-2000:]}
    return json.loads(line[len("BENCH-RESULT "):])


# --------------------------------------------------------------------------------------------------- main


def _fmt(result: dict, key: str = "seconds") -> str:
    return "error" if "error" in result else f"{result[key]:.1f}"


def _mem(result: dict) -> str:
    if "error" in result:
        return "-"
    return f"{max(result['peak_mib'], result.get('children_peak_mib', 0)) / 1024:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="5000000,10000000,20000000", help="comma-separated synthetic row counts")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1:])
        return

    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; DuckDB "
          f"{duckdb.__version__}, memory_limit {settings.duckdb_memory_limit()}, threads {settings.duckdb_threads()}")
    print("data: SYNTHETIC, generated by tests/benchmarks/bench_items.py (12,000 HSK-10 items x partners x months)")
    table = []
    for rows in [int(float(r)) for r in args.rows.split(",")]:
        folder = Path(tempfile.mkdtemp(prefix="bench_items_"))
        try:
            raw, written, months = write_grown_raw(rows, folder)
            path = str(raw / KITA_FILE)
            print(f"\n{written:,} synthetic rows ({months} months) + the shipped file: {path} "
                  f"({Path(path).stat().st_size / 2**20:,.0f} MiB)", flush=True)
            warehouse = str(folder / "warehouse.duckdb")
            pipeline = _run_child("pipeline", str(raw), warehouse)
            print(f"  pipeline: {json.dumps(pipeline)[:600]}", flush=True)
            landing = folder / "landing"
            month = land_next_month(months, landing)
            increment = _run_child("increment", warehouse, str(landing), month)
            print(f"  increment ({month}): {json.dumps(increment)[:400]}", flush=True)
            bare = _run_child("bare_duckdb", path, str(folder))
            print(f"  bare DuckDB: {json.dumps(bare)}", flush=True)
            pandas_result = _run_child("pandas", path)
            print(f"  pandas: {json.dumps(pandas_result)[:400]}", flush=True)
            steps = pipeline.get("steps", {})
            load = steps.get("raw__kita_hsk10_trade_by_partner_monthly")
            dbt = steps.get("trade_dbt_models")
            table.append((written, pipeline, load, dbt, increment, bare, pandas_result))
        finally:
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)

    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall clock includes waiting "
          "for other processes; CPU s does not)")
    print("\n| synthetic rows | pipeline s (load / dbt) | pipeline CPU s | passed | peak GiB | new month s (load / dbt) "
          "| new month CPU s | bare DuckDB s / CPU s (GiB) | pandas s / CPU s (GiB) | pipeline / bare (CPU) "
          "| pandas / pipeline (CPU) |")
    print("|---:|---:|---:|:-:|---:|---:|---:|---:|---:|---:|---:|")
    for written, pipeline, load, dbt, increment, bare, pandas_result in table:
        ratio_bare = (f"{pipeline['cpu_seconds'] / bare['cpu_seconds']:.1f}x"
                      if "error" not in pipeline and "error" not in bare else "-")
        ratio_pandas = (f"{pandas_result['cpu_seconds'] / pipeline['cpu_seconds']:.2f}x"
                        if "error" not in pipeline and "error" not in pandas_result else "-")
        print(f"| {written / 1e6:.0f} M | {_fmt(pipeline)} ({load or 0:.1f} / {dbt or 0:.1f}) | "
              f"{_fmt(pipeline, 'cpu_seconds')} | {'yes' if pipeline.get('success') else 'NO'} | {_mem(pipeline)} | "
              f"{_fmt(increment)} ({increment.get('load_seconds', 0):.1f} / {increment.get('dbt_seconds', 0):.1f}) | "
              f"{_fmt(increment, 'cpu_seconds')} | {_fmt(bare)} / {_fmt(bare, 'cpu_seconds')} ({_mem(bare)}) | "
              f"{_fmt(pandas_result)} / {_fmt(pandas_result, 'cpu_seconds')} ({_mem(pandas_result)}) | "
              f"{ratio_bare} | {ratio_pandas} |")


if __name__ == "__main__":
    main()
