"""KITA / Korea Customs HSK-10 monthly trade of semiconductor inputs by partner."""

from dagster_project.defs.assets.raw_files import raw_file_asset
from dagster_project.sources import kita

kita_hsk10_trade_by_partner_monthly = raw_file_asset(kita.TRADE_BY_PARTNER_MONTHLY)
