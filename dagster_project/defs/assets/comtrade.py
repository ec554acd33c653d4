"""UN Comtrade legacy-format extracts (all files of raw/comtrade_legacy/ as one table)."""

from dagster_project.defs.assets.raw_files import raw_file_asset
from dagster_project.sources import comtrade

comtrade_legacy_trade = raw_file_asset(comtrade.LEGACY_TRADE)
