"""The KCS item-by-country asset in a real Dagster run of `refresh_monthly` (the asset and the gate: whole dbt
build, promote, publish) against a local server on 127.0.0.1 with SYNTHETIC payloads: live with KCS_ITEMS_LIVE=1,
then replayed without a key."""

import dagster as dg

from dagster_project import settings
from dagster_project.defs.assets.dbt import trade_dbt_models
from dagster_project.defs.assets.publish import SERVED_WAREHOUSE_KEY

from ..live_payloads import Reply, kcs_item_record, kcs_item_response
from .conftest import query

ITEM_PATH = "/nitemtrade/getNitemtradeList"
KEY = dg.AssetKey(["raw", "kcs_trade_by_item_country"])
# the item asset and the gate every run ends in (the by-country KCS asset is not selected)
SELECTION = [KEY, *trade_dbt_models.keys, SERVED_WAREHOUSE_KEY]


def synthetic(query_string):
    partner, yymm = query_string["cntyCd"], query_string["strtYymm"]
    month = f"{yymm[:4]}-{yymm[4:]}"
    if partner not in ("CN", "JP", "NA"):
        return Reply(body=kcs_item_response([]))  # a partner without trade in this item set: only the 총계 row
    records = [
        kcs_item_record(month, partner, "2811111000", 10, 100 * (1 + ["CN", "JP", "NA"].index(partner))),
        kcs_item_record(month, partner, "3801100000", 5, 7),
    ]
    return Reply(body=kcs_item_response(records))


def test_live_month_then_replay_without_a_key(live_env, run_job, warehouse_copy, monkeypatch):
    live_env.route(ITEM_PATH, synthetic)
    monkeypatch.setenv(settings.KCS_ITEMS_LIVE_ENV, "1")
    warehouse = warehouse_copy

    result = run_job("refresh_monthly", warehouse, selection=SELECTION, partition_key="2024-03")

    assert result.success
    hits = live_env.hits(ITEM_PATH)
    partners = {hit.query["cntyCd"] for hit in hits}
    assert len(hits) == len(partners) > 200 and "NA" in partners  # one call per partner, Namibia included
    assert query(
        warehouse,
        """select country_code, sum(import_usd) from raw.kcs_trade_by_item_country
                               group by 1 order by 1""",
    ) == [("CN", 107), ("JP", 207), ("NA", 307)]
    # through to the marts: Namibia is NAM, not a missing partner; 100 + 200 + 300 of hydrogen fluoride
    assert query(
        warehouse,
        """select top_supplier_key, top_supplier_share, supplier_count
        from marts.fct_item_import_dependence where source = 'kcs_nitemtrade' and product_level = 'hsk10'
        and product_code = '2811111000' and period_grain = 'month' and period_start = '2024-03-01'""",
    ) == [("NAM", 300 / 600, 3)]

    # Without the key the landed month replays: no request, no new vintage (same figures).
    monkeypatch.delenv(settings.KCS_SERVICE_KEY_ENV)
    live_env.seen.clear()
    again = run_job("refresh_monthly", warehouse, selection=SELECTION, partition_key="2024-03")
    assert again.success and live_env.seen == []
    [materialization] = again.asset_materializations_for_node("raw__kcs_trade_by_item_country")
    assert materialization.metadata["partitions"].data["2024-03"]["vintage"] == "unchanged"
    assert query(warehouse, "select count(distinct _load_id) from raw.kcs_trade_by_item_country") == [(1,)]
