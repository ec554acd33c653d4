"""Real Dagster runs of the build_warehouse job, with real dbt, into temporary DuckDB files."""

import fcntl
import json
import os
import shutil
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import dagster as dg
import duckdb
import pytest

from dagster_project import settings
from dagster_project.defs.partitions import range_tags

T = TypeVar("T")


@contextmanager
def environment(**values: str):
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def definitions(tmp_path_factory):
    """The project's Definitions, loaded the way `dagster dev` loads them, after `dbt parse`."""
    from dagster_project.cli import prepare

    prepare()
    # dagster-dbt writes a folder per dbt call under DBT_TARGET_PATH (default dbt_project/target/, ~8 MB each, about
    # 40 a session): this session's go to its temp dir, primed with dbt's partial-parse file like target/ itself.
    target = tmp_path_factory.mktemp("dbt_target")
    partial_parse = settings.DBT_TARGET_DIR / "partial_parse.msgpack"
    if partial_parse.exists():
        shutil.copy(partial_parse, target)
    os.environ["DBT_TARGET_PATH"] = str(target)
    from dagster_project.definitions import defs

    return defs()


@pytest.fixture(scope="session")
def run_job(definitions):
    """Run a job of the definitions (a selection of its assets, a partition, or a range) against a given warehouse
    file and raw folder, in process, on an ephemeral instance. The run publishes to `served` (default:
    serving/<name> beside the work file), never to the repo's data/."""

    def run(
        name: str,
        warehouse: Path,
        raw_dir: Path = settings.DEFAULT_RAW_DIR,
        selection=None,
        partition_key: str | None = None,
        partition_range: tuple[str, str] | None = None,
        instance=None,
        served: Path | None = None,
    ):
        job = definitions.resolve_job_def(name)
        served = served or served_path_for(warehouse)
        tags = range_tags(*partition_range) if partition_range else {}
        with environment(WAREHOUSE_PATH=str(warehouse), RAW_DIR=str(raw_dir), SERVING_PATH=str(served)):
            return job.execute_in_process(
                instance=instance or dg.DagsterInstance.ephemeral(),
                raise_on_error=False,
                asset_selection=selection,
                partition_key=partition_key,
                tags=tags,
            )

    return run


@pytest.fixture(scope="session")
def run_build(run_job):
    """Run build_warehouse (or a selection of its assets) against a given warehouse file and raw folder."""

    def run(warehouse: Path, raw_dir: Path = settings.DEFAULT_RAW_DIR, selection=None, served: Path | None = None):
        return run_job("build_warehouse", warehouse, raw_dir, selection=selection, served=served)

    return run


def kept_candidate(warehouse: Path, result) -> Path:
    """The candidate a run built but did not promote (a failure, or a selection without serving/warehouse), kept
    beside the work file for inspection."""
    path = warehouse.parent / "candidates" / f"{result.run_id}.failed.duckdb"
    assert path.exists(), f"no kept candidate for run {result.run_id}"
    return path


def served_path_for(warehouse: Path) -> Path:
    return warehouse.parent / "serving" / warehouse.name


@dataclass(frozen=True)
class CheckSummary:
    asset_key: dg.AssetKey
    check_name: str
    passed: bool
    severity: dg.AssetCheckSeverity


