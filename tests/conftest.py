"""Shared fixtures. Unit tests never import the Dagster definitions; integration tests do, after `dbt parse`."""

import os

# Keep every test run offline and quiet, whatever the caller's environment says.
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
os.environ.setdefault("DO_NOT_TRACK", "1")
