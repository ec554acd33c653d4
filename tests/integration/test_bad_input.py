"""Bad input fails its asset with file, row and column, and the warehouse keeps its contents. (Re-running
over unchanged input is safe: test_serving's killed-run test, whose recovery run is that rerun.)"""

import pytest

from .conftest import step_failure_messages, table_contents

ANNUAL = "kosis_kdiplo/trade_data.csv"


def _rewrite(path, edit):
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(edit(lines)), encoding="utf-8")


def _drop_column(lines, name="import_kosis"):
    header = lines[0].rstrip("\n").split(",")
    index = header.index(name)
    return [
        ",".join(field for i, field in enumerate(line.rstrip("\n").split(",")) if i != index) + "\n"
        for line in lines
        if "," in line and '"' not in line
    ]


def _non_numeric(lines):
    fields = lines[5].split(",")
    fields[7] = "12,3".replace(",", ";")  # export_kosis of data row 5 becomes '12;3'
    return [*lines[:5], ",".join(fields), *lines[6:]]


def _duplicate_key(lines):
    return [*lines, lines[1]]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_drop_column, ["raw/", ANNUAL.split("/")[1], "missing column(s) 'import_kosis'"]),
        (
            _non_numeric,
            [ANNUAL.split("/")[1], "row 5 (line 6)", "column 'export_kosis'", "'12;3' is not a whole number"],
        ),
        (
            _duplicate_key,
            [
                ANNUAL.split("/")[1],
                "row 1 (line 2)",
                "column 'iso3c,year'",
                "duplicated key (iso3c='ABW', year='1965') also on row 16512",
            ],
        ),
    ],
    ids=["missing_column", "non_numeric_value", "duplicated_key"],
)
def test_bad_input_fails_with_its_location_and_keeps_the_warehouse(edit, expected, warehouse_copy, raw_copy, run_build):
    before = table_contents(warehouse_copy, "raw.kosis_trade_by_partner_annual")
    marts_before = table_contents(warehouse_copy, "marts.fct_bilateral_trade")
    _rewrite(raw_copy / ANNUAL, edit)

    result = run_build(warehouse_copy, raw_copy)

    assert not result.success
    messages = "\n".join(step_failure_messages(result))
    for fragment in expected:
        assert fragment in messages
    failed_steps = {event.step_key for event in result.all_events if event.is_step_failure}
    assert failed_steps == {"raw__kosis_trade_by_partner_annual"}
    assert table_contents(warehouse_copy, "raw.kosis_trade_by_partner_annual") == before
    assert table_contents(warehouse_copy, "marts.fct_bilateral_trade") == marts_before
