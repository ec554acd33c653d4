"""Pure DuckDB helpers (no Dagster imports): idempotent loads into the raw schema."""
