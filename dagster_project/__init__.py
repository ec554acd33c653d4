"""Korea trade warehouse: Dagster + dbt + DuckDB."""
