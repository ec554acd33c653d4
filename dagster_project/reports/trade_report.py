"""Charts of Korea's trade with the US and China, and one HTML page holding them, read from the warehouse marts.

The warehouse is opened read-only: the report never writes it, and it can run while other readers hold the file.
Figures are drawn on matplotlib `Figure` objects with the Agg canvas (no pyplot), so no GUI backend, display or
global figure state is involved and nothing is fetched from the network. The HTML page embeds the PNGs as base64
and links the PNG files beside it, so it works on its own and next to the files.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import PercentFormatter

REPORTER_ISO3 = "KOR"
MARTS = "marts"
SOURCE_CAPTION = (
    "Source: KOSIS, table DT_1R11006_FRM101, and Bank of Korea ECOS 901Y011/901Y012 for months since 2020 "
    "(Korea Customs Service trade statistics). "
    "Exports FOB, imports CIF, current US$."
)
PARTNER_NAMES = {"USA": "United States", "CHN": "China"}
PARTNER_COLOURS = {"USA": "#1f4e9c", "CHN": "#c8102e"}
FLOW_COLOURS = {"export_bn": "#1b7f3b", "import_bn": "#b35900"}
SURPLUS_COLOUR, DEFICIT_COLOUR, MARK_COLOUR = "#1b7f3b", "#c8102e", "#333333"
TOP_DESTINATION_COUNT = 10
# The critical-items basket (seed critical_items) against the 50 % line; the chart is skipped without it.
DEPENDENCE_TABLES = ("fct_dependence_basket_items",)
DEPENDENCE_CODE_COLUMN = "item_code"
DEPENDENCE_REQUIRED_COLUMNS = (DEPENDENCE_CODE_COLUMN, "period_start", "top_supplier_share")
DEPENDENCE_LABEL_COLUMNS = ("item_name",)
DEPENDENCE_THRESHOLD = 0.5
DEPENDENCE_MAX_LINES = 10  # more lines than this are unreadable on one axis
FIGURE_SIZE = (11, 6)
FIGURE_DPI = 130
USD_PER_BN = 1e9


@dataclass(frozen=True)
class Chart:
    """One chart of the report; `path` is None when the chart was skipped, and `description` then says why."""

    key: str
    title: str
    description: str
    path: Path | None = None

    @property
    def skipped(self) -> bool:
        return self.path is None


@dataclass(frozen=True)
class ReportResult:
    html_path: Path
    charts: tuple[Chart, ...]

    @property
    def rendered(self) -> tuple[Chart, ...]:
        return tuple(chart for chart in self.charts if not chart.skipped)

    @property
    def skipped(self) -> tuple[Chart, ...]:
        return tuple(chart for chart in self.charts if chart.skipped)

    def chart(self, key: str) -> Chart:
        return next(chart for chart in self.charts if chart.key == key)


def build_report(warehouse_path: Path, out_dir: Path) -> ReportResult:
    """Write one PNG per chart and `report.html` into out_dir; return their paths and a description per chart."""
    warehouse_path, out_dir = Path(warehouse_path), Path(out_dir)
    if not warehouse_path.is_file():
        raise FileNotFoundError(f"warehouse file not found: {warehouse_path} (build the warehouse first)")
    out_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        charts = tuple(render(con, out_dir) for render in CHART_RENDERERS)
    for chart in charts:
        if chart.skipped:  # a PNG left by an earlier report would contradict this one
            (out_dir / f"{chart.key}.png").unlink(missing_ok=True)
    html_path = out_dir / "report.html"
    html_path.write_text(_html_page(charts), encoding="utf-8")
    return ReportResult(html_path=html_path, charts=charts)


# --- figure helpers -------------------------------------------------------------------------------------------


def _new_figure(title: str, *, ncols: int = 1, caption: str = SOURCE_CAPTION) -> tuple[Figure, list]:
    """A figure with the report's title, source caption and axis style; returns it and its axes, left to right."""
    # The layout keeps clear of the bottom band, where the source caption goes.
    figure = Figure(figsize=FIGURE_SIZE, dpi=FIGURE_DPI, layout=ConstrainedLayoutEngine(rect=(0, 0.05, 1, 0.95)))
    FigureCanvasAgg(figure)
    figure.suptitle(title, fontsize=14, fontweight="bold")
    figure.text(0.01, 0.012, caption, fontsize=8, color="#555555", ha="left", va="bottom")
    axes = list(figure.subplots(1, ncols, squeeze=False).ravel())
    for ax in axes:
        ax.grid(True, color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _save(figure: Figure, out_dir: Path, key: str) -> Path:
    path = out_dir / f"{key}.png"
    figure.savefig(path, format="png")
    return path


def _percent(share: float, decimals: int = 1) -> str:
    return f"{share * 100:.{decimals}f} %"


def _usd_bn(value_usd: float) -> str:
    return f"US${value_usd / USD_PER_BN:,.1f} bn".replace("US$-", "−US$")


# --- the charts -----------------------------------------------------------------------------------------------


def _us_china_shares_chart(con: duckdb.DuckDBPyConnection, out_dir: Path) -> Chart:
    key, title = "us_china_shares", "US and China shares of Korea's exports and imports"
    shares = con.execute(
        f"""
        select partner_iso3, year(period_start) as year, export_share, import_share
        from {MARTS}.fct_partner_shares
        where reporter_iso3 = ? and period_grain = 'year' and partner_iso3 in ('USA', 'CHN')
        order by year
        """,
        [REPORTER_ISO3],
    ).df()
    if shares.empty:
        return Chart(key, title, f"Skipped: no annual US or China rows in {MARTS}.fct_partner_shares.")

    # Monthly export shares where the warehouse has a monthly world total (KCS, KOSIS or ECOS world exports).
    monthly = con.execute(
        f"""
        select partner_iso3, period_start, export_share
        from {MARTS}.fct_partner_shares
        where reporter_iso3 = ? and period_grain = 'month' and partner_iso3 in ('USA', 'CHN')
            and export_share is not null
        order by period_start
        """,
        [REPORTER_ISO3],
    ).df()
    monthly = monthly[monthly.groupby("period_start")["partner_iso3"].transform("nunique") == 2]
    if monthly.empty:
        figure, (exports_ax, imports_ax) = _new_figure(f"{title}, annual", ncols=2)
    else:
        figure, (exports_ax, imports_ax, monthly_ax) = _new_figure(f"{title}: annual, and monthly exports", ncols=3)
        for partner_iso3, series in monthly.groupby("partner_iso3"):
            monthly_ax.plot(series["period_start"], series["export_share"], color=PARTNER_COLOURS[partner_iso3],
                            label=PARTNER_NAMES[partner_iso3], linewidth=1.5)
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
            ax.plot(series["year"], series[column], color=PARTNER_COLOURS[partner_iso3],
                    label=PARTNER_NAMES[partner_iso3], linewidth=2)
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
        + _first_year_note(shares) + ".",
        f"{latest_year}: " + "; ".join(
            f"{PARTNER_NAMES[p]} {_percent(wide.loc[latest_year, ('export_share', p)])} of exports and "
            f"{_percent(wide.loc[latest_year, ('import_share', p)])} of imports"
            for p in ("CHN", "USA") if p in wide["export_share"].columns
        ) + ".",
    ]
    for column, flow in (("export_share", "exports"), ("import_share", "imports")):
        crossover = _first_year_above(wide[column], "CHN", "USA")
        if crossover is not None:
            sentences.append(f"China's share of {flow} first exceeded the US's in {crossover}.")
    if monthly.empty:
        sentences.append("Monthly shares are not available: the warehouse holds no monthly world totals for months "
                         "with both US and China figures.")
    else:
        wide_monthly = monthly.pivot(index="period_start", columns="partner_iso3", values="export_share")
        us_above = wide_monthly.index[wide_monthly["USA"] > wide_monthly["CHN"]]
        sentences.append(
            f"Monthly export shares {wide_monthly.index.min():%Y-%m}–{wide_monthly.index.max():%Y-%m} (months with a "
            "reported world export total and both partners): "
            + (f"the US took a larger share than China in {len(us_above)} months, first in {us_above.min():%Y-%m}."
               if len(us_above) else "China's share stayed above the US's in every month.")
        )
    return Chart(key, title, " ".join(sentences), _save(figure, out_dir, key))


