"""The asset checks' descriptions say what each dbt test asserts, from the test's own definition."""

from pathlib import Path

from dagster_project.defs.check_descriptions import describe_test


def test_builtin_generic_and_singular_tests_are_described(tmp_path: Path):
    (tmp_path / "tests" / "generic").mkdir(parents=True)
    (tmp_path / "tests" / "generic" / "within_bounds.sql").write_text(
        "{#- Every value lies within\n    [low, high]. -#}\n"
        "{% test within_bounds(model, low, high) %}select 1{% endtest %}"
    )
    (tmp_path / "tests" / "assert_sums.sql").write_text(
        "{{ config(severity='warn') }}\n"
        "{#- Σ partners equal the total row. Any row returned is a failure. -#}\nselect 1"
    )

    relationships = {
        "name": "relationships_x",
        "column_name": "partner_iso3",
        "config": {"severity": "ERROR"},
        "test_metadata": {
            "name": "relationships",
            "kwargs": {
                "column_name": "partner_iso3",
                "to": "ref('dim_country')",
                "field": "country_iso3",
                "model": "{{ get_where_subquery(ref('fct')) }}",
            },
        },
    }
    assert describe_test(relationships, tmp_path) == (
        "every `partner_iso3` exists in `dim_country`.`country_iso3`. Severity: error."
    )

    generic = {
        "name": "within_bounds_x",
        "config": {"where": "period_grain = 'year'"},
        "test_metadata": {"name": "within_bounds", "kwargs": {"low": 0, "high": 1, "model": "m"}},
    }
    assert describe_test(generic, tmp_path) == (
        "within_bounds (low: 0; high: 1). Every value lies within [low, high]. "
        "Rows tested: where period_grain = 'year'. Severity: error."
    )

    singular = {"name": "assert_sums", "original_file_path": "tests/assert_sums.sql", "config": {}}
    assert describe_test(singular, tmp_path) == "Σ partners equal the total row. Any row returned is a failure."

    written = {**generic, "description": "Shares lie in [0, 1]."}
    assert describe_test(written, tmp_path) == "Shares lie in [0, 1]."
