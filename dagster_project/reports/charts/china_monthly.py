"""Korea's monthly exports to and imports from China."""

from __future__ import annotations

from dagster_project.formats import USD_PER_BN

from ..common import FLOW_COLOURS, MARTS, Chart, ChartContext, new_figure, save, source_caption

KEY, TITLE = "china_monthly_trade", "Korea's monthly trade with China"


def render(ctx: ChartContext) -> Chart:
    monthly = ctx.con.execute(
        f"""
        select period_start, cast(export_usd as double) / {USD_PER_BN} as export_bn,
               cast(import_usd as double) / {USD_PER_BN} as import_bn, source
        from {MARTS}.fct_bilateral_trade
        where reporter_iso3 = ? and partner_iso3 = 'CHN' and period_grain = 'month'
        order by period_start
        """,
        [ctx.reporter_iso3],
    ).df()
    if monthly.empty:
        return Chart(KEY, TITLE, f"Skipped: no monthly China rows in {MARTS}.fct_bilateral_trade.")

    first, last = monthly["period_start"].min(), monthly["period_start"].max()
    caption = source_caption(monthly["source"])
    figure, (ax,) = new_figure(f"{TITLE}, {first:%Y-%m} to {last:%Y-%m}", caption)
    for column, label in (("export_bn", "Exports to China"), ("import_bn", "Imports from China")):
        ax.plot(monthly["period_start"], monthly[column], color=FLOW_COLOURS[column], label=label, linewidth=1.5)
    ax.set_xlabel("Month")
    ax.set_ylabel("US$ bn per month")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False)

    peak = monthly.loc[monthly["export_bn"].idxmax()]
    spans = monthly.groupby("source")["period_start"].agg(["min", "max"]).sort_values("min")
    by_source = "; ".join(f"{source} {span['min']:%Y-%m}–{span['max']:%Y-%m}" for source, span in spans.iterrows())
    description = (
        f"Korea's monthly exports to and imports from China, {first:%Y-%m} to {last:%Y-%m} "
        f"({len(monthly)} months, not seasonally adjusted). Exports peaked at US${peak['export_bn']:.1f} bn in "
        f"{peak['period_start']:%Y-%m}; in {last:%Y-%m} exports were US${monthly['export_bn'].iloc[-1]:.1f} bn and "
        f"imports US${monthly['import_bn'].iloc[-1]:.1f} bn. Sources by month ({MARTS}.fct_bilateral_trade, column "
        f"source): {by_source}."
    )
    return Chart(KEY, TITLE, description, save(figure, ctx.out_dir, KEY), caption)
