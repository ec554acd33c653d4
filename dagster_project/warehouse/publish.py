"""Publish a built warehouse file as a new generation behind the served path, keep a few generations, roll back.

DuckDB allows one writer or many read-only readers per file. Runs therefore build a work file, and only a work
file that passed its tests is published. Each publish writes a new, never-modified file
`generations/<stem>-<UTC time>-<content id><suffix>` beside the served path, checks it read-only, and then points
the served path (a symlink) at it by an atomic symlink swap (a temporary symlink renamed over the served path).

Why a pointer and not a rename of the file itself: inside one process, DuckDB shares one database instance per
file while any connection to it is open, and looks the instance up by the file the path resolves to. After an
`os.replace` of the served file, a BI server with overlapping queries (threaded workers) keeps at least one
connection open at all times, so every new connection joins the old instance and reads the previous build for as
long as the load lasts. With a symlink swap the path resolves to a different file, so a connection opened after
the publish gets a new instance on the new generation at once, while open connections finish on the old one.

A reader that still has an old generation open keeps reading it after the file is pruned (unlink on POSIX removes
the name, not the open inode). A crash at any point leaves the served path pointing at a whole generation.

No Dagster imports: the Dagster asset, the CLI and the tests call these functions directly.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dagster_project import settings

from . import gate
from .gate import fsync_dir, wal_path
from .load import table_names

MARTS_SCHEMA = settings.MARTS_SCHEMA
# What BI tools read, and so what the content fingerprint covers: the marts and the reference tables (the dbt seeds).
SERVED_SCHEMAS = (MARTS_SCHEMA, settings.REFERENCE_SCHEMA)
# Marts a published file must hold, non-empty.
REQUIRED_MARTS = ("fct_bilateral_trade", "fct_trade_totals", "fct_partner_shares", "dim_country")
# Σ partners (fct_bilateral_trade) against the publisher's own world total row (fct_trade_totals.reported_*):
# partners without an ISO3 code (`ZZ` others, `EU`, ...) are missing from the annual KOSIS file, so the sum is
# below the total by 0.7-2.3 % in 2015-2023 and by at most 4 % since 1970. The files of 1965-1969 list fewer partners
# (10.6 % of 1966 exports unallocated), hence a wider bound before 1970. A missing or doubled large partner breaks it.
PARTNER_SUM_TOLERANCE = 0.05
EARLY_YEARS_BEFORE = 1970
EARLY_PARTNER_SUM_TOLERANCE = 0.12
GENERATIONS_DIR = "generations"
TEMP_MARKER = ".publish-tmp-"
# What the content fingerprint covers, stored beside each generation; a change of method means "compute again".
FINGERPRINT_KIND = "marts-rows-v3"
# Doubles carry ~15.9 significant digits and the last bit of a parallel sum may differ between equal builds (an HHI
# of 2019 did): 12 digits put a last-bit difference across a rounding boundary about once in 10^4 values.
FINGERPRINT_DOUBLE_DIGITS = 12
# Columns whose values say which build wrote a row, or when its source rows were loaded, not what it holds: their
# names and types count, their values not. (A rebuild from the same files reloads them: new load times, same figures.)
FINGERPRINT_IGNORED_COLUMNS = frozenset({"dbt_invocation_id", "vintage_loaded_at"})


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


Verify = Callable[[duckdb.DuckDBPyConnection], Sequence[Check]]


@dataclass(frozen=True)
class PublishResult:
    work_file: Path
    served_file: Path  # the stable path BI tools open: a symlink to `generation`
    previous_file: Path | None  # the symlink to the previous generation; None while there is none
    size_bytes: int
    seconds: float  # publish latency: checkpoint, fingerprint, copy, verify and the pointer swap
    copy_seconds: float
    verify_seconds: float
    checks: tuple[Check, ...]
    generation: Path | None = None  # the file the served path points at after this call
    # False: the work file's marts and reference tables equal the served generation's; nothing was written
    changed: bool = True
    fingerprint: str = ""
    fingerprint_seconds: float = 0.0
    pruned: tuple[Path, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RollbackResult:
    served_file: Path
    previous_file: Path  # the symlink that now points at the generation served before the rollback
    seconds: float
    generation: Path | None = None  # the generation served now
    replaced: Path | None = None  # the generation served before
    checks: tuple[Check, ...] = ()


class PublishError(RuntimeError):
    """Nothing was published (or rolled back); the served path is unchanged."""


def previous_path(served_file: Path) -> Path:
    """The pointer to the previous generation, beside the served path: `<stem>.previous<suffix>` (a symlink)."""
    served_file = Path(served_file)
    return served_file.with_name(f"{served_file.stem}.previous{served_file.suffix}")


def generations_dir(served_file: Path) -> Path:
    return Path(served_file).parent / GENERATIONS_DIR


def sidecar_path(generation: Path) -> Path:
    return Path(f"{generation}.json")


def list_generations(served_file: Path) -> list[Path]:
    """The generation files beside the served path, oldest first (their names start with the UTC publish time)."""
    served_file = Path(served_file)
    directory = generations_dir(served_file)
    if not directory.is_dir():
        return []
    return sorted(
        p
        for p in directory.glob(f"{served_file.stem}-*{served_file.suffix}")
        if not p.name.startswith(".") and p.is_file()
    )


def pointer_target(link: Path) -> Path | None:
    """The generation file a pointer (the served path or the previous one) resolves to, or None if it has none."""
    link = Path(link)
    if link.is_symlink():
        target = link.parent / os.readlink(link)
        return Path(os.path.normpath(target)) if target.exists() else None
    return link if link.is_file() else None  # a plain file: the layout before generations


def served_generation(served_file: Path) -> Path | None:
    return pointer_target(served_file)


def generation_info(generation: Path) -> dict:
    """What was recorded when the generation was published (fingerprint, time, work file), or {}."""
    try:
        return json.loads(sidecar_path(generation).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _significant(value: str) -> str:
    """SQL: a double rounded to FINGERPRINT_DOUBLE_DIGITS significant digits (0, NULL, inf and nan as they are)."""
    digits = f"least({FINGERPRINT_DOUBLE_DIGITS - 1} - floor(log10(abs({value})))::int, 300)"
    return f"case when {value} = 0 or not isfinite({value}) then {value} else round({value}, {digits}) end"


def marts_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """sha256 over what BI tools read: per relation of the marts and reference schemas (SERVED_SCHEMAS), its name,
    columns and types, its and its columns' comments (the dbt descriptions a BI tool's catalog shows), row count and
    an order-independent sum of per-row hashes, with floating-point values taken to FINGERPRINT_DOUBLE_DIGITS
    significant digits and the values of FINGERPRINT_IGNORED_COLUMNS (build ids) left out.

    Why the marts and not the file's bytes: two builds of the same inputs differ in bytes (DuckDB's block layout)
    and in the raw tables' per-run columns (`_loaded_at`, `_load_id`), yet serve the same marts. Why round doubles:
    parallel sums of doubles (an HHI, a share) may differ in the last bit between two builds of the same inputs.
    DuckDB's `hash()` is a 64-bit row hash; a changed row leaves the sum equal with negligible probability. The
    hash may change with the DuckDB version: then one extra (equal) generation is published, never a change missed
    (except one beyond the 12th significant digit of a double)."""
    return marts_fingerprint_parts(con)[0]


# The rows of a dbt-built mart name the dbt invocation that wrote them (BUILD_ID_COLUMN), and dbt never updates a
# row in place: an incremental build deletes rows and inserts its own under its new id, a table build writes all
# rows under its id. So the rows under one id that are as many as when they were hashed are the rows that were
# hashed: their hash sum is taken from the served generation's record and only new or thinned ids are hashed. A
# new month then hashes its own rows, not the whole history of the item marts; the fingerprint is the same.
BUILD_ID_COLUMN = "dbt_invocation_id"


def marts_fingerprint_parts(con: duckdb.DuckDBPyConnection, known: dict | None = None) -> tuple[str, dict]:
    """The marts fingerprint and its parts: per relation its columns, what it adds to the digest (name, kind,
    columns, rows, hash sum, comments) and, for tables with BUILD_ID_COLUMN, the rows and hash sum per build id.
    `known`: the parts recorded with the served generation (reused where valid)."""
    known = known if (known or {}).get("duckdb") == duckdb.__version__ else {}
    relations = con.execute(
        "select schema_name, table_name, 'table', comment from duckdb_tables() "
        "where list_contains($schemas, schema_name) "
        "union all select schema_name, view_name, 'view', comment from duckdb_views() "
        "where list_contains($schemas, schema_name) and not internal "
        "order by all",
        {"schemas": list(SERVED_SCHEMAS)},
    ).fetchall()
    digest = hashlib.sha256(FINGERPRINT_KIND.encode())
    parts: dict = {"duckdb": duckdb.__version__, "relations": {}}
    for schema, table, kind, comment in relations:
        # a mart is keyed by its name (the report looks its marts up so), any other relation by schema.name
        name = table if schema == MARTS_SCHEMA else f"{schema}.{table}"
        described = con.execute(
            "select column_name, data_type, comment from duckdb_columns() "
            "where schema_name = ? and table_name = ? order by column_index",
            [schema, table],
        ).fetchall()
        columns = [[column, data_type] for column, data_type, _ in described]  # lists, as in the JSON record
        comments = [comment, [column_comment for *_, column_comment in described]]
        values = (
            ", ".join(
                _significant(_quoted(column)) if data_type in ("DOUBLE", "FLOAT") else _quoted(column)
                for column, data_type in columns
                if column not in FINGERPRINT_IGNORED_COLUMNS
            )
            or "1"
        )
        relation = f"{_quoted(schema)}.{_quoted(table)}"
        row_hash_sum = "coalesce(sum(hash(row(" + values + "))::hugeint), 0)"
        if kind == "table" and any(column == BUILD_ID_COLUMN for column, _ in columns):
            was = (known.get("relations") or {}).get(name) or {}
            builds = _build_sums(
                con, relation, row_hash_sum, was.get("builds", {}) if was.get("columns") == columns else {}
            )
            rows = sum(count for count, _ in builds.values())
            row_hash_total = sum(int(total) for _, total in builds.values())
        else:
            builds = None
            rows, row_hash_total = con.execute(f"select count(*), {row_hash_sum} from {relation}").fetchone()
        entry = [name, kind, columns, rows, str(row_hash_total), comments]
        digest.update(json.dumps(entry).encode())
        # per relation, what it adds to the digest: a reader of a few marts (the report) can tell if they changed
        parts["relations"][name] = {"columns": columns, "digest": entry, **({"builds": builds} if builds else {})}
    return digest.hexdigest(), parts


def _build_sums(con: duckdb.DuckDBPyConnection, relation: str, row_hash_sum: str, known: dict) -> dict:
    """{build id: [rows, hash sum as text]} of a relation; the sums of `known` builds whose rows are as many as
    recorded are reused, the others computed. Rows without a build id are hashed every time (key "")."""
    build = _quoted(BUILD_ID_COLUMN)
    counts = {
        key or "": rows
        for key, rows in con.execute(f"select {build}, count(*) from {relation} group by all").fetchall()
    }
    sums = {key: known[key] for key, rows in counts.items() if key and key in known and known[key][0] == rows}
    missing = [key for key in counts if key not in sums]
    if missing:
        for key, rows, total in con.execute(
            f"select coalesce({build}, ''), count(*), {row_hash_sum} from {relation} "
            f"where list_contains($missing, coalesce({build}, '')) group by all",
            {"missing": missing},
        ).fetchall():
            sums[key] = [rows, str(total)]
    return sums


def file_fingerprint(database: Path) -> str:
    """The marts fingerprint of a DuckDB file, opened read-only."""
    return _file_fingerprint_parts(database)[0]


def _file_fingerprint_parts(database: Path) -> tuple[str, dict]:
    with duckdb.connect(str(database), read_only=True) as con:
        return marts_fingerprint_parts(con)


def _write_info(generation: Path, info: dict) -> None:
    sidecar = sidecar_path(generation)
    temp = _temp_path(sidecar, "info")
    temp.write_text(json.dumps(info, indent=1), encoding="utf-8")
    os.replace(temp, sidecar)


def _same_kind(info: dict) -> bool:
    return info.get("fingerprint_kind") == FINGERPRINT_KIND and bool(info.get("fingerprint"))


def _generation_fingerprint(generation: Path, info: dict) -> str:
    """The recorded fingerprint of a generation (`info`: its sidecar, as read)."""
    if _same_kind(info):
        return info["fingerprint"]
    # Adopted from the layout before generations, or recorded by an older method: compute once, record it.
    fingerprint, parts = _file_fingerprint_parts(generation)
    _write_info(
        generation,
        {**info, "fingerprint": fingerprint, "fingerprint_kind": FINGERPRINT_KIND, "fingerprint_parts": parts},
    )
    return fingerprint


def serving_checks(con: duckdb.DuckDBPyConnection) -> list[Check]:
    """What a served file must satisfy, against figures that do not come from the same formula:

    - the core marts exist and are non-empty;
    - every year has the publisher's reported world totals (from KOSIS's own total row), exports and imports;
    - every year with partner rows has a reported total;
    - per year and flow, Σ partners in fct_bilateral_trade is within PARTNER_SUM_TOLERANCE of the reported total
      (EARLY_PARTNER_SUM_TOLERANCE before EARLY_YEARS_BEFORE). Only years: monthly partner rows cover China only."""
    tables = table_names(con, MARTS_SCHEMA)
    checks = []
    for table in REQUIRED_MARTS:
        rows = con.execute(f"select count(*) from {MARTS_SCHEMA}.{table}").fetchone()[0] if table in tables else 0
        checks.append(Check(f"rows:{table}", rows > 0, f"{rows} rows" if table in tables else "missing"))
    if not {"fct_trade_totals", "fct_bilateral_trade"} <= tables:
        return checks

    years, missing_totals = con.execute(
        f"""select count(*), count(*) filter (where reported_export_usd is null or reported_import_usd is null)
            from {MARTS_SCHEMA}.fct_trade_totals where period_grain = 'year'"""
    ).fetchone()
    checks.append(
        Check(
            "reported_totals_present",
            years > 0 and missing_totals == 0,
            f"{missing_totals} of {years} years without a reported export or import total",
        )
    )

    orphans = [
        row[0]
        for row in con.execute(
            f"""select distinct year(b.period_start) as y
            from {MARTS_SCHEMA}.fct_bilateral_trade as b
            anti join {MARTS_SCHEMA}.fct_trade_totals as t using (reporter_iso3, period_grain, period_start)
            where b.period_grain = 'year' order by y"""
        ).fetchall()
    ]
    checks.append(
        Check(
            "every_partner_year_has_a_reported_total",
            not orphans,
            f"years without a total: {orphans[:10]}" if orphans else "all years have one",
        )
    )

    gaps = con.execute(
        f"""
        with partner_sums as (
            select reporter_iso3, period_start, sum(export_usd) as export_usd, sum(import_usd) as import_usd
            from {MARTS_SCHEMA}.fct_bilateral_trade
            where period_grain = 'year'
            group by all
        ), flows as (
            select year(t.period_start) as y, flow, reported, partners,
                   case when year(t.period_start) < {EARLY_YEARS_BEFORE}
                        then {EARLY_PARTNER_SUM_TOLERANCE} else {PARTNER_SUM_TOLERANCE} end as bound
            from {MARTS_SCHEMA}.fct_trade_totals as t
            left join partner_sums as p using (reporter_iso3, period_start)
            cross join lateral (values ('export', t.reported_export_usd, p.export_usd),
                                       ('import', t.reported_import_usd, p.import_usd)) as v(flow, reported, partners)
            where t.period_grain = 'year' and reported is not null
        )
        select y, flow, partners / nullif(reported, 0) - 1 as gap, bound,
               partners is null or abs(partners - reported) > bound * abs(reported) as outside
        from flows order by outside desc, abs(gap) desc nulls first
        """
    ).fetchall()
    outside = [(y, flow, gap) for y, flow, gap, _, out in gaps if out]
    if not gaps:
        detail = "no year to check"
    elif outside:
        detail = f"{len(outside)} of {len(gaps)} year-flows outside the bound: " + ", ".join(
            f"{y} {flow} {'no partners' if gap is None else f'{gap:+.1%}'}" for y, flow, gap in outside[:5]
        )
    else:
        y, flow, gap, bound, _ = gaps[0]
        detail = (
            f"{len(gaps)} year-flows within {PARTNER_SUM_TOLERANCE:.0%} ({EARLY_PARTNER_SUM_TOLERANCE:.0%} "
            f"before {EARLY_YEARS_BEFORE}); largest gap {y} {flow} {gap:+.1%} (bound {bound:.0%})"
        )
    checks.append(Check("partner_sums_within_bound_of_reported_totals", bool(gaps) and not outside, detail))
    return checks


@contextmanager
def _publish_lock(served_file: Path) -> Iterator[None]:
    """One publish or rollback at a time per served path (an flock, released if the process dies)."""
    lock_file = served_file.with_name(f".{served_file.name}.lock")
    with open(lock_file, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale_temps(served_file: Path) -> None:
    # Under the lock no other publish is running, so any temp file is left over from a crashed one.
    for directory in (served_file.parent, generations_dir(served_file)):
        if directory.is_dir():
            for stale in directory.glob(f".*{TEMP_MARKER}*"):
                stale.unlink(missing_ok=True)
    # DuckDB keeps a WAL beside the file a path resolves to; one beside the served symlink is left from the layout
    # before generations and would be replayed onto the next file opened at that path.
    wal_path(served_file).unlink(missing_ok=True)


def _temp_path(final: Path, purpose: str) -> Path:
    return final.with_name(f".{final.name}{TEMP_MARKER}{purpose}-{os.getpid()}")


def _point(link: Path, target: Path) -> None:
    """Make `link` a symlink to `target` atomically: a temporary symlink renamed over it (relative, so the serving
    folder can be moved or mounted elsewhere, e.g. into a BI server's container)."""
    temp = _temp_path(link, "link")
    temp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(target, link.parent), temp)
    os.replace(temp, link)


