"""serving/warehouse: publish the work file that this run built and tested to the served file BI tools read.

It depends on every dbt model and seed, so it runs after `dbt build`; when a model or an error-severity data test
fails, the dbt step fails and Dagster skips this step: nothing is published and the served file is unchanged.
"""

import dagster as dg

from dagster_project import settings
from dagster_project.defs.assets.dbt import trade_dbt_models
from dagster_project.warehouse.publish import PublishError, publish, serving_checks

SERVED_WAREHOUSE_KEY = dg.AssetKey(["serving", "warehouse"])


@dg.asset(
    key=SERVED_WAREHOUSE_KEY,
    group_name="serving",
    deps=list(trade_dbt_models.keys),
    description="The served DuckDB file (SERVING_PATH): a symlink to the newest published generation, a verified "
    "copy of the built work file in serving/generations/, swapped atomically; the previous generation is kept for "
    "rollback, older ones are pruned (SERVING_GENERATIONS_KEEP). Unchanged marts publish nothing new.",
)
def served_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    try:
        result = publish(settings.warehouse_path(), settings.serving_path(), verify=serving_checks)
    except PublishError as error:
        raise dg.Failure(description=f"not published: {error}") from error
    if result.changed:
        context.log.info(f"published {result.served_file} -> {result.generation.name} in {result.seconds:.3f} s"
                         + (f"; pruned {', '.join(p.name for p in result.pruned)}" if result.pruned else ""))
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
                if result.changed else "content unchanged: the served generation passed its checks when published"
            ),
        }
    )
