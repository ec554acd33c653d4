"""Benchmark: the main command and the test suite against a bare `dbt build` of the same project, in one run.

1. bare: `dbt build` of dbt_project/, as a person would run it by hand, on a scratch copy of the warm work file
   (data/warehouse.duckdb), with a target folder of its own primed with dbt's partial-parse file (so it parses
   incrementally, like a second `dbt build` in a row);
2. warehouse: `python -m dagster_project.cli build`, exactly what warm `make warehouse` runs (same DAGSTER_HOME,
   work file and served file; the work file must exist: `make warehouse` once first, or --warm-up);
3. with --tests: `make test`, the whole suite (once, then the bare build once more).

Each is timed wall-clock and in CPU seconds (user + system of the child processes), `--repeat` times alternately
(the machine may be shared: the median is printed), and the ratios to the bare build's median are printed.

Run: `make bench-dev` (warehouse only) or `make bench-dev TESTS=1` (also the test suite).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from dagster_project import settings


@dataclass
class Timings:
    name: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def median_wall(self) -> float:
        return statistics.median(self.wall)

    def median_cpu(self) -> float:
        return statistics.median(self.cpu)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], *, cwd: Path, env: dict[str, str], quiet: bool = True) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one command; raises if it fails."""
    cpu, started = children_cpu(), time.monotonic()
    completed = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE if quiet else None,
        stderr=subprocess.STDOUT if quiet else None,
    )
    wall = time.monotonic() - started
    if completed.returncode != 0:
        tail = completed.stdout.decode(errors="replace")[-3000:] if completed.stdout else ""
        raise SystemExit(f"{' '.join(command)} failed with exit code {completed.returncode}\n{tail}")
    return wall, children_cpu() - cpu


def make_env() -> dict[str, str]:
    """The environment the Makefile gives its commands."""
    env = dict(os.environ)
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = f"{venv_bin}:{env.get('PATH', '')}"
    env[settings.DAGSTER_HOME_ENV] = str(settings.dagster_home())
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False"
    env["DO_NOT_TRACK"] = "1"
    return env


def bare_dbt_build(scratch: Path, env: dict[str, str]) -> tuple[float, float]:
    """`dbt build` by hand on a fresh copy of the work file; target folder primed with the partial-parse file."""
    copy = scratch / "warehouse.duckdb"
    shutil.copyfile(settings.warehouse_path(), copy)
    target = scratch / "target"
    target.mkdir(exist_ok=True)
    partial = settings.DBT_TARGET_DIR / "partial_parse.msgpack"
    if partial.exists() and not (target / partial.name).exists():
        shutil.copyfile(partial, target / partial.name)
    return timed(
        [settings.DBT_EXECUTABLE, "build", "--target-path", str(target)],
        cwd=settings.DBT_PROJECT_DIR,
        env={**env, settings.WAREHOUSE_PATH_ENV: str(copy)},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="measurements of each (default 3)")
    parser.add_argument("--tests", action="store_true", help="also time the whole test suite (once)")
    parser.add_argument("--warm-up", action="store_true", help="run `cli build` once first, untimed")
    args = parser.parse_args(argv)

    env = make_env()
    python = sys.executable
    if args.warm_up or not settings.warehouse_path().exists():
        print("warm-up: python -m dagster_project.cli build (untimed)", flush=True)
        timed([python, "-m", "dagster_project.cli", "build"], cwd=settings.REPO_ROOT, env=env)
    # `make warehouse` and `make test` parse when the dbt project changed; here it is parsed once, untimed.
    timed([python, "-m", "dagster_project.cli", "prepare"], cwd=settings.REPO_ROOT, env=env)

    bare, warehouse, tests = Timings("bare dbt build"), Timings("make warehouse (warm)"), Timings("make test")
    with tempfile.TemporaryDirectory(prefix="bench-dev-") as scratch_dir:
        scratch = Path(scratch_dir)
        # the bare build's own partial-parse state is warm from its first run: discard one untimed build
        bare_dbt_build(scratch, env)
        for round_ in range(1, args.repeat + 1):
            for timings, run in (
                (bare, lambda: bare_dbt_build(scratch, env)),
                (
                    warehouse,
                    lambda: timed([python, "-m", "dagster_project.cli", "build"], cwd=settings.REPO_ROOT, env=env),
                ),
            ):
                wall, cpu = run()
                timings.wall.append(wall)
                timings.cpu.append(cpu)
                print(f"round {round_}: {timings.name}: {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)
        if args.tests:
            wall, cpu = timed(["make", "test"], cwd=settings.REPO_ROOT, env=env, quiet=False)
            tests.wall.append(wall)
            tests.cpu.append(cpu)
            print(f"{tests.name}: {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)
            wall, cpu = bare_dbt_build(scratch, env)
            bare.wall.append(wall)
            bare.cpu.append(cpu)
            print(f"after the tests: {bare.name}: {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)

    print()
    print(f"machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    base_wall, base_cpu = bare.median_wall(), bare.median_cpu()
    print(f"{'':28} {'wall s (median)':>16} {'CPU s (median)':>15} {'wall ratio':>11} {'CPU ratio':>10}")
    for timings in (bare, warehouse, tests):
        if not timings.wall:
            continue
        print(
            f"{timings.name:28} {timings.median_wall():16.1f} {timings.median_cpu():15.1f} "
            f"{timings.median_wall() / base_wall:10.2f}x {timings.median_cpu() / base_cpu:9.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
