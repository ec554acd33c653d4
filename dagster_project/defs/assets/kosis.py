"""KOSIS trade files: annual trade by partner, monthly trade with China, the partner-code list."""

from dagster_project.defs.assets.raw_files import raw_file_asset
from dagster_project.sources import kosis

kosis_trade_by_partner_annual = raw_file_asset(kosis.TRADE_BY_PARTNER_ANNUAL)
kosis_trade_china_monthly = raw_file_asset(kosis.TRADE_CHINA_MONTHLY)
kosis_country_codes = raw_file_asset(kosis.COUNTRY_CODES)
