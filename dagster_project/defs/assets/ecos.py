"""Bank of Korea ECOS: Korea's monthly trade by partner (Korea Customs data), the shipped file."""

from dagster_project.defs.assets.raw_files import raw_file_asset
from dagster_project.sources import ecos

ecos_trade_by_partner_monthly = raw_file_asset(ecos.TRADE_BY_PARTNER_MONTHLY)
