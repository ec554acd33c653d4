"""serving/warehouse: the gate. Promote this run's candidate to the work file and publish it to the served file,
only when a whole dbt build (every model, every error-severity test) passed on exactly that candidate in this run.

It depends on every dbt model and on every raw asset they read, so in any run it comes after the run's loads and
`dbt build`; when a load, a model or an error-severity test fails, Dagster skips it and the candidate is set aside
as failed (also when the dbt models are not selected: a selection of loaders and the gate). Without the dbt models
(a UI selection, `make materialize`, the `publish_warehouse` job), it first runs the whole `dbt build` on the
candidate itself: no path publishes a file that was not built and tested in the same run.
"""

from collections import Counter

import dagster as dg
import duckdb

from dagster_project import settings
from dagster_project.defs.assets.dbt import trade_dbt_models
from dagster_project.defs.resources import TradeDbtCliResource, WarehouseResource
from dagster_project.warehouse.publish import PublishError, publish, serving_checks

SERVED_WAREHOUSE_KEY = dg.AssetKey(["serving", "warehouse"])
# How the `dbt_build` metadata begins when this asset ran the whole build itself (the CLI's summary looks for it).
OWN_DBT_BUILD = "run by serving/warehouse"


def dbt_build_counts(run_results: dict) -> str:
    """'<n> dbt nodes (<count> <status>, ...)' from a dbt invocation's run_results.json, most frequent first."""
    statuses = Counter(str(result["status"]) for result in run_results["results"])
    return f"{sum(statuses.values())} dbt nodes ({', '.join(f'{n} {status}' for status, n in statuses.most_common())})"


@dg.asset(
    key=SERVED_WAREHOUSE_KEY,
    group_name="serving",
    # the raw assets too (the dbt models' upstream): a selected load always runs first, and its failure skips this
    deps=sorted(set(trade_dbt_models.keys) | set(trade_dbt_models.dependency_keys)),
    description="The served DuckDB file (SERVING_PATH): this run's candidate, promoted to the work file once a "
    "whole dbt build passed on it in this run, then verified and published as a new generation in "
    "serving/generations/ behind the served symlink, swapped atomically; the previous generation is kept for "
    "rollback, older ones are pruned (SERVING_GENERATIONS_KEEP). Unchanged marts publish nothing new.",
)
def served_warehouse(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, dbt: TradeDbtCliResource
) -> dg.MaterializeResult:
    dbt_build = "by the run's dbt assets"
    if not warehouse.has_passed():
        context.log.warning(
            "No whole dbt build passed on this run's candidate yet (the run selected none or only some of the "
            "dbt models): running `dbt build` on it before publishing."
        )
        with warehouse.dbt_environment():
            # the DuckDB target named as the dbt assets name it: the same profile key, so the same parse state
            # (without `--target`, dbt saw another target and parsed the whole project again, ~7 s)
            invocation = dbt.cli(["build", "--target", settings.DEFAULT_DBT_TARGET], raise_on_error=False).wait()
            dbt.keep_parse_state(invocation)
        if not invocation.is_successful():
            raise dg.Failure(
                description="not published: `dbt build` failed on this run's candidate; the work "
                "file and the served file are unchanged"
            )
        warehouse.mark_passed("dbt build run by serving/warehouse")
        # Its tests are not asset checks of this run (none or only some of the dbt assets were selected): say
        # what it ran.
        dbt_build = f"{OWN_DBT_BUILD}: {dbt_build_counts(invocation.get_artifact('run_results.json'))}"
    # The served file's own checks, on the candidate, before it becomes the work file.
    with duckdb.connect(str(warehouse.path), read_only=True) as con:
        failed = [check for check in serving_checks(con) if not check.passed]
    if failed:
        raise dg.Failure(
            description="not published: serving checks failed on the candidate: "
            + "; ".join(f"{c.name} ({c.detail})" for c in failed)
        )
    work_file = warehouse.promote()
    context.log.info(f"promoted the candidate to the work file {work_file}")
    try:
        result = publish(work_file, settings.serving_path(), verify=serving_checks)
    except PublishError as error:
        raise dg.Failure(description=f"not published: {error}") from error
    if result.changed:
        context.log.info(
            f"published {result.served_file} -> {result.generation.name} in {result.seconds:.3f} s"
            + (f"; pruned {', '.join(p.name for p in result.pruned)}" if result.pruned else "")
        )
    else:
        context.log.info(
            f"the marts and reference tables equal the served generation {result.generation.name}: "
            "nothing new published"
        )
    return dg.MaterializeResult(
        metadata={
            "dbt_build": dg.MetadataValue.text(dbt_build),
            "served_path": dg.MetadataValue.path(str(result.served_file)),
            "work_path": dg.MetadataValue.path(str(result.work_file)),
            "previous_path": dg.MetadataValue.path(str(result.previous_file or "(none: first publish)")),
            "generation": dg.MetadataValue.path(str(result.generation)),
            "content_changed": dg.MetadataValue.bool(result.changed),
            "marts_fingerprint": dg.MetadataValue.text(result.fingerprint),
            "pruned_generations": dg.MetadataValue.int(len(result.pruned)),
            "size_bytes": dg.MetadataValue.int(result.size_bytes),
            "publish_latency_seconds": dg.MetadataValue.float(result.seconds),
            "copy_seconds": dg.MetadataValue.float(result.copy_seconds),
            "verify_seconds": dg.MetadataValue.float(result.verify_seconds),
            "fingerprint_seconds": dg.MetadataValue.float(result.fingerprint_seconds),
            "snapshot_checks": dg.MetadataValue.md(
                "| check | passed | detail |\n|---|---|---|\n"
                + "\n".join(f"| {c.name} | {'yes' if c.passed else 'NO'} | {c.detail} |" for c in result.checks)
                if result.changed
                else "content unchanged: the served generation passed its checks when published"
            ),
        }
    )
