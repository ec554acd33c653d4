"""Reference files: ISO country codes and the official figures the warehouse must reproduce."""

from dagster_project.defs.assets.raw_files import raw_file_asset
from dagster_project.sources import reference

ref_country_codes = raw_file_asset(reference.COUNTRY_CODES)
ref_reference_figures = raw_file_asset(reference.REFERENCE_FIGURES)