@dataclass(frozen=True)
class BuildSummary:
    """What the tests read of the baseline build's run, in a form that parallel test workers can share (a file)."""

    run_id: str
    success: bool
    materialized: frozenset[dg.AssetKey]
    checks: tuple[CheckSummary, ...]
    # serving/report's metadata as text: Markdown, paths and numbers (what the UI shows of the report)
    report_metadata: dict[str, str]

    @classmethod
    def of(cls, result) -> "BuildSummary":
        report = [
            event.materialization.metadata
            for event in result.get_asset_materialization_events()
            if event.asset_key == dg.AssetKey(["serving", "report"])
        ]
        return cls(
            run_id=result.run_id,
            success=result.success,
            materialized=frozenset(event.asset_key for event in result.get_asset_materialization_events()),
            checks=tuple(
                CheckSummary(c.asset_key, c.check_name, c.passed, c.severity) for c in check_evaluations(result)
            ),
            report_metadata={key: metadata_text(value) for key, value in (report[0] if report else {}).items()},
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "run_id": self.run_id,
                "success": self.success,
                "materialized": sorted(key.to_user_string() for key in self.materialized),
                "checks": [
                    [c.asset_key.to_user_string(), c.check_name, c.passed, c.severity.value] for c in self.checks
                ],
                "report_metadata": self.report_metadata,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> "BuildSummary":
        data = json.loads(text)
        return cls(
            run_id=data["run_id"],
            success=data["success"],
            materialized=frozenset(dg.AssetKey.from_user_string(key) for key in data["materialized"]),
            checks=tuple(
                CheckSummary(dg.AssetKey.from_user_string(key), name, passed, dg.AssetCheckSeverity(severity))
                for key, name, passed, severity in data["checks"]
            ),
            report_metadata=data["report_metadata"],
        )


def metadata_text(value) -> str:
    """A metadata value as the text it carries (Markdown source, a path, a number)."""
    if isinstance(value, dg.MarkdownMetadataValue):
        return value.md_str
    if isinstance(value, dg.PathMetadataValue):
        return str(value.path)
    return str(value.value)


def once_per_session(tmp_path_factory, name: str, make: Callable[[Path], str]) -> tuple[Path, str]:
    """`make(folder)` run once per test session, even with parallel workers: the first worker to get here runs it
    under a file lock, the others wait and reuse its folder. Returns (folder, the text `make` returned).

    (pytest-xdist's `xdist_group` does not keep tests on one worker under pytest 9.2: xdist 3.8 renames a grouped
    test through `item._nodeid`, which pytest no longer reads, so a module fixture would run once per worker;
    pytest-dev/pytest-xdist#1386.)"""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path_factory.mktemp(name)
        return folder, make(folder)
    shared = tmp_path_factory.getbasetemp().parent  # the session's temp root, common to its workers
    folder, done = shared / name, shared / f"{name}.done"
    with open(shared / f"{name}.lock", "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            folder.mkdir(exist_ok=True)
            done.write_text(make(folder), encoding="utf-8")
    return folder, done.read_text(encoding="utf-8")


def empty_work_dir(tmp_path_factory) -> Path:
    """The worker's work folder, emptied: the same path in every test of a worker (a worker runs its tests one after
    another). dbt's profile names a run's candidate, which lies beside the work file, so runs on a work file here
    start from the dbt parse the worker's previous run left instead of parsing the project from scratch (~7 s)."""
    folder = tmp_path_factory.getbasetemp() / "work"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    return folder


def gated_at_work_path(tmp_path_factory, folder: Path, prepare: Callable[[Path], None], run: Callable[[Path, Path], T]):
    """A session's shared warehouse made by a gated run at the worker's work path (so that run and the worker's
    later runs share dbt's parse), then moved into `folder`, where the run served it (`folder/serving/`):
    `prepare(work_file)` puts the starting file in place, `run(work_file, served)` runs and returns its result."""
    work = empty_work_dir(tmp_path_factory) / "warehouse.duckdb"
    prepare(work)
    result = run(work, folder / "serving" / work.name)
    # with the run's candidates/ (its published base, or a failed candidate kept for inspection), as if built there
    for path in (work, work.parent / "candidates"):
        if path.exists():
            shutil.move(path, folder / path.name)
    return result


@pytest.fixture(scope="session")
def built(tmp_path_factory, run_build):
    """One complete build from the shipped raw/ files, shared read-only by every test of the session and by all
    parallel workers: (warehouse path, BuildSummary of its run)."""

    def make(folder: Path) -> str:
        result = gated_at_work_path(
            tmp_path_factory, folder, lambda work: None, lambda work, served: run_build(work, served=served)
        )
        return BuildSummary.of(result).to_json()

    folder, summary = once_per_session(tmp_path_factory, "built", make)
    return folder / "warehouse.duckdb", BuildSummary.from_json(summary)


@pytest.fixture
def work_dir(tmp_path_factory) -> Path:
    """An empty folder for a test's work file (`warehouse.duckdb`), at the worker's work path (`empty_work_dir`):
    the test's runs start from the dbt parse the worker's previous runs left."""
    return empty_work_dir(tmp_path_factory)


@pytest.fixture
def warehouse_copy(built, work_dir):
    """A private copy of the built warehouse, for tests that run again or break things (in `work_dir`)."""
    source, result = built
    assert result.success, "the baseline build failed; see test_build"
    return Path(shutil.copy(source, work_dir / "warehouse.duckdb"))


@pytest.fixture
def raw_copy(tmp_path):
    """A private, writable copy of raw/ for tests that corrupt a file."""
    target = tmp_path / "raw"
    shutil.copytree(settings.DEFAULT_RAW_DIR, target, ignore=shutil.ignore_patterns("landing", "inbox"))
    return target


def query(warehouse: Path, sql: str):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def table_contents(warehouse: Path, table: str, exclude: tuple[str, ...] = ()):
    columns = f" exclude ({', '.join(exclude)})" if exclude else ""
    return query(warehouse, f"select *{columns} from {table} order by all")


def step_failure_messages(result) -> list[str]:
    """Each failed step's error message, with the messages of its causes."""
    messages = []
    for event in result.all_events:
        if event.is_step_failure:
            error, parts = event.step_failure_data.error, []
            while error is not None:
                parts.append(error.message)
                error = error.cause
            messages.append("\n".join(parts))
    return messages


# What dbt's text debug log says when it starts from a saved parse, and when it cannot (dbt's events
# PartialParsingEnabled and UnableToPartialParse)
PARTIAL_PARSE_USED = "Partial parsing enabled:"
PARSED_FROM_SCRATCH = "Unable to do partial parsing because"


def dbt_log(folder: Path) -> str:
    """The debug log dbt wrote in one invocation's folder (dbt's text format, as `dbt build` by hand writes it)."""
    return (folder / "dbt.log").read_text(encoding="utf-8")


def dbt_run_log(run_id: str) -> str:
    """The debug log of a run's dbt invocation (dagster-dbt names its folder `<op>-<run id[:7]>-<uuid[:7]>` under
    DBT_TARGET_PATH)."""
    target = Path(os.environ["DBT_TARGET_PATH"])
    (folder,) = [p for p in target.iterdir() if p.is_dir() and p.name.rsplit("-", 2)[-2:-1] == [run_id[:7]]]
    return dbt_log(folder)


def dbt_invocation_folders() -> set[Path]:
    """Every dbt invocation's folder under DBT_TARGET_PATH so far (dagster-dbt writes one per `dbt` call)."""
    return {p for p in Path(os.environ["DBT_TARGET_PATH"]).iterdir() if (p / "dbt.log").is_file()}


def parsed_from_scratch(folders: set[Path]) -> list[str]:
    """The invocations among `folders` whose dbt could not reuse a saved parse and parsed the whole project."""
    return sorted(folder.name for folder in folders if PARSED_FROM_SCRATCH in dbt_log(folder))


def check_evaluations(result):
    return [
        event.event_specific_data for event in result.all_events if event.event_type_value == "ASSET_CHECK_EVALUATION"
    ]


def inflate_june_2019_china_exports(raw_dir: Path) -> None:
    """A plausible but wrong monthly figure (+US$50 m of exports in June 2019, a valid number): the months no
    longer add up to the year, so the error-severity test monthly_sums_match_annual fails."""
    path = raw_dir / "kosis_monthly_china/korea-china-trade-data.csv"
    text = path.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if '"2019.06"' in line)
    fields = row.split(",")
    fields[-2] = str(int(fields[-2]) + 50_000)
    path.write_text(text.replace(row, ",".join(fields)), encoding="utf-8")


MONTHLY_SUMS_CHECK = (
    "monthly_sums_match_annual_fct_bilateral_trade_reporter_iso3__partner_iso3__6500__export_usd__import_usd"
)
