"""Does a running Superset see a publish? A manual check against a real Superset server (not part of `make test`).

Setup, in its own environment (a throwaway folder, here /tmp/ss; the secret key is a local placeholder):

    python3 -m venv /tmp/ss/venv && /tmp/ss/venv/bin/pip install apache-superset==6.1.0 duckdb-engine==0.17.0 \
        duckdb==2.0.1 flask-caching==2.3.1 rich cachetools
    printf 'SECRET_KEY = "local-only-%s"\nSQLALCHEMY_DATABASE_URI = "sqlite:////tmp/ss/superset.db"\n%s\n' \
        "$(python3 -c 'import secrets; print(secrets.token_hex(16))')" \
        'WTF_CSRF_ENABLED = False' > /tmp/ss/superset_config.py
    export SUPERSET_CONFIG_PATH=/tmp/ss/superset_config.py FLASK_APP=superset
    /tmp/ss/venv/bin/superset db upgrade && /tmp/ss/venv/bin/superset fab create-admin --username admin \
        --firstname a --lastname b --email admin@example.invalid --password admin && /tmp/ss/venv/bin/superset init
    /tmp/ss/venv/bin/gunicorn -w 1 --threads 20 -k gthread -b 127.0.0.1:8098 "superset.app:create_app()"

Then, from the project's venv:

    python -m tests.benchmarks.superset_publish http://127.0.0.1:8098 /tmp/ss/serving/warehouse.duckdb
    python -m tests.benchmarks.superset_publish http://127.0.0.1:8098 /tmp/ss/old/warehouse.duckdb \
        --module-file old_publish.py   # e.g. main's publish.py before generations

It registers the served path as a Superset database (read_only engine parameters), publishes the built work file
(A), keeps LOAD_THREADS clients running overlapping SQL Lab queries, publishes a copy of A that differs by one
SYNTHETIC marker table (B), and checks once a second for SECONDS which build SQL Lab answers from.
"""

import argparse
import json
import shutil
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import requests

from dagster_project import settings
from tests.benchmarks.bench_publish import MARKER, load_module

SQL_MARKER = "select count(*) as marker from duckdb_tables() where table_name = 'bench_synthetic_marker'"
# About a second of DuckDB work per query, so that the clients' connections overlap at all times.
SQL_LOAD = (
    "select count(*) as n from range(30000000) t(i), (select 1 from marts.dim_country limit 1) where hash(i) % 7 = 0"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("served")
    parser.add_argument("--work", default=str(settings.warehouse_path()))
    parser.add_argument("--module-file")
    parser.add_argument("--load-threads", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    module, served = load_module(args.module_file), Path(args.served)

    session = requests.Session()
    login = session.post(
        f"{args.base_url}/api/v1/security/login",
        json={"username": "admin", "password": "admin", "provider": "db", "refresh": True},
    )
    session.headers["Authorization"] = f"Bearer {login.json()['access_token']}"

    with tempfile.TemporaryDirectory() as tmp:
        work_a = Path(shutil.copy(args.work, Path(tmp) / "work_a.duckdb"))
        work_b = Path(shutil.copy(args.work, Path(tmp) / "work_b.duckdb"))
        with duckdb.connect(str(work_b)) as con:
            con.execute(f"create table {MARKER} as select 'SYNTHETIC benchmark marker' as note")
        module.publish(work_a, served)

        name = f"warehouse-{served.parent.name}"
        existing = [
            d for d in session.get(f"{args.base_url}/api/v1/database/").json()["result"] if d["database_name"] == name
        ]
        if existing:
            database_id = existing[0]["id"]
        else:
            created = session.post(
                f"{args.base_url}/api/v1/database/",
                json={
                    "database_name": name,
                    "sqlalchemy_uri": f"duckdb:///{served}",
                    "expose_in_sqllab": True,
                    "extra": json.dumps({"engine_params": {"connect_args": {"read_only": True}}}),
                },
            )
            created.raise_for_status()
            database_id = created.json()["id"]

        def run(sql: str) -> dict:
            response = session.post(
                f"{args.base_url}/api/v1/sqllab/execute/",
                json={"database_id": database_id, "sql": sql, "runAsync": False},
            )
            body = response.json()
            if response.status_code != 200 or body.get("status") != "success":
                raise RuntimeError(f"{response.status_code} {str(body)[:300]}")
            return body["data"][0]

        errors, loads, stop = [], [0], threading.Event()

        def load() -> None:
            while not stop.is_set():
                try:
                    run(SQL_LOAD)
                    loads[0] += 1
                except Exception as error:  # noqa: BLE001 (counted and printed)
                    errors.append(str(error))

        threads = [threading.Thread(target=load) for _ in range(args.load_threads)]
        for thread in threads:
            thread.start()
        time.sleep(5)
        before = run(SQL_MARKER)["marker"]
        started = time.monotonic()
        module.publish(work_b, served)
        published = time.monotonic() - started
        checks = []
        while time.monotonic() - started < args.seconds:
            checks.append(run(SQL_MARKER)["marker"])
            time.sleep(1)
        stop.set()
        for thread in threads:
            thread.join()
    print(
        f"{args.module_file or module.__name__}: before the publish SQL Lab read {'B' if before else 'A'}; "
        f"publish took {published:.3f} s; {len(checks)} checks over {args.seconds:.0f} s after it: "
        f"{checks.count(0)} read the old build, {checks.count(1)} the new one (first check: "
        f"{'new' if checks and checks[0] else 'old'}); {loads[0]} load queries, {len(errors)} errors {errors[:2]}"
    )


if __name__ == "__main__":
    main()
