"""A SYNTHETIC KCS nationtrade response for December 2023 that agrees with the shipped files.

The warehouse holds 2023 in full for the US and China (the annual KOSIS file; ECOS months January-November), and
its data tests require twelve months to add up to the year. So a test server's December 2023 cannot carry made-up
figures for them: here their December is DERIVED from the shipped files (annual KOSIS 2023 minus ECOS January to
November, thousand USD x 1000), which makes it the real December figure within rounding, and so puts the US above
China as Korea's export destination, as it was. Namibia and the unallocated code ZZ carry made-up small figures
(no complete year of theirs is in the warehouse). The 총계 row is the sum of the rows, as KCS sends it.
"""

from functools import cache

import pandas as pd

from dagster_project import settings

RAW = settings.DEFAULT_RAW_DIR
NAMES = {"US": "미국", "CN": "중국", "NA": "나미비아", "ZZ": "기타국"}


@cache
def derived_december_2023() -> dict[str, tuple[int, int]]:
    """(exports, imports) USD in December 2023 for US and CN, derived from the shipped annual and ECOS files."""
    annual = pd.read_csv(RAW / "kosis_kdiplo/trade_data.csv", keep_default_na=False, dtype=str)
    ecos = pd.read_csv(RAW / "ecos_monthly_by_partner/korea_trade_by_partner_monthly.csv")
    ecos = ecos[ecos.period.between("2023-01", "2023-11")]
    derived = {}
    for code, iso3 in (("US", "USA"), ("CN", "CHN")):
        row = annual[(annual.iso3c == iso3) & (annual.year == "2023")].iloc[0]
        flows = []
        for flow, column in (("export", "export_kosis"), ("import", "import_kosis")):
            months = ecos[(ecos.partner_iso3 == iso3) & (ecos.flow == flow)].value_thousand_usd.sum() * 1000
            flows.append(int(row[column]) - int(months))
        derived[code] = (flows[0], flows[1])
    return derived


def december_2023_records(*, us_bump: int = 0) -> list[dict[str, str]]:
    """The response's records: US and CN derived (US exports raised by `us_bump`), NA and ZZ made up, 총계."""
    values = {**derived_december_2023(), "NA": (1_234_000, 567_000), "ZZ": (8_000_000, 9_000_000)}
    values["US"] = (values["US"][0] + us_bump, values["US"][1])
    records = [
        {
            "year": "2023.12",
            "statCd": code,
            "statCdCntnKor1": NAMES[code],
            "expDlr": f"{exports:,}",
            "impDlr": f"{imports:,}",
            "balPayments": f"{exports - imports:,}",
        }
        for code, (exports, imports) in values.items()
    ]
    total = {
        field: f"{sum(int(r[field].replace(',', '')) for r in records):,}"
        for field in ("expDlr", "impDlr", "balPayments")
    }
    return [*records, {"year": "총계", "statCd": "-", "statCdCntnKor1": "-", **total}]
