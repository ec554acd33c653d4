"""Reference files: ISO country codes, the figures to reproduce, the HS nomenclature, Comtrade area codes."""

from dagster_project.defs.assets.raw_files import raw_file_asset
from dagster_project.sources import reference

ref_country_codes = raw_file_asset(reference.COUNTRY_CODES)
ref_reference_figures = raw_file_asset(reference.REFERENCE_FIGURES)
ref_hs_codes = raw_file_asset(reference.HS_CODES)
ref_hs_sections = raw_file_asset(reference.HS_SECTIONS)
ref_comtrade_area_codes = raw_file_asset(reference.COMTRADE_AREA_CODES)
