"""The two databases the benchmark runs on: a fresh migrated database per use, the bare
driver on it, the reference load by the database's own bulk tool, and a row count.

Apart from the rest because this is all that differs between SQLite and PostgreSQL;
the measurements and the queries are written once against this interface.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from processes import TIMELINE, measure
from reference_csv import COLUMNS, NULLABLE

from timeline.vocab import TABLES


class Backend:
    """A fresh, migrated database per use, and the bare driver on it."""

    name = ""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir

    def fresh(self, label: str, *, migrated: bool = True) -> str:
        """A new database (migrated to the newest schema unless `migrated` is false)."""
        raise NotImplementedError

    def drop(self, url: str) -> None:
        raise NotImplementedError

    def drop_later(self, url: str) -> None:
        """Drop it, now or at `close`."""
        self.drop(url)

    def close(self) -> None:
        """Drop what `drop_later` left for the end."""

    def connect(self, url: str) -> Any:
        raise NotImplementedError

    def reference(self, url: str, tables: dict[str, Path]) -> float | None:
        raise NotImplementedError


def migrate(url: str) -> None:
    subprocess.run([*TIMELINE, "--db", url, "db", "upgrade"], check=True, capture_output=True)


class Sqlite(Backend):
    name = "sqlite"

    def fresh(self, label: str, *, migrated: bool = True) -> str:
        path = self.workdir / f"{label}.db"
        for extra in ("", "-wal", "-shm"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
        if migrated:
            migrate(f"sqlite:///{path}")
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        for extra in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + extra).unlink(missing_ok=True)

    def connect(self, url: str) -> Any:
        import sqlite3

        return sqlite3.connect(url.removeprefix("sqlite:///"))

    def reference(self, url: str, tables: dict[str, Path]) -> float | None:
        """`sqlite3` .import of every table in one transaction, WAL, foreign keys on
        (checked at commit: rows may point forward). .import cannot write NULL, so a
        table with nullable columns is imported into a TEMP table first and copied
        with NULLIF (faster than an INSTEAD OF trigger on a view)."""
        tool = shutil.which("sqlite3")
        if tool is None:
            print(
                "benchmark: no `sqlite3` command (Debian/Ubuntu: apt-get install sqlite3);"
                " reference_import_s and import_ratio left out",
                file=sys.stderr,
            )
            return None
        script = [
            "PRAGMA journal_mode = WAL;",
            "PRAGMA foreign_keys = ON;",
            "BEGIN;",
            "PRAGMA defer_foreign_keys = ON;",
        ]
        for table, path in tables.items():
            columns = COLUMNS[table]
            if table not in NULLABLE:
                script.append(f".import --csv --skip 1 {path} {table}")
                continue
            values = ", ".join(f"NULLIF({c}, '')" if c in NULLABLE[table] else c for c in columns)
            script += [
                f"CREATE TEMP TABLE csv_{table} ({', '.join(columns)});",
                f".import --csv --skip 1 {path} csv_{table}",
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} FROM csv_{table};",
                f"DROP TABLE csv_{table};",
            ]
        script.append("COMMIT;")
        database = url.removeprefix("sqlite:///")
        with tempfile.TemporaryFile() as stdin:
            stdin.write("\n".join(script).encode())
            stdin.seek(0)
            return measure([tool, "-bail", database], stdin=stdin).seconds


class Postgres(Backend):
    name = "postgresql"

    def __init__(self, workdir: Path, server: str) -> None:
        super().__init__(workdir)
        from sqlalchemy.engine import make_url

        self.server = make_url(server).set(drivername="postgresql")
        self.prefix = f"timeline_bench_{uuid.uuid4().hex[:8]}"
        self.made = 0
        self.later: list[str] = []

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.libpq(self.server), autocommit=True) as connection:
            connection.execute(statement)

    @staticmethod
    def libpq(url: Any) -> str:
        return str(url.render_as_string(hide_password=False))

    def fresh(self, label: str, *, migrated: bool = True) -> str:
        self.made += 1  # a name of its own: one dropped later may still be there
        name = f"{self.prefix}_{label}_{self.made}"
        self._admin(f'CREATE DATABASE "{name}"')
        url = self.libpq(self.server.set(database=name))
        if migrated:
            migrate(url)
        return url

    def drop(self, url: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')

    def drop_later(self, url: str) -> None:
        """At `close`, with the others: each DROP DATABASE waits for a checkpoint (seconds
        on a busy server, and one during a measurement would disturb it), which drops
        run together share."""
        self.later.append(url)

    def close(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(self.drop, self.later))
        self.later.clear()

    def connect(self, url: str) -> Any:
        """With JIT off, as `timeline`'s read-only connections: the same server settings."""
        import psycopg

        return psycopg.connect(url, options="-c jit=off")

    def reference(self, url: str, tables: dict[str, Path]) -> float | None:
        """`psql` \\copy of every table, in one transaction."""
        tool = shutil.which("psql")
        if tool is None:
            print(
                "benchmark: no `psql` command (Debian/Ubuntu: apt-get install"
                " postgresql-client); reference_import_s and import_ratio left out",
                file=sys.stderr,
            )
            return None
        script = ["\\set ON_ERROR_STOP on", "BEGIN;"]
        for table, path in tables.items():
            script.append(
                f"\\copy {table} ({', '.join(COLUMNS[table])}) FROM '{path}'"
                " WITH (FORMAT csv, HEADER true)"
            )
        script.append("COMMIT;")
        with tempfile.TemporaryFile() as stdin:
            stdin.write("\n".join(script).encode())
            stdin.seek(0)
            return measure([tool, "-q", "-X", url], stdin=stdin).seconds


def count_rows(backend: Backend, url: str) -> int:
    """Every table's rows, together."""
    connection = backend.connect(url)
    try:
        cursor = connection.cursor()
        total = 0
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            total += int(cursor.fetchone()[0])
        return total
    finally:
        connection.close()
