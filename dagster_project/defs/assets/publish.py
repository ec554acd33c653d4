"""serving/warehouse: the gate. Promote this run's candidate to the work file and publish it to the served file,
only when a whole dbt build (every model, every error-severity test) passed on exactly that candidate in this run.

It depends on every dbt model, so in a full run it comes after `dbt build`; when a model or an error-severity test
fails, Dagster skips it and the candidate is set aside as failed. Materialised alone (a UI selection, the
`publish_warehouse` job), it first runs the whole `dbt build` on the candidate itself: no path publishes a file
that was not built and tested in the same run.
"""

import dagster as dg
import duckdb

from dagster_project import settings
from dagster_project.defs.assets.dbt import trade_dbt_models
from dagster_project.defs.resources import TradeDbtCliResource, WarehouseResource
from dagster_project.warehouse.publish import PublishError, publish, serving_checks

SERVED_WAREHOUSE_KEY = dg.AssetKey(["serving", "warehouse"])


@dg.asset(
    key=SERVED_WAREHOUSE_KEY,
    group_name="serving",
    deps=list(trade_dbt_models.keys),
    description="The served DuckDB file (SERVING_PATH): this run's candidate, promoted to the work file once a "
    "whole dbt build passed on it in this run, then verified and published as a new generation in "
    "serving/generations/ behind the served symlink, swapped atomically; the previous generation is kept for "
    "rollback, older ones are pruned (SERVING_GENERATIONS_KEEP). Unchanged marts publish nothing new.",
)
def served_warehouse(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, dbt: TradeDbtCliResource
) -> dg.MaterializeResult:
    if not warehouse.has_passed():
        context.log.warning(
            "No whole dbt build passed on this run's candidate yet (serving/warehouse was "
            "selected without the dbt models): running `dbt build` on it before publishing."
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
        context.log.info(f"the marts equal the served generation {result.generation.name}: nothing new published")
    return dg.MaterializeResult(
        metadata={
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
