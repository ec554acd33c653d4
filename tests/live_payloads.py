"""Payloads and constants shared by the live-source tests (the server itself is in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "live"  # real payloads, see its README.md
KCS_SAMPLE_CSV = FIXTURES / "ex_getNitemtradeList.csv"
IMF_SAMPLE_XML = FIXTURES / "imts_USA_XG_FOB_USD_G001_G998_A_2023_2024.xml"
KOSIS_META_JSON = Path(__file__).resolve().parents[1] / "raw" / "kosis_meta" / "export_by_country_2024_v1.json"

# A made-up key with the characters that data.go.kr keys have (+ / =), so URL-encoded forms are exercised too.
SECRET_KEY = "SyNtHeTiC+tEsT/kEy0123456789=="


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/xml;charset=UTF-8"
    delay: float = 0.0  # seconds before answering, to provoke client timeouts


# --------------------------------------------------------------------------------------------------- KCS payloads


def real_kcs_records() -> list[dict[str, str]]:
    """The 13 records (12 months + 총계) of the real KCS response shipped as CSV (CP949), without the R `idx`."""
    frame = pd.read_csv(KCS_SAMPLE_CSV, encoding="cp949", dtype=str, keep_default_na=False)
    return frame.drop(columns="idx").to_dict("records")


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def kcs_envelope(
    records: list[dict[str, str]],
    *,
    total_count: int | None = None,
    encoding: str | None = "EUC-KR",
    codec: str = "cp949",
    code: str = "00",
    message: str = "NORMAL SERVICE.",
) -> bytes:
    """Re-wrap records into the KCS API envelope (PROVENANCE appendix A), encoded as the real service may."""
    items = "".join(
        "<item>" + "".join(f"<{k}>{_xml_escape(v)}</{k}>" for k, v in record.items()) + "</item>" for record in records
    )
    declaration = (
        f'<?xml version="1.0" encoding="{encoding}" standalone="yes"?>' if encoding else '<?xml version="1.0"?>'
    )
    body = (
        f"{declaration}<response><header><resultCode>{code}</resultCode><resultMsg>{message}</resultMsg></header>"
        f"<body><items>{items}</items><numOfRows>{len(records)}</numOfRows><pageNo>1</pageNo>"
        f"<totalCount>{len(records) if total_count is None else total_count}</totalCount></body></response>"
    )
    return body.encode(codec)


def kcs_error(code: str, message: str) -> bytes:
    """Synthetic KCS error envelope with a result code of appendix A."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><response><header><resultCode>{code}</resultCode>'
        f"<resultMsg>{message}</resultMsg></header></response>"
    ).encode()


# --------------------------------------------------------------------------------------------------- KOSIS


def kosis_usa_2024_row() -> dict[str, str]:
    """The real KOSIS value row KOR->USA exports 2024 (127,761,371 thousand USD), with the C1/name fields a
    getList response carries added (the snapshot kept only the value fields)."""
    import json

    value_rows = json.loads(KOSIS_META_JSON.read_text(encoding="utf-8"))["value_rows"]
    (row,) = next(rows for key, rows in value_rows.items() if "DT_1R11006_FRM101" in key and "MEMBER=미국" in key)
    return {**row, "C1": "13102103829E.US", "C1_NM": "미국", "ITM_NM": "수출액", "UNIT_NM": "천달러"}


def kcs_item_response(records: list[dict[str, str]], *, total: dict[str, str] | None = None, **kwargs) -> bytes:
    """A nitemtrade body for one partner: the records plus the one 총계 row (`hsCd`/`statCd` `-`) whose figures
    are the sums of the records, unless `total` overrides some of them."""
    fields = ("expDlr", "impDlr", "balPayments", "expWgt", "impWgt")
    summed = {f: str(sum(int(r[f]) for r in records if r[f].lstrip("-").isdigit())) for f in fields}
    row = {"year": "총계", "statCd": "-", "statCdCntnKor1": "-", "hsCd": "-", "statKor": "-", **summed, **(total or {})}
    return kcs_envelope([*records, row], **kwargs)


def kcs_item_record(
    month: str, partner: str, hs: str, exp: int, imp: int, exp_kg: int = 0, imp_kg: int = 0, **overrides: str
) -> dict[str, str]:
    """Synthetic nitemtrade record (made-up figures for tests; never loaded into a shipped warehouse)."""
    names = {"US": "미국", "CN": "중국", "NA": "나미비아", "JP": "일본"}
    record = {
        "year": month.replace("-", "."),
        "statCd": partner,
        "statCdCntnKor1": names.get(partner, partner),
        "hsCd": hs,
        "statKor": "합성 품목",
        "expDlr": str(exp),
        "impDlr": str(imp),
        "balPayments": str(exp - imp),
        "expWgt": str(exp_kg),
        "impWgt": str(imp_kg),
    }
    record.update(overrides)
    return record