def _first_year_note(shares: pd.DataFrame) -> str:
    """Name the partner whose series starts later than the other, so a short line is not read as zero trade."""
    published = shares.dropna(subset=["export_share", "import_share"], how="all")
    first_years = published.groupby("partner_iso3")["year"].min()
    if len(first_years) < 2 or first_years.nunique() == 1:
        return ""
    late = first_years.idxmax()
    return f" ({PARTNER_NAMES[late]} from {int(first_years[late])}, its first year with a published figure)"


def _first_year_above(by_partner: pd.DataFrame, leader: str, other: str) -> int | None:
    if leader not in by_partner or other not in by_partner:
        return None
    above = by_partner.index[by_partner[leader] > by_partner[other]]
    return int(above.min()) if len(above) else None


def _china_monthly_chart(con: duckdb.DuckDBPyConnection, out_dir: Path) -> Chart:
    key, title = "china_monthly_trade", "Korea's monthly trade with China"
    monthly = con.execute(
        f"""
        select period_start, cast(export_usd as double) / {USD_PER_BN} as export_bn,
               cast(import_usd as double) / {USD_PER_BN} as import_bn
        from {MARTS}.fct_bilateral_trade
        where reporter_iso3 = ? and partner_iso3 = 'CHN' and period_grain = 'month'
        order by period_start
        """,
        [REPORTER_ISO3],
    ).df()
    if monthly.empty:
        return Chart(key, title, f"Skipped: no monthly China rows in {MARTS}.fct_bilateral_trade.")

    first, last = monthly["period_start"].min(), monthly["period_start"].max()
    figure, (ax,) = _new_figure(f"{title}, {first:%Y-%m} to {last:%Y-%m}")
    for column, label in (("export_bn", "Exports to China"), ("import_bn", "Imports from China")):
        ax.plot(monthly["period_start"], monthly[column], color=FLOW_COLOURS[column], label=label, linewidth=1.5)
    ax.set_xlabel("Month")
    ax.set_ylabel("US$ bn per month")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False)

    peak = monthly.loc[monthly["export_bn"].idxmax()]
    description = (
        f"Korea's monthly exports to and imports from China, {first:%Y-%m} to {last:%Y-%m} "
        f"({len(monthly)} months, not seasonally adjusted). Exports peaked at US${peak['export_bn']:.1f} bn in "
        f"{peak['period_start']:%Y-%m}; in {last:%Y-%m} exports were US${monthly['export_bn'].iloc[-1]:.1f} bn and "
        f"imports US${monthly['import_bn'].iloc[-1]:.1f} bn. Sources by month: the shipped KOSIS China file "
        "(2001-2019), Bank of Korea ECOS (2020 on), and KCS or KOSIS API months where a refresh loaded them "
        "(marts.fct_bilateral_trade, column source)."
    )
    return Chart(key, title, description, _save(figure, out_dir, key))


