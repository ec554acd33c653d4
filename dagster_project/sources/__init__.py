"""Pure readers and parsers, one module per publisher. No Dagster imports."""
