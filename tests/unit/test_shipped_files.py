"""The files shipped in raw/ parse with their specs and are the bytes their provenance notes name."""

import re
from pathlib import Path

import pytest

from dagster_project import settings
from dagster_project.sources import comtrade, ecos, kita, kosis, reference
from dagster_project.sources.files import read_csv_file, sha256_of

SPECS = [*kosis.SPECS, *reference.SPECS, *kita.SPECS, *comtrade.SPECS, *ecos.SPECS]
SHIPPED = sorted(path for spec in SPECS for path in settings.DEFAULT_RAW_DIR.glob(spec.relative_path))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_shipped_file_is_the_bytes_its_provenance_note_names(path):
    note = (path.parent / "PROVENANCE.md").read_text(encoding="utf-8")
    assert path.name in note, f"{path.parent}/PROVENANCE.md does not describe {path.name}"
    assert sha256_of(path.read_bytes()) in re.findall(r"[0-9a-f]{64}", note)


def test_annual_file_has_korea_china_2023_and_namibia():
    frame = read_csv_file(
        settings.DEFAULT_RAW_DIR / kosis.TRADE_BY_PARTNER_ANNUAL.relative_path, kosis.TRADE_BY_PARTNER_ANNUAL
    ).rows
    china = frame[(frame.iso3c == "CHN") & (frame.year == 2023)].iloc[0]
    assert china.export_kosis > 0 and china.import_kosis > china.export_kosis  # 2023: a deficit with China
    assert "NAM" in set(frame.iso3c)


def test_kosis_code_list_keeps_namibia_as_na():
    frame = read_csv_file(settings.DEFAULT_RAW_DIR / kosis.COUNTRY_CODES.relative_path, kosis.COUNTRY_CODES).rows
    assert frame.set_index("country_code").loc["NA", "name_en"].lower().startswith("namibia")


def test_every_raw_folder_has_a_provenance_note():
    folders = {Path(spec.relative_path).parts[0] for spec in SPECS}
    for folder in folders:
        assert (settings.DEFAULT_RAW_DIR / folder / "PROVENANCE.md").is_file(), folder