def _china_balance_chart(con: duckdb.DuckDBPyConnection, out_dir: Path) -> Chart:
    key, title = "china_balance", "Korea's trade balance with China"
    balance = con.execute(
        f"""
        select year(period_start) as year, cast(balance_usd as double) as balance_usd
        from {MARTS}.fct_bilateral_trade
        where reporter_iso3 = ? and partner_iso3 = 'CHN' and period_grain = 'year'
        order by year
        """,
        [REPORTER_ISO3],
    ).df().set_index("year")["balance_usd"]
    known = balance.dropna()
    if known.empty:
        return Chart(key, title, f"Skipped: no annual China balance in {MARTS}.fct_bilateral_trade.")

    figure, (ax,) = _new_figure(f"{title}, annual (exports − imports)")
    ax.bar(known.index, known / USD_PER_BN, width=0.8,
           color=[SURPLUS_COLOUR if value >= 0 else DEFICIT_COLOUR for value in known])
    ax.axhline(0, color=MARK_COLOUR, linewidth=0.8)
    ax.set_xlabel("Year")
    ax.set_ylabel("US$ bn (surplus > 0, deficit < 0)")

    last_deficit_before, first_deficit_after = _deficit_years_around_latest_surplus_run(known)
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
            f"{label}\n{_usd_bn(known[year])}", xy=(year, known[year] / USD_PER_BN),
            xytext=(year, 0.04), textcoords=("data", "axes fraction"), va="bottom", fontsize=9,
            ha="right" if year > middle_year else "center",  # a label at the right edge would run off the axes
            arrowprops={"arrowstyle": "->", "color": MARK_COLOUR},
        )

    peak_year = int(known.idxmax())
    sentences = [
        f"Annual balance of Korea's trade with China in {_year_ranges(known.index)} "
        "(the years with a published figure for both flows).",
        f"Largest surplus: {_usd_bn(known[peak_year])} in {peak_year}.",
    ]
    if last_deficit_before is not None and first_deficit_after is not None:
        sentences.append(
            f"Surpluses every year from {last_deficit_before + 1} to {first_deficit_after - 1}; {first_deficit_after} "
            f"({_usd_bn(known[first_deficit_after])}) is the first deficit since {last_deficit_before} "
            f"({_usd_bn(known[last_deficit_before])})."
        )
    return Chart(key, title, " ".join(sentences), _save(figure, out_dir, key))


