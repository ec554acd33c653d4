"""US and China shares of Korea's exports and imports: annual panels, and a monthly export panel where the warehouse
has monthly world totals."""

from __future__ import annotations

import pandas as pd
from matplotlib.ticker import PercentFormatter

from dagster_project.formats import percent

from ..common import MARTS, PARTNER_COLOURS, PARTNER_NAMES, Chart, ChartContext, new_figure, save, source_caption

KEY, TITLE = "us_china_shares", "US and China shares of Korea's exports and imports"


def render(ctx: ChartContext) -> Chart:
    shares = ctx.con.execute(
        f"""
        select partner_iso3, year(period_start) as year, export_share, import_share, source
        from {MARTS}.fct_partner_shares
        where reporter_iso3 = ? and period_grain = 'year' and partner_iso3 in ('USA', 'CHN')
        order by year
        """,
        [ctx.reporter_iso3],
    ).df()
    if shares.empty:
        return Chart(KEY, TITLE, f"Skipped: no annual US or China rows in {MARTS}.fct_partner_shares.")

    # Monthly export shares where the warehouse has a monthly world total (KCS, KOSIS or ECOS world exports).
    monthly = ctx.con.execute(
        f"""
        select partner_iso3, period_start, export_share, source
        from {MARTS}.fct_partner_shares
        where reporter_iso3 = ? and period_grain = 'month' and partner_iso3 in ('USA', 'CHN')
            and export_share is not null
        order by period_start
        """,
        [ctx.reporter_iso3],
    ).df()
    monthly = monthly[monthly.groupby("period_start")["partner_iso3"].transform("nunique") == 2]
    caption = source_caption([*shares["source"], *monthly["source"]])
    if monthly.empty:
        figure, (exports_ax, imports_ax) = new_figure(f"{TITLE}, annual", caption, ncols=2)
    else:
        figure, (exports_ax, imports_ax, monthly_ax) = new_figure(
            f"{TITLE}: annual, and monthly exports", caption, ncols=3
        )
        for partner_iso3, series in monthly.groupby("partner_iso3"):
            monthly_ax.plot(
                series["period_start"],
                series["export_share"],
                color=PARTNER_COLOURS[partner_iso3],
                label=PARTNER_NAMES[partner_iso3],
                linewidth=1.5,
            )
        monthly_ax.set_title("Share of Korea's exports, monthly")
        monthly_ax.set_xlabel("Month")
        monthly_ax.set_ylim(bottom=0)
        monthly_ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        monthly_ax.tick_params(axis="x", labelrotation=45)
    for ax, column, panel_title in (
        (exports_ax, "export_share", "Share of Korea's exports"),
        (imports_ax, "import_share", "Share of Korea's imports"),
    ):
        for partner_iso3, series in shares.groupby("partner_iso3"):
            ax.plot(
                series["year"],
                series[column],
                color=PARTNER_COLOURS[partner_iso3],
                label=PARTNER_NAMES[partner_iso3],
                linewidth=2,
            )
        ax.set_title(panel_title)
        ax.set_xlabel("Year")
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    exports_ax.set_ylabel("Share of Korea's world total")
    exports_ax.legend(frameon=False)

    wide = shares.pivot(index="year", columns="partner_iso3", values=["export_share", "import_share"])
    latest_year = int(wide.index.max())
    sentences = [
        f"Annual shares of Korea's reported world exports and imports, {int(wide.index.min())}–{latest_year}"
        + first_year_note(shares)
        + ".",
        f"{latest_year}: "
        + "; ".join(
            f"{PARTNER_NAMES[p]} {percent(wide.loc[latest_year, ('export_share', p)])} of exports and "
            f"{percent(wide.loc[latest_year, ('import_share', p)])} of imports"
            for p in ("CHN", "USA")
            if p in wide["export_share"].columns
        )
        + ".",
    ]
    for column, flow in (("export_share", "exports"), ("import_share", "imports")):
        crossover = first_year_above(wide[column], "CHN", "USA")
        if crossover is not None:
            sentences.append(f"China's share of {flow} first exceeded the US's in {crossover}.")
    if monthly.empty:
        sentences.append(
            "Monthly shares are not available: the warehouse holds no monthly world totals for months "
            "with both US and China figures."
        )
    else:
        wide_monthly = monthly.pivot(index="period_start", columns="partner_iso3", values="export_share")
        us_above = wide_monthly.index[wide_monthly["USA"] > wide_monthly["CHN"]]
        sentences.append(
            f"Monthly export shares {wide_monthly.index.min():%Y-%m}–{wide_monthly.index.max():%Y-%m} (months with a "
            "reported world export total and both partners): "
            + (
                f"the US took a larger share than China in {len(us_above)} months, first in {us_above.min():%Y-%m}."
                if len(us_above)
                else "China's share stayed above the US's in every month."
            )
        )
    return Chart(KEY, TITLE, " ".join(sentences), save(figure, ctx.out_dir, KEY), caption)


def first_year_note(shares: pd.DataFrame) -> str:
    """Name the partner whose series starts later than the other, so a short line is not read as zero trade."""
    published = shares.dropna(subset=["export_share", "import_share"], how="all")
    first_years = published.groupby("partner_iso3")["year"].min()
    if len(first_years) < 2 or first_years.nunique() == 1:
        return ""
    late = first_years.idxmax()
    return f" ({PARTNER_NAMES[late]} from {int(first_years[late])}, its first year with a published figure)"


def first_year_above(by_partner: pd.DataFrame, leader: str, other: str) -> int | None:
    if leader not in by_partner or other not in by_partner:
        return None
    above = by_partner.index[by_partner[leader] > by_partner[other]]
    return int(above.min()) if len(above) else None