def _new_generation_path(served_file: Path, content_id: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    path = generations_dir(served_file) / f"{served_file.stem}-{stamp}-{content_id[:8]}{served_file.suffix}"
    while path.exists():  # two publishes within a microsecond: only possible with a clock step back
        time.sleep(1e-6)
        path = _new_generation_path(served_file, content_id)
    return path


def _adopt_plain_files(served_file: Path) -> None:
    """The layout before generations had plain files at the served and the previous path: give each a name in
    generations/ (a hard link: readers holding it are undisturbed) and swap a symlink in its place, atomically, so
    the path never disappears."""
    for link in (previous_path(served_file), served_file):
        if link.is_file() and not link.is_symlink():
            generations_dir(served_file).mkdir(parents=True, exist_ok=True)
            stamp = datetime.fromtimestamp(link.stat().st_mtime, UTC).strftime("%Y%m%dT%H%M%S.%fZ")
            adopted = generations_dir(served_file) / f"{served_file.stem}-{stamp}-adopted{served_file.suffix}"
            if adopted.exists() and not os.path.samefile(adopted, link):  # a crash after the link is the same file
                adopted = adopted.with_name(f"{served_file.stem}-{stamp}-adopted-{link.stem}{served_file.suffix}")
            if not adopted.exists():
                try:
                    os.link(link, adopted)
                except OSError:  # a filesystem without hard links
                    shutil.copyfile(link, adopted)
            wal_path(link).unlink(missing_ok=True)
            _point(link, adopted)


def _remove_generation(generation: Path) -> None:
    for path in (generation, sidecar_path(generation), wal_path(generation)):
        path.unlink(missing_ok=True)


def prune_generations(served_file: Path, keep: int) -> list[Path]:
    """Remove all but the `keep` newest generations; the served and the previous generation are always kept.
    A reader that has a removed generation open keeps reading it until it disconnects (POSIX unlink)."""
    served_file = Path(served_file)
    generations = list_generations(served_file)
    protected = {pointer_target(served_file), pointer_target(previous_path(served_file))} & set(generations)
    others = [g for g in generations if g not in protected]
    removed = others[: max(len(others) - max(keep - len(protected), 0), 0)]  # the oldest others go first
    for generation in removed:
        _remove_generation(generation)
    if removed:
        fsync_dir(generations_dir(served_file))
    return removed


def _check_keep(keep: int | None) -> int:
    keep = settings.serving_generations_keep() if keep is None else keep
    if keep < 2:
        raise ValueError(f"keep={keep}: at least 2 generations (the served and the previous one)")
    return keep


def publish(
    work_file: Path, served_file: Path, verify: Verify | None = serving_checks, *, keep: int | None = None
) -> PublishResult:
    """Checkpoint the work file; if its marts and reference tables equal the served generation's, stop (nothing
    rotates). Otherwise copy it into a new generation file, verify the copy read-only, point the previous path at the
    generation served until now and the served path at the new one, then prune to `keep` generations
    (SERVING_GENERATIONS_KEEP)."""
    work_file, served_file = Path(work_file).resolve(), Path(os.path.abspath(served_file))
    keep = _check_keep(keep)
    if not work_file.is_file():
        raise PublishError(f"nothing to publish: {work_file} does not exist")
    if served_file.is_dir():
        raise PublishError(f"the served path {served_file} is a directory")
    directory = generations_dir(served_file)
    directory.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with _publish_lock(served_file):
        _remove_stale_temps(served_file)
        _adopt_plain_files(served_file)
        current = served_generation(served_file)
        temp = directory / f".{served_file.stem}{TEMP_MARKER}copy-{os.getpid()}{served_file.suffix}"
        try:
            # Fold the WAL into the file, then hold a read-only connection while fingerprinting and copying: its
            # shared lock keeps writers out, so the copy is one consistent state of the work file.
            try:
                with duckdb.connect(str(work_file)) as con:
                    con.execute("CHECKPOINT")
                with duckdb.connect(str(work_file), read_only=True) as con:
                    if wal_path(work_file).exists():
                        raise PublishError(f"{wal_path(work_file)} survived a checkpoint; not publishing")
                    fingerprint_started = time.monotonic()
                    current_info = generation_info(current) if current is not None else {}
                    fingerprint, parts = marts_fingerprint_parts(
                        con, current_info.get("fingerprint_parts") if _same_kind(current_info) else None
                    )
                    if current is not None and _generation_fingerprint(current, current_info) == fingerprint:
                        previous = previous_path(served_file)
                        return PublishResult(
                            work_file=work_file,
                            served_file=served_file,
                            previous_file=previous if pointer_target(previous) else None,
                            size_bytes=current.stat().st_size,
                            seconds=time.monotonic() - started,
                            copy_seconds=0.0,
                            verify_seconds=0.0,
                            checks=(),
                            generation=current,
                            changed=False,
                            fingerprint=fingerprint,
                            fingerprint_seconds=time.monotonic() - fingerprint_started,
                        )
                    fingerprint_seconds = time.monotonic() - fingerprint_started
                    copy_started = time.monotonic()
                    work_state = gate.file_state(work_file)
                    shutil.copyfile(work_file, temp)
                    with open(temp, "rb+") as handle:
                        os.fsync(handle.fileno())
                    copy_seconds = time.monotonic() - copy_started
            except duckdb.Error as error:  # e.g. a writer still holds the work file
                raise PublishError(f"cannot read the work file {work_file}: {error}") from error

            verify_started = time.monotonic()
            try:
                with duckdb.connect(str(temp), read_only=True) as con:
                    checks = tuple(verify(con)) if verify else ()
            except duckdb.Error as error:
                raise PublishError(f"the copy of {work_file} does not open read-only: {error}") from error
            failed = [check for check in checks if not check.passed]
            if failed:
                raise PublishError(
                    "not published, checks failed: " + "; ".join(f"{c.name} ({c.detail})" for c in failed)
                )
            verify_seconds = time.monotonic() - verify_started

            generation = _new_generation_path(served_file, fingerprint)
            os.rename(temp, generation)
            _write_info(
                generation,
                {
                    "fingerprint": fingerprint,
                    "fingerprint_kind": FINGERPRINT_KIND,
                    "fingerprint_parts": parts,
                    "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "work_file": str(work_file),
                    "checks": [[c.name, c.passed, c.detail] for c in checks],
                },
            )
            fsync_dir(directory)
            if current is not None:
                _point(previous_path(served_file), current)
            _point(served_file, generation)
            fsync_dir(served_file.parent)
            seconds = time.monotonic() - started
            # the generation is a verified copy of the work file, never written again: the next run may move the
            # work file instead of copying it (gate.py, "the base")
            gate.keep_base(work_file, generation, work_state)
        finally:
            temp.unlink(missing_ok=True)
        pruned = tuple(prune_generations(served_file, keep))
    return PublishResult(
        work_file=work_file,
        served_file=served_file,
        previous_file=previous_path(served_file) if current is not None else None,
        size_bytes=generation.stat().st_size,
        seconds=seconds,
        copy_seconds=copy_seconds,
        verify_seconds=verify_seconds,
        checks=checks,
        generation=generation,
        changed=True,
        fingerprint=fingerprint,
        fingerprint_seconds=fingerprint_seconds,
        pruned=pruned,
    )


def _find_generation(served_file: Path, name: str | Path) -> Path:
    wanted = Path(name).name
    for generation in list_generations(served_file):
        if generation.name == wanted or generation.stem == wanted:
            return generation
    raise PublishError(
        f"no generation {wanted} in {generations_dir(served_file)}; "
        f"there are: {', '.join(g.name for g in list_generations(served_file)) or 'none'}"
    )


def rollback(
    served_file: Path, *, to: str | Path | None = None, verify: Verify | None = serving_checks, keep: int | None = None
) -> RollbackResult:
    """Point the served path at the previous generation (or at the generation named `to`), after checking that
    generation read-only; the generation served until now becomes the previous one, so rolling back twice rolls
    forward. A target that fails its checks is refused and nothing changes."""
    served_file = Path(os.path.abspath(served_file))
    previous = previous_path(served_file)
    started = time.monotonic()
    if not served_file.parent.is_dir():
        raise PublishError(f"nothing to roll back: {served_file.parent} does not exist")
    with _publish_lock(served_file):
        _remove_stale_temps(served_file)
        _adopt_plain_files(served_file)
        current = served_generation(served_file)
        if to is None:
            target = pointer_target(previous)
            if target is None:
                raise PublishError(f"nothing to roll back to: {previous} does not exist")
        else:
            target = _find_generation(served_file, to)
        if target == current:
            raise PublishError(f"{target.name} is already the served generation")
        # A WAL beside a generation holds writes of a client that opened it read-write: not what was published.
        wal_path(target).unlink(missing_ok=True)
        try:
            with duckdb.connect(str(target), read_only=True) as con:
                checks = tuple(verify(con)) if verify else ()
        except duckdb.Error as error:
            raise PublishError(f"refusing to roll back to {target}: it does not open read-only: {error}") from error
        failed = [check for check in checks if not check.passed]
        if failed:
            raise PublishError(
                f"refusing to roll back to {target}, its checks failed: "
                + "; ".join(f"{c.name} ({c.detail})" for c in failed)
            )
        if current is not None:
            _point(previous, current)
        _point(served_file, target)
        fsync_dir(served_file.parent)
        prune_generations(served_file, _check_keep(keep))
    return RollbackResult(
        served_file=served_file,
        previous_file=previous,
        seconds=time.monotonic() - started,
        generation=target,
        replaced=current,
        checks=checks,
    )