def _year_ranges(years) -> str:
    """'1977, 1980–2023' for [1977, 1980, 1981, ..., 2023]: the gaps in a series are visible in its description."""
    ranges: list[list[int]] = []
    for year in sorted(int(y) for y in years):
        if ranges and year == ranges[-1][1] + 1:
            ranges[-1][1] = year
        else:
            ranges.append([year, year])
    return ", ".join(str(first) if first == last else f"{first}–{last}" for first, last in ranges)


def _deficit_years_around_latest_surplus_run(balance: pd.Series) -> tuple[int | None, int | None]:
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


def _top_destinations_chart(con: duckdb.DuckDBPyConnection, out_dir: Path) -> Chart:
    key = "top_export_destinations"
    top = con.execute(
        f"""
        with latest as (
            select max(period_start) as period_start
            from {MARTS}.fct_partner_shares
            where reporter_iso3 = ? and period_grain = 'year' and export_usd is not null
        )
        select year(shares.period_start) as year, shares.partner_iso3,
               coalesce(country.name_en, shares.partner_iso3) as name,
               cast(shares.export_usd as double) as export_usd, shares.export_share
        from {MARTS}.fct_partner_shares as shares
        inner join latest on latest.period_start = shares.period_start
        left join {MARTS}.dim_country as country on country.country_iso3 = shares.partner_iso3
        where shares.reporter_iso3 = ? and shares.period_grain = 'year' and shares.export_usd is not null
        order by shares.export_usd desc, shares.partner_iso3
        limit {TOP_DESTINATION_COUNT}
        """,
        [REPORTER_ISO3, REPORTER_ISO3],
    ).df()
    if top.empty:
        return Chart(key, "Korea's top export destinations",
                     f"Skipped: no annual exports in {MARTS}.fct_partner_shares.")

    year = int(top["year"].iloc[0])
    title = f"Korea's top {len(top)} export destinations in {year}"
    figure, (ax,) = _new_figure(title)
    ordered = top.iloc[::-1]  # largest at the top of a horizontal bar chart
    colours = [PARTNER_COLOURS.get(iso3, "#7a8fa6") for iso3 in ordered["partner_iso3"]]
    bars = ax.barh(ordered["name"], ordered["export_usd"] / USD_PER_BN, color=colours)
    ax.bar_label(bars, labels=[f"{v / USD_PER_BN:.1f} ({_percent(s)})" for v, s in
                               zip(ordered["export_usd"], ordered["export_share"], strict=True)], padding=4, fontsize=9)
    ax.set_xlabel(f"Exports in {year}, US$ bn (share of Korea's world exports)")
    ax.set_xlim(right=ax.get_xlim()[1] * 1.18)  # room for the bar labels
    ax.grid(False, axis="y")

    listed = ", ".join(f"{row.name} {_usd_bn(row.export_usd)} ({_percent(row.export_share)})"
                       for row in top.itertuples())
    description = (
        f"The {len(top)} largest destinations of Korea's exports in {year} by value: {listed}. "
        f"Together {_percent(top['export_share'].sum())} of Korea's world exports."
    )
    return Chart(key, title, description, _save(figure, out_dir, key))


