"""How figures are written for people (dagster_project/formats.py), shared by the report and the CLI summary."""

from decimal import Decimal

import pytest

from dagster_project.formats import percent, usd_bn


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (12_345_000_000, "US$12.3 bn"),  # SYNTHETIC values throughout, not statistics
        (Decimal("-18040000000.000000"), "−US$18.0 bn"),  # a DECIMAL mart column, a deficit: minus sign first
        (1_234_560_000_000, "US$1,234.6 bn"),
        (-40_000_000, "−US$0.0 bn"),
        (0, "US$0.0 bn"),
    ],
)
def test_usd_bn(value, text):
    assert usd_bn(value) == text


def test_percent():
    assert percent(0.199) == "19.9 %"
    assert percent(0.5, decimals=0) == "50 %"
