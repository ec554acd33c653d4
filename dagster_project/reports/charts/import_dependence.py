"""The critical-items basket (seed critical_items): each item's top-supplier share against the 3050 line, with the
top supplier named."""

from __future__ import annotations

import pandas as pd
from matplotlib.ticker import PercentFormatter

from dagster_project.formats import percent

from ..common import DEFICIT_COLOUR, MARTS, Chart, ChartContext, new_figure, save, source_caption, table_columns

KEY, TITLE = "import_dependence", "Critical items: share of imports from the top supplier"
ITEMS, DEPENDENCE = "fct_dependence_basket_items", "fct_import_dependence"
MAX_LINES = 10  # more lines than this are unreadable on one axis


def render(ctx: ChartContext) -> Chart:
    if not table_columns(ctx.con, ITEMS):
        return Chart(
            KEY, TITLE, f"Skipped: no product-level data in the warehouse yet ({MARTS}.{ITEMS} does not exist)."
        )
    # The items' figures come from the product marts; their `source` names the publisher (KITA/KCS, Comtrade).
    rows = ctx.con.execute(
        f"""
        select items.item_code, items.item_name, items.period_start, items.top_supplier_share,
               items.top_supplier_key, coalesce(country.name_en, items.top_supplier_key) as top_supplier_name,
               dependence.source
        from {MARTS}.{ITEMS} as items
        left join {MARTS}.{DEPENDENCE} as dependence
            on dependence.product_code = items.item_code and dependence.product_level = items.product_level
            and dependence.period_grain = items.period_grain and dependence.period_start = items.period_start
            and dependence.reporter_iso3 = ?
        left join {MARTS}.dim_country as country on country.country_iso3 = items.top_supplier_key
        where items.top_supplier_share is not null and items.period_grain = 'year'
        """,
        [ctx.reporter_iso3],
    ).df()
    if rows.empty:
        return Chart(KEY, TITLE, f"Skipped: {MARTS}.{ITEMS} has no annual top-supplier shares.")

    rows["label"] = rows["item_code"].astype(str) + " " + rows["item_name"].astype(str)
    # Several rows per item and period (e.g. one per source) would be ambiguous; the chart shows the highest.
    wide = rows.pivot_table(index="period_start", columns="label", values="top_supplier_share", aggfunc="max")
    latest_share = wide.ffill().iloc[-1].sort_values(ascending=False)
    shown = list(latest_share.index[:MAX_LINES])
    latest = latest_supplier(rows)

    caption = source_caption(rows["source"].dropna())
    figure, (ax,) = new_figure(TITLE, caption)
    for label in shown:
        supplier = latest.loc[label]
        ax.plot(
            wide.index,
            wide[label],
            marker="o",
            markersize=3,
            linewidth=1.5,
            label=f"{label} (top in {supplier.period_start:%Y}: {supplier.top_supplier_name})",
        )
    ax.axhline(ctx.target_share, color=DEFICIT_COLOUR, linestyle="--", linewidth=1.2)
    ax.annotate(
        f"{percent(ctx.target_share, decimals=0)} line",
        xy=(1, ctx.target_share),
        xycoords=("axes fraction", "data"),
        ha="right",
        va="bottom",
        color=DEFICIT_COLOUR,
        fontsize=9,
    )
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    ax.set_xlabel("Year")
    ax.set_ylabel("Top supplier's share of the item's imports")
    ax.legend(frameon=False, fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))

    above = [label for label in latest_share.index if latest_share[label] > ctx.target_share]
    periods = pd.to_datetime(wide.index)
    description = (
        f"Top supplier's share per item from {MARTS}.{ITEMS}, {periods.min():%Y} to {periods.max():%Y}; "
        f"{len(above)} of {len(latest_share)} items above {percent(ctx.target_share, decimals=0)} in their latest "
        "year"
        + (
            " ("
            + ", ".join(
                f"{label}: {latest.loc[label].top_supplier_name} {percent(latest.loc[label].top_supplier_share)}"
                for label in above
            )
            + ")"
            if above
            else ""
        )
        + "."
        + (f" Shown: the {len(shown)} items with the highest latest share." if len(shown) < len(latest_share) else "")
    )
    return Chart(KEY, TITLE, description, save(figure, ctx.out_dir, KEY), caption)


def latest_supplier(rows: pd.DataFrame) -> pd.DataFrame:
    """Per item label, its latest year's row: the top supplier's name and share then."""
    ordered = rows.sort_values(["label", "period_start", "top_supplier_share"])
    return ordered.groupby("label").tail(1).set_index("label")
