"""Schema and migrations, tracked by ``PRAGMA user_version``.

Each migration runs in its own transaction together with the version bump, so a crash mid-migration
leaves the previous version intact. Never edit a released migration: append a new one.

What is stored in clear is deliberately little: random draft ids, keyed hashes of witnesses, times,
versions, submission ids, ciphertext sizes and hashes. Everything a witness said is in ``body``
(ciphertext under the draft key) or in blob files (same key).
"""

from __future__ import annotations

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
)

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",  # fsync the WAL on every commit: durable before we reply
    "PRAGMA secure_delete=ON",  # freed pages zeroed: deleted wrapped keys do not linger
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


async def migrate(conn: aiosqlite.Connection, path: str) -> int:
    """Bring the database at ``path`` to the latest schema; returns the version.

    The version is read inside ``BEGIN IMMEDIATE`` so two processes starting together cannot both
    apply the same migration.
    """
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
            for statement in MIGRATIONS[version].split(";"):
                if statement.strip():
                    await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version = {version + 1}")
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
