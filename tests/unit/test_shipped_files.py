"""The files shipped in raw/ parse with their specs and are the bytes their provenance notes name."""

import re
from pathlib import Path

import pytest

from dagster_project import settings
from dagster_project.sources import kosis, reference
from dagster_project.sources.files import read_csv_file

SPECS = [*kosis.SPECS, *reference.SPECS]


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.table)
def test_shipped_file_matches_the_sha256_in_its_provenance_note(spec):
    path = settings.DEFAULT_RAW_DIR / spec.relative_path
    note = (path.parent / "PROVENANCE.md").read_text(encoding="utf-8")
    section = note[note.index(f"# {path.name}") if f"# {path.name}" in note else 0 :]
    noted = re.search(r"sha256 `([0-9a-f]{64})`", section)
    assert noted, f"{path.parent}/PROVENANCE.md names no sha256 for {path.name}"
    _, sha256 = read_csv_file(path, spec)
    assert sha256 == noted.group(1)


def test_annual_file_has_korea_china_2023_and_namibia():
    frame, _ = read_csv_file(settings.DEFAULT_RAW_DIR / kosis.TRADE_BY_PARTNER_ANNUAL.relative_path,
                             kosis.TRADE_BY_PARTNER_ANNUAL)
    china = frame[(frame.iso3c == "CHN") & (frame.year == 2023)].iloc[0]
    assert china.export_kosis > 0 and china.import_kosis > china.export_kosis  # 2023: a deficit with China
    assert "NAM" in set(frame.iso3c)


def test_kosis_code_list_keeps_namibia_as_na():
    frame, _ = read_csv_file(settings.DEFAULT_RAW_DIR / kosis.COUNTRY_CODES.relative_path, kosis.COUNTRY_CODES)
    assert frame.set_index("country_code").loc["NA", "name_en"].lower().startswith("namibia")


def test_every_raw_folder_has_a_provenance_note():
    folders = {Path(spec.relative_path).parts[0] for spec in SPECS}
    for folder in folders:
        assert (settings.DEFAULT_RAW_DIR / folder / "PROVENANCE.md").is_file(), folder
