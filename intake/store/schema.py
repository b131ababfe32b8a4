"""Schema and migrations, tracked by ``PRAGMA user_version``.

Each migration runs in its own transaction together with the version bump, so a crash mid-migration
leaves the previous version intact. Never edit a released migration: append a new one. A migration
may have a Python step (run inside the same transaction, after its SQL) for what SQL cannot do,
such as re-sealing old drafts into v3 records (:mod:`intake.store.migration`).

What is stored in clear is deliberately little: random record ids, record kinds, key-slot numbers,
version counters, submission ids, ciphertext sizes and hashes, submission times. Everything about a
witness — answers, chat ids, message ids, their keyed hash, even the draft's times — is inside
``records.body`` (ciphertext under the record's key) or the record's key slot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import aiosqlite

from intake.store.exceptions import StoreError

MIGRATIONS: tuple[str, ...] = (
    # v1: drafts, outbox index, rate limits
    """
    CREATE TABLE drafts (
        draft_id     TEXT PRIMARY KEY,
        witness_key  TEXT NOT NULL UNIQUE,
        version      INTEGER NOT NULL,
        wrapped_key  BLOB NOT NULL,
        body         BLOB NOT NULL,
        created_at   REAL NOT NULL,
        updated_at   REAL NOT NULL,
        expires_at   REAL NOT NULL,
        sealing_id   TEXT
    );
    CREATE INDEX drafts_expires ON drafts(expires_at);
    CREATE TABLE outbox (
        submission_id   TEXT PRIMARY KEY,
        sha256          TEXT NOT NULL,
        size            INTEGER NOT NULL,
        created_at      REAL NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('queued', 'exported', 'acknowledged')),
        exported_at     REAL,
        acknowledged_at REAL
    );
    CREATE TABLE rate_limits (
        witness_key  TEXT NOT NULL,
        kind         TEXT NOT NULL,
        window_start INTEGER NOT NULL,
        count        INTEGER NOT NULL,
        PRIMARY KEY (witness_key, kind, window_start)
    ) WITHOUT ROWID;
    """,
    # v2: proof of decryption. sha256 of the random ack secret sealed inside the submission;
    # rows of files sealed before have none (``intake ack --legacy-sha256-ack``).
    """
    ALTER TABLE outbox ADD COLUMN ack_hash TEXT;
    """,
    # v3: sealed records (drafts, clean-ups) with their keys in the key-slot file; the drafts of
    # v1/v2 are re-sealed into it and the drafts and rate_limits tables dropped by the Python step
    """
    CREATE TABLE records (
        record_id  TEXT PRIMARY KEY,
        kind       TEXT NOT NULL,
        slot       INTEGER NOT NULL UNIQUE,
        version    INTEGER NOT NULL,
        pending    INTEGER NOT NULL DEFAULT 0,
        body       BLOB NOT NULL
    );
    """,
)
LATEST = len(MIGRATIONS)
NEEDS_STEP = frozenset({3})
Step = Callable[[aiosqlite.Connection], Awaitable[None]]

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",  # fsync the WAL on every commit: durable before we reply
    "PRAGMA secure_delete=ON",  # freed pages zeroed (defence in depth: rows hold ciphertext)
    "PRAGMA temp_store=MEMORY",  # sorts and temp tables never spill into temp files on disk
    "PRAGMA busy_timeout=10000",  # CLI commands and the service may touch the DB together
)


async def configure(conn: aiosqlite.Connection) -> None:
    """Apply the connection pragmas and check WAL really is on."""
    for pragma in PRAGMAS:
        await conn.execute(pragma)
    async with conn.execute("PRAGMA journal_mode") as cur:
        row = await cur.fetchone()
    if row is None or str(row[0]).lower() != "wal":
        raise StoreError(f"could not enable WAL journal mode (got {row!r})")


async def version_of(conn: aiosqlite.Connection) -> int:
    """The database's schema version (0: empty)."""
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def migrate(
    conn: aiosqlite.Connection, path: str, steps: Mapping[int, Step] | None = None
) -> int:
    """Bring the database at ``path`` to the latest schema; returns the version.

    ``steps`` maps a version to the Python step of its migration; a migration that has one cannot
    run without it (e.g. a command opened without the server key). The version is read inside
    ``BEGIN IMMEDIATE`` so two processes starting together cannot both apply the same migration.
    """
    steps = steps or {}
    while True:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            async with conn.execute("PRAGMA user_version") as cur:
                row = await cur.fetchone()
            version = int(row[0]) if row else 0
            if version > len(MIGRATIONS):
                raise StoreError(
                    f"database {path} has schema v{version}, "
                    f"newer than this program (v{len(MIGRATIONS)})"
                )
            if version == len(MIGRATIONS):
                await conn.execute("COMMIT")
                return version
            target = version + 1
            if target in NEEDS_STEP and target not in steps:
                raise StoreError(
                    f"database {path} has schema v{version}; upgrading it needs the server key: "
                    "start `intake run` of this version once"
                )
            for statement in MIGRATIONS[version].split(";"):
                if statement.strip():
                    await conn.execute(statement)
            if target in steps:
                await steps[target](conn)
            await conn.execute(f"PRAGMA user_version = {version + 1}")
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
