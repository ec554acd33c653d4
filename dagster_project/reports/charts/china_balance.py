"""Korea's annual trade balance with China, marking the deficit years around the latest run of surpluses."""

from __future__ import annotations

import pandas as pd

from dagster_project.formats import USD_PER_BN, usd_bn

from ..common import (
    DEFICIT_COLOUR,
    MARK_COLOUR,
    MARTS,
    SURPLUS_COLOUR,
    Chart,
    ChartContext,
    new_figure,
    save,
    source_caption,
)

KEY, TITLE = "china_balance", "Korea's trade balance with China"


def render(ctx: ChartContext) -> Chart:
    rows = ctx.con.execute(
        f"""
        select year(period_start) as year, cast(balance_usd as double) as balance_usd, source
        from {MARTS}.fct_bilateral_trade
        where reporter_iso3 = ? and partner_iso3 = 'CHN' and period_grain = 'year'
        order by year
        """,
        [ctx.reporter_iso3],
    ).df()
    known = rows.set_index("year")["balance_usd"].dropna()
    if known.empty:
        return Chart(KEY, TITLE, f"Skipped: no annual China balance in {MARTS}.fct_bilateral_trade.")

    caption = source_caption(rows.loc[rows["balance_usd"].notna(), "source"])
    figure, (ax,) = new_figure(f"{TITLE}, annual (exports − imports)", caption)
    ax.bar(
        known.index,
        known / USD_PER_BN,
        width=0.8,
        color=[SURPLUS_COLOUR if value >= 0 else DEFICIT_COLOUR for value in known],
    )
    ax.axhline(0, color=MARK_COLOUR, linewidth=0.8)
    ax.set_xlabel("Year")
    ax.set_ylabel("US$ bn (surplus > 0, deficit < 0)")

    last_deficit_before, first_deficit_after = deficit_years_around_latest_surplus_run(known)
    marks = []
    if last_deficit_before is not None:
        marks.append((last_deficit_before, f"{last_deficit_before}: last deficit\nbefore the surplus years"))
    if first_deficit_after is not None:
        since = f" since {last_deficit_before}" if last_deficit_before is not None else ""
        marks.append((first_deficit_after, f"{first_deficit_after}: first deficit{since}"))
    # Room below the lowest bar for the labels, which sit in a band at the bottom of the axes.
    low, high = min(known.min(), 0) / USD_PER_BN, max(known.max(), 0) / USD_PER_BN
    ax.set_ylim(low - 0.4 * (high - low), high + 0.05 * (high - low))
    middle_year = (known.index.min() + known.index.max()) / 2
    for year, label in marks:
        ax.annotate(
            f"{label}\n{usd_bn(known[year])}",
            xy=(year, known[year] / USD_PER_BN),
            xytext=(year, 0.04),
            textcoords=("data", "axes fraction"),
            va="bottom",
            fontsize=9,
            ha="right" if year > middle_year else "center",  # a label at the right edge would run off the axes
            arrowprops={"arrowstyle": "->", "color": MARK_COLOUR},
        )

    peak_year = int(known.idxmax())
    sentences = [
        f"Annual balance of Korea's trade with China in {year_ranges(known.index)} "
        "(the years with a published figure for both flows).",
        f"Largest surplus: {usd_bn(known[peak_year])} in {peak_year}.",
    ]
    if last_deficit_before is not None and first_deficit_after is not None:
        sentences.append(
            f"Surpluses every year from {last_deficit_before + 1} to {first_deficit_after - 1}; {first_deficit_after} "
            f"({usd_bn(known[first_deficit_after])}) is the first deficit since {last_deficit_before} "
            f"({usd_bn(known[last_deficit_before])})."
        )
    return Chart(KEY, TITLE, " ".join(sentences), save(figure, ctx.out_dir, KEY), caption)


def year_ranges(years) -> str:
    """'1977, 1980–2023' for [1977, 1980, 1981, ..., 2023]: the gaps in a series are visible in its description."""
    ranges: list[list[int]] = []
    for year in sorted(int(y) for y in years):
        if ranges and year == ranges[-1][1] + 1:
            ranges[-1][1] = year
        else:
            ranges.append([year, year])
    return ", ".join(str(first) if first == last else f"{first}–{last}" for first, last in ranges)


def deficit_years_around_latest_surplus_run(balance: pd.Series) -> tuple[int | None, int | None]:
    """The deficit year just before the latest unbroken run of surplus years, and the deficit year just after it.

    `balance` is indexed by year, without missing values; years absent from it do not break a run.
    """
    years = [int(year) for year in balance.index]
    surplus = [value > 0 for value in balance]
    if not any(surplus):
        return None, None
    run_end = max(i for i, is_surplus in enumerate(surplus) if is_surplus)
    run_start = run_end
    while run_start > 0 and surplus[run_start - 1]:
        run_start -= 1
    before = years[run_start - 1] if run_start > 0 and balance.iloc[run_start - 1] < 0 else None
    after = years[run_end + 1] if run_end + 1 < len(years) and balance.iloc[run_end + 1] < 0 else None
    return before, after
