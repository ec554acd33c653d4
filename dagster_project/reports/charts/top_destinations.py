"""Korea's largest export destinations in the latest year."""

from __future__ import annotations

from dagster_project.formats import USD_PER_BN, percent, usd_bn

from ..common import MARTS, PARTNER_COLOURS, Chart, ChartContext, new_figure, save, source_caption

KEY = "top_export_destinations"
TOP_DESTINATION_COUNT = 10


def render(ctx: ChartContext) -> Chart:
    top = ctx.con.execute(
        f"""
        with latest as (
            select max(period_start) as period_start
            from {MARTS}.fct_partner_shares
            where reporter_iso3 = ? and period_grain = 'year' and export_usd is not null
        )
        select year(shares.period_start) as year, shares.partner_iso3,
               coalesce(country.name_en, shares.partner_iso3) as name,
               cast(shares.export_usd as double) as export_usd, shares.export_share, shares.source
        from {MARTS}.fct_partner_shares as shares
        inner join latest on latest.period_start = shares.period_start
        left join {MARTS}.dim_country as country on country.country_iso3 = shares.partner_iso3
        where shares.reporter_iso3 = ? and shares.period_grain = 'year' and shares.export_usd is not null
        order by shares.export_usd desc, shares.partner_iso3
        limit {TOP_DESTINATION_COUNT}
        """,
        [ctx.reporter_iso3, ctx.reporter_iso3],
    ).df()
    if top.empty:
        return Chart(
            KEY, "Korea's top export destinations", f"Skipped: no annual exports in {MARTS}.fct_partner_shares."
        )

    year = int(top["year"].iloc[0])
    title = f"Korea's top {len(top)} export destinations in {year}"
    caption = source_caption(top["source"])
    figure, (ax,) = new_figure(title, caption)
    ordered = top.iloc[::-1]  # largest at the top of a horizontal bar chart
    colours = [PARTNER_COLOURS.get(iso3, "#7a8fa6") for iso3 in ordered["partner_iso3"]]
    bars = ax.barh(ordered["name"], ordered["export_usd"] / USD_PER_BN, color=colours)
    ax.bar_label(
        bars,
        labels=[
            f"{v / USD_PER_BN:.1f} ({percent(s)})"
            for v, s in zip(ordered["export_usd"], ordered["export_share"], strict=True)
        ],
        padding=4,
        fontsize=9,
    )
    ax.set_xlabel(f"Exports in {year}, US$ bn (share of Korea's world exports)")
    ax.set_xlim(right=ax.get_xlim()[1] * 1.18)  # room for the bar labels
    ax.grid(False, axis="y")

    listed = ", ".join(f"{row.name} {usd_bn(row.export_usd)} ({percent(row.export_share)})" for row in top.itertuples())
    description = (
        f"The {len(top)} largest destinations of Korea's exports in {year} by value: {listed}. "
        f"Together {percent(top['export_share'].sum())} of Korea's world exports."
    )
    return Chart(KEY, title, description, save(figure, ctx.out_dir, KEY), caption)
