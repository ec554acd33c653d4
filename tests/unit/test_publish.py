"""publish() and rollback() on small real DuckDB files, with readers in this and other processes where it matters.

ALL FIGURES HERE ARE SYNTHETIC: each file holds one "generation" number and a few rows made from it, so a test can
tell which file a reader sees. Only the shape of the marts (the columns serving_checks and the report read) is the
real one.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from dagster_project.warehouse import publish as publishing
from dagster_project.warehouse.publish import (
    PublishError,
    file_fingerprint,
    generation_info,
    list_generations,
    pointer_target,
    previous_path,
    publish,
    rollback,
    serving_checks,
    wal_path,
)

# Reads the generation of a file in another process: once at start, then once per line on stdin, printing each.
HOLDING_READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
read = lambda: print(con.execute("select max(generation) from marts.fct_trade_totals").fetchone()[0], flush=True)
read()
for _ in sys.stdin:
    read()
"""
# Writes rows and dies without closing: the rows are committed to the WAL but not checkpointed into the file.
CRASHING_WRITER = """
import os, sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("update marts.fct_trade_totals set generation = 99")
os._exit(0)
"""
# Holds a write connection until stdin closes, as a still-running dbt would.
HOLDING_WRITER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("open", flush=True)
sys.stdin.read()
"""
FINGERPRINT = "import sys; from dagster_project.warehouse.publish import file_fingerprint as f; print(f(sys.argv[1]))"


def make_warehouse(path: Path, generation: int, *, break_invariant: bool = False, reverse: bool = False) -> Path:
    """A minimal SYNTHETIC warehouse of one year: partners, reported totals (Σ partners within 1-3 % of them, or 20 %
    off with break_invariant), and the other core marts. `reverse` inserts the same rows in another order and adds
    raw rows that differ per build, so two files hold equal marts in different bytes."""
    partners = [
        ("KOR", "CHN", "year", "2000-01-01", 100 + generation, 70),
        ("KOR", "USA", "year", "2000-01-01", 200, None),
    ]
    exports = sum(p[4] for p in partners)
    reported_export = exports * 1.2 if break_invariant else exports + 3
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create schema raw")
        con.execute("create table raw.loads as select now() as _loaded_at, ? as _load_id", [str(path)])
        con.execute("""create table marts.fct_bilateral_trade (reporter_iso3 varchar, partner_iso3 varchar,
                       period_grain varchar, period_start date, export_usd decimal(28, 6), import_usd decimal(28, 6),
                       balance_usd decimal(28, 6))""")
        for row in reversed(partners) if reverse else partners:
            con.execute(
                "insert into marts.fct_bilateral_trade values (?, ?, ?, ?, ?, ?, ? - coalesce(?, 0))",
                [*row, row[4], row[5]],
            )
        con.execute(
            """create table marts.fct_trade_totals as select 'KOR' as reporter_iso3, 'year' as period_grain,
               date '2000-01-01' as period_start, ?::decimal(28, 6) as reported_export_usd,
               72::decimal(28, 6) as reported_import_usd, ?::decimal(28, 6) - ? as unallocated_export_usd,
               2::decimal(28, 6) as unallocated_import_usd, ? as generation""",
            [reported_export, reported_export, exports, generation],
        )
        con.execute("""create table marts.fct_partner_shares as select 'KOR' as reporter_iso3, 'DEU' as partner_iso3,
                       'year' as period_grain, date '2000-01-01' as period_start, null::double as export_usd,
                       null::double as export_share, null::double as import_share""")
        con.execute("create table marts.dim_country as select 'KOR' as country_iso3, 'Korea' as name_en")
        for table in ("fct_bilateral_trade", "fct_partner_shares"):  # the report cites each row's source
            con.execute(f"alter table marts.{table} add column source varchar default 'synthetic'")
    return path


def generation(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select max(generation) from marts.fct_trade_totals").fetchone()[0]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(served: Path) -> list[str]:
    """Temp files and WALs beside the served path or its generations: a finished publish leaves none."""
    found = []
    for directory in (served.parent, publishing.generations_dir(served)):
        if directory.is_dir():
            found += [p.name for p in directory.iterdir() if publishing.TEMP_MARKER in p.name or p.suffix == ".wal"]
    return sorted(found)


def start(script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def read_again(reader: subprocess.Popen) -> str:
    reader.stdin.write("again\n")
    reader.stdin.flush()
    return reader.stdout.readline().strip()


@pytest.fixture
def served(tmp_path) -> Path:
    return tmp_path / "serving" / "warehouse.duckdb"


@pytest.fixture
def warehouses(tmp_path):
    """warehouses(n) -> a new synthetic work file of generation n."""

    def make(n: int, **kwargs) -> Path:
        return make_warehouse(tmp_path / f"work{n}-{len(list(tmp_path.glob('work*')))}.duckdb", n, **kwargs)

    return make


def test_each_publish_is_a_new_generation_behind_a_symlink(warehouses, served):
    first = publish(warehouses(1), served)
    assert first.previous_file is None and first.changed
    assert served.is_symlink() and not os.path.isabs(os.readlink(served))  # relative: the folder can move
    assert generation(served) == 1
    assert [c.name for c in first.checks if c.passed] == [
        "rows:fct_bilateral_trade",
        "rows:fct_trade_totals",
        "rows:fct_partner_shares",
        "rows:dim_country",
        "reported_totals_present",
        "every_partner_year_has_a_reported_total",
        "partner_sums_within_bound_of_reported_totals",
    ]

    second = publish(warehouses(2), served)
    third = publish(warehouses(3), served)

    generations = list_generations(served)
    assert generations == [first.generation, second.generation, third.generation]
    assert all(g.parent.name == "generations" and g.name.startswith("warehouse-") for g in generations)
    assert pointer_target(served) == third.generation and pointer_target(previous_path(served)) == second.generation
    assert (generation(served), generation(previous_path(served))) == (3, 2)
    assert [generation(g) for g in generations] == [1, 2, 3]  # each generation file is left as published
    assert third.previous_file == served.with_name("warehouse.previous.duckdb")
    assert generation_info(third.generation)["fingerprint"] == third.fingerprint == file_fingerprint(served)
    assert third.size_bytes == third.generation.stat().st_size and third.seconds >= third.copy_seconds > 0
    assert leftovers(served) == []


def test_the_generation_count_is_bounded_and_the_served_and_previous_are_never_pruned(warehouses, served):
    results = [publish(warehouses(n), served, keep=3) for n in range(1, 6)]
    assert list_generations(served) == [r.generation for r in results[2:]]
    assert results[3].pruned == (results[0].generation,) and results[4].pruned == (results[1].generation,)
    assert not publishing.sidecar_path(results[0].generation).exists()

    rollback(served, to=results[2].generation.name)  # serve the oldest kept one; the newest becomes previous
    sixth = publish(warehouses(6), served, keep=2)

    # The two newest by name would be 5 and 6; 3 was served until this publish, so it is the previous one and stays.
    assert [generation(g) for g in list_generations(served)] == [3, 6]
    assert (generation(served), generation(previous_path(served))) == (6, 3)
    assert sixth.pruned == (results[3].generation, results[4].generation)
    with pytest.raises(ValueError, match="at least 2"):
        publish(warehouses(7), served, keep=1)
    assert leftovers(served) == []


def test_the_generation_count_setting(monkeypatch, warehouses, served):
    from dagster_project import settings

    monkeypatch.setenv(settings.SERVING_GENERATIONS_KEEP_ENV, "2")
    for n in range(1, 5):
        publish(warehouses(n), served)
    assert [generation(g) for g in list_generations(served)] == [3, 4]
    monkeypatch.setenv(settings.SERVING_GENERATIONS_KEEP_ENV, "one")
    with pytest.raises(ValueError, match="SERVING_GENERATIONS_KEEP='one' is not a whole number"):
        settings.serving_generations_keep()


def test_a_reader_of_a_pruned_generation_keeps_reading_it(warehouses, served):
    publish(warehouses(1), served, keep=2)
    reader = start(HOLDING_READER, str(served))
    held_here = duckdb.connect(str(served), read_only=True)
    try:
        assert reader.stdout.readline().strip() == "1"
        oldest = pointer_target(served)
        for n in (2, 3, 4):
            publish(warehouses(n), served, keep=2)
        assert not oldest.exists(), "generation 1 should have been pruned"
        assert read_again(reader) == "1"
        assert held_here.execute("select max(generation) from marts.fct_trade_totals").fetchone()[0] == 1
        assert generation(served) == 4
    finally:
        held_here.close()
        reader.stdin.close()
        assert reader.wait(timeout=30) == 0


def test_equal_marts_in_different_bytes_publish_nothing_and_do_not_rotate(warehouses, served):
    publish(warehouses(1), served)
    second = publish(warehouses(2), served)
    rebuilt = warehouses(2, reverse=True)  # the same marts, rows in another order, different raw rows
    assert sha256(rebuilt) != sha256(second.generation)

    again = publish(rebuilt, served)

    assert not again.changed and again.generation == second.generation and again.fingerprint == second.fingerprint
    assert again.checks == () and again.copy_seconds == 0
    assert [generation(g) for g in list_generations(served)] == [1, 2]
    assert (generation(served), generation(previous_path(served))) == (2, 1)

    third = publish(warehouses(3), served)
    assert third.changed and (generation(served), generation(previous_path(served))) == (3, 2)


def test_the_fingerprint_rehashes_only_the_builds_whose_rows_changed(tmp_path):
    """SYNTHETIC rows under three dbt build ids. After an incremental-like change (rows of build a deleted, rows of
    build c inserted), the fingerprint computed with the recorded parts equals the one computed from scratch; the
    recorded sums of untouched builds are what it uses, a build with fewer rows is hashed again, and so is every
    build of a table whose columns changed."""
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.t (dbt_invocation_id varchar, k integer, v double)")
        con.execute("insert into marts.t values ('a', 1, 0.5), ('a', 2, 1.5), ('a', 3, 2.5), ('b', 4, 3.5)")
        con.execute("insert into marts.t values ('b', 5, 4.5), (null, 6, 5.5)")
        fingerprint, parts = publishing.marts_fingerprint_parts(con)
        assert fingerprint == publishing.marts_fingerprint(con)
        builds = parts["relations"]["t"]["builds"]
        assert {key: rows for key, (rows, _) in builds.items()} == {"a": 3, "b": 2, "": 1}

        con.execute("delete from marts.t where k = 1")
        con.execute("insert into marts.t values ('c', 7, 6.5), ('c', 8, 7.5)")
        scratch = publishing.marts_fingerprint(con)
        assert scratch != fingerprint
        again, new_parts = publishing.marts_fingerprint_parts(con, parts)
        assert again == scratch
        assert new_parts["relations"]["t"]["builds"]["b"] == builds["b"]
        # Proof that b's recorded sum is used and a's (now 2 rows, not 3) is not: falsify both records.
        falsified = json.loads(json.dumps(parts))
        falsified["relations"]["t"]["builds"]["b"][1] = "12345"
        assert publishing.marts_fingerprint_parts(con, falsified)[0] != scratch
        falsified = json.loads(json.dumps(parts))
        falsified["relations"]["t"]["builds"]["a"][1] = "12345"
        assert publishing.marts_fingerprint_parts(con, falsified)[0] == scratch
        # Other columns, or another DuckDB: nothing recorded is reused.
        falsified["relations"]["t"]["builds"]["b"][1] = "12345"
        con.execute("alter table marts.t add column w integer default 0")
        assert publishing.marts_fingerprint_parts(con, falsified)[0] == publishing.marts_fingerprint(con)
        other_version = {**falsified, "duckdb": "0.0.0"}
        con.execute("alter table marts.t drop column w")
        assert publishing.marts_fingerprint_parts(con, other_version)[0] == scratch


def test_the_marts_fingerprint_sees_every_change_and_nothing_else(tmp_path, warehouses):
    base = warehouses(1)
    fingerprint = file_fingerprint(base)
    in_another_process = subprocess.run(
        [sys.executable, "-c", FINGERPRINT, str(base)], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()
    assert in_another_process == fingerprint
    assert file_fingerprint(warehouses(1, reverse=True)) == fingerprint

    def changed(sql: str) -> str:
        copy = Path(shutil.copy(base, tmp_path / f"changed-{len(list(tmp_path.glob('changed-*')))}.duckdb"))
        with duckdb.connect(str(copy)) as con:
            con.execute(sql)
        return file_fingerprint(copy)

    variants = [
        changed("update marts.fct_bilateral_trade set import_usd = 71 where partner_iso3 = 'CHN'"),
        changed("insert into marts.fct_bilateral_trade select * from marts.fct_bilateral_trade limit 1"),
        changed("alter table marts.dim_country rename column name_en to name_english"),
        changed("alter table marts.fct_trade_totals alter generation type bigint"),  # same values, another type
        changed("create view marts.v as select 1 as one"),
        # a description BI tools show (dbt's persist_docs writes them as comments)
        changed("comment on table marts.fct_bilateral_trade is 'Annual and monthly trade by partner.'"),
        changed("comment on column marts.fct_bilateral_trade.import_usd is 'Imports, CIF, USD.'"),
        # a reference table (a dbt seed) that BI tools join to, and a change of its rows that reaches no mart
        changed("create schema reference; create table reference.critical_items as select 'DRAM' as item_name"),
        changed("create schema reference; create table reference.critical_items as select 'Flash' as item_name"),
        changed("update marts.fct_partner_shares set export_share = 0.3"),
    ]
    assert fingerprint not in variants and len(set(variants)) == len(variants)
    # Parallel sums of doubles may differ in the last bit between two builds of the same inputs: that is equal.
    assert changed("update marts.fct_partner_shares set export_share = 0.1::double + 0.2::double") == variants[-1]
    assert changed("update marts.fct_partner_shares set export_share = 0.300000001") != variants[-1]
    assert changed("update raw.loads set _loaded_at = now() + interval 1 day") == fingerprint  # not a mart
    # Which dbt invocation wrote a row is not content; the column itself is.
    with_build_id = changed("alter table marts.dim_country add column dbt_invocation_id varchar default 'run-1'")
    assert with_build_id != fingerprint
    assert (
        changed("alter table marts.dim_country add column dbt_invocation_id varchar default 'run-2'") == with_build_id
    )
    # Nor is when its source rows were loaded: a rebuild from the same files reloads them.
    loaded = changed(
        "alter table marts.dim_country add column vintage_loaded_at timestamp default timestamp '2026-01-01'"
    )
    assert loaded != fingerprint
    assert changed("alter table marts.dim_country add column vintage_loaded_at timestamp default now()") == loaded


def test_a_rollback_serves_the_previous_generation_and_twice_rolls_forward(warehouses, served):
    with pytest.raises(PublishError, match="nothing to roll back"):
        rollback(served)
    publish(warehouses(1), served)
    with pytest.raises(PublishError, match="nothing to roll back to"):
        rollback(served)
    publish(warehouses(2), served)

    done = rollback(served)
    assert (generation(served), generation(previous_path(served))) == (1, 2)
    assert generation(done.generation) == 1 and generation(done.replaced) == 2 and done.checks
    rollback(served)
    assert (generation(served), generation(previous_path(served))) == (2, 1)
    publish(warehouses(3), served)
    rollback(served, to=list_generations(served)[0].name)
    assert (generation(served), generation(previous_path(served))) == (1, 3)
    with pytest.raises(PublishError, match="no generation warehouse-nope"):
        rollback(served, to="warehouse-nope.duckdb")
    assert leftovers(served) == []


def test_a_rollback_to_a_generation_that_fails_its_checks_is_refused(warehouses, served):
    publish(warehouses(1, break_invariant=True), served, verify=None)  # as if published before the check existed
    publish(warehouses(2), served)
    before = (pointer_target(served), pointer_target(previous_path(served)))

    with pytest.raises(PublishError, match=r"refusing to roll back to .*partner_sums_within_bound_of_reported_totals"):
        rollback(served)

    assert (pointer_target(served), pointer_target(previous_path(served))) == before


def test_a_threaded_bi_server_is_not_stuck_on_a_generation(warehouses, served):
    """The pointer keeps nothing stale in DuckDB's per-file instance cache: with a connection open on generation 1,
    rolling back to it and forward again serves each at once (generation files never change, so reusing an open
    instance of one is always right)."""
    publish(warehouses(1), served)
    publish(warehouses(2), served)
    held = duckdb.connect(str(served), read_only=True)
    try:
        assert held.execute("select max(generation) from marts.fct_trade_totals").fetchone()[0] == 2
        rollback(served)
        assert generation(served) == 1
        rollback(served)
        assert generation(served) == 2
    finally:
        held.close()


def plain_replace_publish(work: Path, served: Path, **_) -> None:
    """The publish before generations: a copy renamed over the served file (os.replace, atomic)."""
    served.parent.mkdir(parents=True, exist_ok=True)
    temp = served.with_name(f".{served.name}.tmp")
    shutil.copyfile(work, temp)
    os.replace(temp, served)


class Client:
    """One BI client library, opening read-only connections to the served path the way a BI server does."""

    def __init__(self, kind: str, served: Path):
        self.kind = kind
        # Superset's way: one engine, a new connection per query (NullPool), read_only in the engine parameters.
        self.engine = (
            sa.create_engine(f"duckdb:///{served}", connect_args={"read_only": True}, poolclass=sa.pool.NullPool)
            if kind == "sqlalchemy"
            else None
        )
        self.served = served

    def connect(self):
        return self.engine.connect() if self.engine else duckdb.connect(str(self.served), read_only=True)

    def generation(self, con) -> int:
        sql = "select max(generation) from marts.fct_trade_totals"
        return con.execute(sa.text(sql)).scalar() if self.engine else con.execute(sql).fetchone()[0]


@pytest.mark.parametrize("client_kind", ["duckdb", "sqlalchemy"])
@pytest.mark.parametrize(
    "publish_with",
    [
        pytest.param(publish, id="pointer"),
        pytest.param(
            plain_replace_publish,
            id="os.replace",
            marks=pytest.mark.xfail(
                strict=True,
                raises=AssertionError,
                reason="DuckDB reuses the open instance of the replaced file: new connections read the old build",
            ),
        ),
    ],
)
def test_a_threaded_bi_server_sees_a_publish_at_once(warehouses, served, publish_with, client_kind):
    """The BI server's access pattern in one process: a long-lived read-only connection stays open, and worker
    threads open overlapping connections, query twice and close, while a publish happens. A connection opened after
    the publish must read the new generation; nothing may fail."""
    publish_with(warehouses(1), served)
    client = Client(client_kind, served)
    long_lived = client.connect()
    errors, after_publish = [], []
    published, stop = threading.Event(), threading.Event()
    # Each worker's reads before and after the publish (each must make some of both; the test waits on these).
    reads_before = [threading.Event() for _ in range(4)]
    reads_after = [threading.Semaphore(0) for _ in range(4)]

    def worker(number: int) -> None:
        while not stop.is_set():
            opened_after_publish = published.is_set()
            try:
                with client.connect() as con:
                    first = client.generation(con)
                    time.sleep(0.01)  # overlap with the other workers' connections
                    assert client.generation(con) == first, "one connection read two generations"
            except Exception as error:  # noqa: BLE001 (every failure of a read is what the test counts)
                errors.append(f"{type(error).__name__}: {error}")
            else:
                if opened_after_publish:
                    after_publish.append(first)
                    reads_after[number].release()
                else:
                    reads_before[number].set()

    workers = [threading.Thread(target=worker, args=(number,)) for number in range(4)]
    try:
        assert client.generation(long_lived) == 1
        for thread in workers:
            thread.start()
        assert all(event.wait(timeout=60) for event in reads_before), "the workers made no reads"
        publish_with(warehouses(2), served)
        published.set()
        with client.connect() as fresh:
            fresh_generation = client.generation(fresh)
        # three connections per worker opened after the publish
        assert all(done.acquire(timeout=60) for done in reads_after for _ in range(3))
    finally:
        stop.set()
        for thread in workers:
            thread.join(timeout=30)
        held_generation = client.generation(long_lived)
        long_lived.close()

    assert errors == []
    assert held_generation == 1  # the open connection finishes on its snapshot
    assert after_publish, "the workers made no reads after the publish"
    assert fresh_generation == 2
    assert set(after_publish) == {2}


def test_the_work_files_wal_is_checkpointed_into_the_published_copy(warehouses, served):
    work = warehouses(1)
    subprocess.run([sys.executable, "-c", CRASHING_WRITER, str(work)], check=True, timeout=60)
    assert wal_path(work).exists(), "the writer should have left its WAL behind"

    publish(work, served)

    assert generation(served) == 99
    assert leftovers(served) == [] and not wal_path(work).exists()


def test_a_failed_check_publishes_nothing(tmp_path, warehouses, served):
    first = publish(warehouses(1), served)
    before = sha256(served)

    with pytest.raises(PublishError, match="partner_sums_within_bound_of_reported_totals"):
        publish(warehouses(2, break_invariant=True), served)
    with pytest.raises(PublishError, match="does not exist"):
        publish(tmp_path / "missing.duckdb", served)

    assert sha256(served) == before and list_generations(served) == [first.generation]
    assert not previous_path(served).exists()
    assert leftovers(served) == []


def test_the_serving_checks_compare_partner_sums_with_the_reported_totals(tmp_path):
    """Σ partners within 5 % of the publisher's total row since 1970, 12 % before; totals present; each partner
    year has a total. SYNTHETIC rows, each year built to sit on one side of its bound."""
    path = tmp_path / "checks.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("""create table marts.fct_bilateral_trade as select * from (values
            ('KOR', 'USA', 'year', date '1966-01-01', 89.0, 100.0),   -- 11 % below: within the early bound
            ('KOR', 'USA', 'year', date '1990-01-01', 96.0, 104.0),   -- 4 % off: within 5 %
            ('KOR', 'USA', 'year', date '1991-01-01', 93.0, 100.0),   -- 7 % below: outside
            ('KOR', 'USA', 'year', date '1992-01-01', 100.0, 100.0),  -- no reported import total
            ('KOR', 'USA', 'year', date '1993-01-01', 100.0, 100.0),  -- no total row at all
            ('KOR', 'CHN', 'month', date '1990-01-01', 1.0, 1.0)      -- months are not checked
            ) t(reporter_iso3, partner_iso3, period_grain, period_start, export_usd, import_usd)""")
        con.execute("""create table marts.fct_trade_totals as select * from (values
            ('KOR', 'year', date '1966-01-01', 100.0, 100.0),
            ('KOR', 'year', date '1990-01-01', 100.0, 100.0),
            ('KOR', 'year', date '1991-01-01', 100.0, 100.0),
            ('KOR', 'year', date '1992-01-01', 100.0, null)
            ) t(reporter_iso3, period_grain, period_start, reported_export_usd, reported_import_usd)""")
        con.execute("create table marts.fct_partner_shares as select 1 as x")
        checks = {c.name: c for c in serving_checks(con)}

    assert not checks["rows:dim_country"].passed and checks["rows:dim_country"].detail == "missing"
    assert not checks["reported_totals_present"].passed
    assert checks["reported_totals_present"].detail.startswith("1 of 4 years")
    assert not checks["every_partner_year_has_a_reported_total"].passed
    assert "[1993]" in checks["every_partner_year_has_a_reported_total"].detail
    bound = checks["partner_sums_within_bound_of_reported_totals"]
    assert not bound.passed and bound.detail.startswith("1 of 7 year-flows outside the bound: 1991 export -7.0%")


def test_a_work_file_held_by_a_writer_is_not_published(warehouses, served):
    work = warehouses(1)
    writer = start(HOLDING_WRITER, str(work))
    try:
        assert writer.stdout.readline().strip() == "open"
        with pytest.raises(PublishError, match="cannot read the work file"):
            publish(work, served)
    finally:
        writer.stdin.close()
        assert writer.wait(timeout=30) == 0
    assert not served.exists() and list_generations(served) == []


def test_leftovers_of_a_crashed_publish_are_cleared(warehouses, served):
    publishing.generations_dir(served).mkdir(parents=True)
    (publishing.generations_dir(served) / f".warehouse{publishing.TEMP_MARKER}copy-12345.duckdb").write_bytes(b"half")
    served.with_name(f".{served.name}{publishing.TEMP_MARKER}link-12345").symlink_to("nowhere")
    wal_path(served).write_bytes(b"not this file's log")

    publish(warehouses(1), served)

    assert generation(served) == 1
    assert leftovers(served) == []


def test_the_plain_files_of_the_old_layout_are_adopted_without_a_gap(warehouses, served):
    served.parent.mkdir(parents=True)
    shutil.copyfile(warehouses(1), previous_path(served))
    shutil.copyfile(warehouses(2), served)
    reader = start(HOLDING_READER, str(served))
    try:
        assert reader.stdout.readline().strip() == "2"
        publish(warehouses(3), served)
        assert read_again(reader) == "2"
    finally:
        reader.stdin.close()
        assert reader.wait(timeout=30) == 0
    assert served.is_symlink() and previous_path(served).is_symlink()
    assert (generation(served), generation(previous_path(served))) == (3, 2)
    assert sorted(generation(g) for g in list_generations(served)) == [1, 2, 3]
    rollback(served)
    assert generation(served) == 2


def test_publishes_do_not_interleave(warehouses, served):
    work = warehouses(1)
    served.parent.mkdir(parents=True)
    done = threading.Event()
    worker = threading.Thread(target=lambda: (publish(work, served), done.set()))
    with publishing._publish_lock(served):
        worker.start()
        assert not done.wait(timeout=1.0), "publish ran while another held the lock"
        assert not served.exists()
    worker.join(timeout=30)
    assert done.is_set() and generation(served) == 1


def test_the_rollback_command_checks_the_target_and_redraws_the_report(tmp_path, warehouses, served):
    publish(warehouses(1), served)
    publish(warehouses(2), served)
    report = served.parent / "report" / "report.html"
    env = {**os.environ, "SERVING_PATH": str(served), "WAREHOUSE_PATH": str(tmp_path / "work.duckdb")}
    command = [sys.executable, "-m", "dagster_project.cli", "rollback"]

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert (generation(served), generation(previous_path(served))) == (1, 2)
    assert f"served file: {served} -> {pointer_target(served).name}" in done.stdout
    assert f"report redrawn from the served file: {report}" in done.stdout and report.is_file()

    publish(warehouses(3, break_invariant=True), served, verify=None)
    rollback(served, to=list_generations(served)[1].name, verify=None)  # serve 2; the broken 3 is previous
    report.unlink()
    refused = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "rollback refused, nothing changed: refusing to roll back" in refused.stderr
    assert generation(served) == 2 and not report.exists()
    previous_path(served).unlink()
    nothing = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert nothing.returncode == 1 and "nothing to roll back to" in nothing.stderr
