"""Resources shared by every run: the warehouse (behind the run gate) and the dbt CLI."""

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from importlib import metadata
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource
from packaging import version
from pydantic import PrivateAttr

from dagster_project import dbt_manifest, settings
from dagster_project.defs.project import trade_dbt_project
from dagster_project.warehouse import gate
from dagster_project.warehouse.live_tables import ensure_live_tables


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse as one run sees it: a candidate copy of the last good work file.

    Set up once per run (whatever starts it: CLI, schedule, sensor, UI): take the warehouse lock, copy the work
    file to `candidates/<work file name>` (or move it there when its last publish kept its bytes: gate.py). Every
    loader and dbt write the candidate. `serving/warehouse` promotes it over the work file once a whole dbt build
    passed on it in this run; otherwise, at the end of the run, it is set aside as `<run id>.failed.duckdb` and the
    work file is as it was before the run.
    """

    _lock: gate.WarehouseLock | None = PrivateAttr(default=None)
    _candidate: gate.Candidate | None = PrivateAttr(default=None)
    _promoted: bool = PrivateAttr(default=False)
    _log = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        work_file = settings.warehouse_path()
        run_id = context.run.run_id if context.run else "adhoc"
        self._log = context.log
        lock = gate.WarehouseLock(work_file)
        lock.acquire(run_id, timeout=settings.warehouse_lock_timeout(), on_wait=context.log.warning)
        self._lock = lock
        try:
            self._candidate = gate.prepare_candidate(work_file, run_id)
        except BaseException:
            lock.release()
            raise
        with duckdb.connect(str(self._candidate.path)) as con:
            ensure_live_tables(con, settings.RAW_SCHEMA)  # a fresh warehouse builds every model, empty or not
        if self._candidate.moved:
            origin = f"the work file {work_file}, moved: its bytes are also in {gate.base_path(work_file)}"
        else:
            origin = f"a copy of {work_file}" if work_file.exists() else "empty: first build"
        context.log.info(f"run {run_id} builds the candidate {self._candidate.path} ({origin})")

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        try:
            if self._candidate is not None and not self._promoted:
                kept = gate.set_aside_failed(
                    self._candidate,
                    f"run {self._candidate.run_id}: not promoted (a load, a dbt model or an error-severity test "
                    "failed, or the run stopped before serving/warehouse); the work file is unchanged",
                )
                gate.prune_failed(self._candidate.work_file, settings.FAILED_CANDIDATES_KEEP)
                if kept is not None:
                    context.log.warning(f"candidate not promoted; kept for inspection as {kept}")
        finally:
            if self._lock is not None:
                self._lock.release()

    @property
    def candidate(self) -> gate.Candidate:
        if self._candidate is None:
            raise RuntimeError("the warehouse resource is used outside a run")
        return self._candidate

    @property
    def path(self) -> Path:
        return self.candidate.path

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to this run's candidate."""
        with duckdb.connect(str(self.path)) as con:
            yield con

    @contextmanager
    def dbt_environment(self) -> Iterator[None]:
        """dbt's profiles.yml reads WAREHOUSE_PATH: point it (and the dbt subprocess) at the candidate."""
        saved = os.environ.get(settings.WAREHOUSE_PATH_ENV)
        os.environ[settings.WAREHOUSE_PATH_ENV] = str(self.path)
        try:
            yield
        finally:
            if saved is None:
                os.environ.pop(settings.WAREHOUSE_PATH_ENV, None)
            else:
                os.environ[settings.WAREHOUSE_PATH_ENV] = saved

    def mark_passed(self, what: str) -> None:
        gate.mark_passed(self.candidate, what)

    def has_passed(self) -> bool:
        return gate.has_passed(self.candidate)

    def promote(self) -> Path:
        promoted = gate.promote(self.candidate)
        self._promoted = True
        return promoted


class TradeDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource without two costs this project never uses (~3 s each, per resource and per
    invocation, measured): `dbt --version` in a subprocess to learn the version of the dbt beside this interpreter,
    and a dbt adapter opened in the Dagster process, only used by `fetch_row_counts()`/`fetch_column_metadata()`.

    And each invocation starts from the parse the last one with the same profile left (dbt_manifest.py, "parse
    state"): without it every run's dbt parsed the whole project again (~7 s), since the candidate's path is in the
    profile. `keep_parse_state(invocation)` after an invocation finished keeps its state for the next.
    """

    def _states_dir(self) -> Path:
        # where dagster-dbt reads target/partial_parse.msgpack from: DBT_TARGET_PATH, default <project>/target
        path = Path(os.environ.get("DBT_TARGET_PATH") or "target")
        return path if path.is_absolute() else Path(self.project_dir) / path

    @staticmethod
    def _target(args: Sequence[str]) -> str:
        args = list(args)
        return args[args.index("--target") + 1] if "--target" in args[:-1] else "(profile default)"

    def cli(self, args: Sequence[str], *, target_path: Path | None = None, context=None, **kwargs):
        if "--log-format-file" not in args:
            # dagster-dbt needs JSON on stdout (DBT_LOG_FORMAT=json), and the file log would follow it. The
            # invocation folder's dbt.log stays a debug log in dbt's own text format, as `dbt build` by hand writes
            # it: serialising its ~5,500 debug events as JSON cost a warm build ~3 s of CPU (measured, README Speed).
            args = [*args, "--log-format-file", settings.DBT_LOG_FORMAT_FILE]
        target_path = target_path or self._get_unique_target_path(context=context)
        folder = target_path if target_path.is_absolute() else Path(self.project_dir) / target_path
        key = dbt_manifest.profile_key(Path(self.project_dir), self._target(args))
        dbt_manifest.restore_parse_state(self._states_dir(), key, folder)
        return super().cli(args, target_path=target_path, context=context, **kwargs)

    def keep_parse_state(self, invocation) -> None:
        """Keep the parse state a finished invocation left, for the next invocation with the same profile."""
        key = dbt_manifest.profile_key(Path(self.project_dir), self._target(invocation.process.args))
        dbt_manifest.keep_parse_state(self._states_dir(), key, Path(invocation.target_path))

    @cached_property
    def _cli_version(self) -> version.Version:
        if self.dbt_executable == settings.DBT_EXECUTABLE and settings.DBT_EXECUTABLE_IS_VENVS:
            return version.parse(metadata.version("dbt-core"))  # the dbt executable of this very environment
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args):
        return None  # no in-process adapter: row counts and column metadata are not fetched


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(),
            "dbt": TradeDbtCliResource(project_dir=trade_dbt_project, dbt_executable=settings.DBT_EXECUTABLE),
        },
        # One DuckDB file has one writer: steps of a run execute one after another.
        executor=dg.in_process_executor,
    )