def _dependence_chart(con: duckdb.DuckDBPyConnection, out_dir: Path) -> Chart:
    key, title = "import_dependence", "Critical items: share of imports from the top supplier"
    table = next((name for name in DEPENDENCE_TABLES if _table_columns(con, name)), None)
    if table is None:
        return Chart(key, title, "Skipped: no product-level data in the warehouse yet ("
                     + " and ".join(f"{MARTS}.{name}" for name in DEPENDENCE_TABLES) + " do not exist).")
    columns = _table_columns(con, table)
    missing = [column for column in DEPENDENCE_REQUIRED_COLUMNS if column not in columns]
    if missing:
        return Chart(key, title, f"Skipped: {MARTS}.{table} lacks the column(s) {', '.join(missing)}.")

    label_column = next((column for column in DEPENDENCE_LABEL_COLUMNS if column in columns), DEPENDENCE_CODE_COLUMN)
    optional = [column for column in ("period_grain", "reporter_iso3", "source") if column in columns]
    selected = ", ".join(
        dict.fromkeys([DEPENDENCE_CODE_COLUMN, label_column, "period_start", "top_supplier_share", *optional])
    )
    rows = con.execute(f"select {selected} from {MARTS}.{table} where top_supplier_share is not null").df()
    if "reporter_iso3" in rows:
        rows = rows[rows["reporter_iso3"] == REPORTER_ISO3]
    if "period_grain" in rows and rows["period_grain"].nunique() > 1:
        # One grain per chart; annual where there is one, as the other charts.
        grain = "year" if (rows["period_grain"] == "year").any() else rows["period_grain"].iloc[0]
        rows = rows[rows["period_grain"] == grain]
    if rows.empty:
        return Chart(key, title, f"Skipped: {MARTS}.{table} has no top-supplier shares for {REPORTER_ISO3}.")

    rows = rows.assign(label=rows[DEPENDENCE_CODE_COLUMN].astype(str) + (
        " " + rows[label_column].astype(str) if label_column != DEPENDENCE_CODE_COLUMN else ""))
    # Several rows per item and period (e.g. per flow or source) would be ambiguous; the chart shows the highest.
    wide = rows.pivot_table(index="period_start", columns="label", values="top_supplier_share", aggfunc="max")
    latest_share = wide.ffill().iloc[-1].sort_values(ascending=False)
    shown = list(latest_share.index[:DEPENDENCE_MAX_LINES])

    # The partner-level KOSIS caption would be wrong here: name the product mart and its own sources.
    sources = sorted(rows["source"].dropna().astype(str).unique()) if "source" in rows else []
    caption = f"Source: {MARTS}.{table}" + (f" ({', '.join(sources)})" if sources else "") + "."
    figure, (ax,) = _new_figure(title, caption=caption)
    for label in shown:
        ax.plot(wide.index, wide[label], marker="o", markersize=3, linewidth=1.5, label=label)
    ax.axhline(DEPENDENCE_THRESHOLD, color=DEFICIT_COLOUR, linestyle="--", linewidth=1.2)
    ax.annotate(f"{_percent(DEPENDENCE_THRESHOLD, decimals=0)} line", xy=(1, DEPENDENCE_THRESHOLD),
                xycoords=("axes fraction", "data"), ha="right", va="bottom", color=DEFICIT_COLOUR, fontsize=9)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    ax.set_xlabel("Period")
    ax.set_ylabel("Top supplier's share of the item's imports")
    ax.legend(frameon=False, fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))

    above = [label for label in latest_share.index if latest_share[label] > DEPENDENCE_THRESHOLD]
    periods = pd.to_datetime(wide.index)
    period_format = "%Y" if (periods.month == 1).all() else "%Y-%m"
    description = (
        f"Top supplier's share per item from {MARTS}.{table}, {periods.min():{period_format}} to "
        f"{periods.max():{period_format}}; {len(above)} of {len(latest_share)} items above "
        f"{_percent(DEPENDENCE_THRESHOLD, decimals=0)} in their latest period"
        + (f" ({', '.join(above)})" if above else "") + "."
        + (f" Shown: the {len(shown)} items with the highest latest share." if len(shown) < len(latest_share) else "")
    )
    return Chart(key, title, description, _save(figure, out_dir, key))


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """Column names of marts.<table>; empty if the table does not exist."""
    rows = con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [MARTS, table],
    ).fetchall()
    return {name for (name,) in rows}


CHART_RENDERERS: tuple[Callable[[duckdb.DuckDBPyConnection, Path], Chart], ...] = (
    _us_china_shares_chart,
    _china_monthly_chart,
    _china_balance_chart,
    _top_destinations_chart,
    _dependence_chart,
)


# --- the HTML page --------------------------------------------------------------------------------------------

PAGE_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption, .skipped { color: #444; line-height: 1.45; }
.skipped { font-style: italic; }
"""


def _html_page(charts: tuple[Chart, ...]) -> str:
    sections = []
    for chart in charts:
        if chart.skipped:
            body = f'<p class="skipped">Not shown. {html.escape(chart.description)}</p>'
        else:
            encoded = base64.b64encode(chart.path.read_bytes()).decode("ascii")
            body = (
                f'<figure><img src="data:image/png;base64,{encoded}" alt="{html.escape(chart.title)}">'
                f"<figcaption>{html.escape(chart.description)} "
                f'(<a href="{html.escape(chart.path.name)}">{html.escape(chart.path.name)}</a>)</figcaption></figure>'
            )
        sections.append(f'<section id="{chart.key}">\n<h2>{html.escape(chart.title)}</h2>\n{body}\n</section>')
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8"><title>Korea trade report</title>',
        f"<style>{PAGE_STYLE}</style></head>",
        "<body>",
        "<h1>South Korea's foreign trade: the United States and China</h1>",
        f"<p>{html.escape(SOURCE_CAPTION)} Values in US dollars; US$ bn = 10<sup>9</sup> US$.</p>",
        *sections,
        "</body></html>",
        "",
    ])
