"""The outbox index: one row per sealed submission (id, ciphertext hash and size, state, times).

States: ``queued`` (sealed, on the server) → ``exported`` (copied out, still on the server) →
``acknowledged`` (the offline side confirmed decrypting it; the file is deleted, the row stays so
``intake status`` can count it and a repeated ``ack`` is recognised).

``ack_hash`` is the sha256 of the random secret sealed inside the submission (its
``ack_secret``): only someone who decrypted the file can show the secret, so only a real receipt
deletes it. Files sealed before that existed have none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from intake.store.gate import Reader
from intake.store.writer import GroupCommitWriter, Op

_COLUMNS = "submission_id, sha256, size, created_at, state, exported_at, acknowledged_at, ack_hash"
INSERT_ROW = (
    "INSERT INTO outbox (submission_id, sha256, size, created_at, state, ack_hash) "
    "VALUES (?, ?, ?, ?, 'queued', ?) "
    # a row indexed without the hash (an older recovery) takes it when the submit completes;
    # one that has it keeps it: nothing else about a known row changes
    "ON CONFLICT(submission_id) DO UPDATE "
    "SET ack_hash = coalesce(outbox.ack_hash, excluded.ack_hash)"
)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One sealed submission as the index knows it (no content, only facts about ciphertext)."""

    submission_id: str
    sha256: str
    size: int
    created_at: float
    state: str
    exported_at: float | None
    acknowledged_at: float | None
    ack_hash: str | None = None  # sha256 hex of the sealed ack secret; None: sealed before it

    @property
    def filename(self) -> str:
        """The sealed file's name in the outbox and in an export folder."""
        return f"{self.submission_id}.age"


def insert_op(
    submission_id: str, sha256: str, size: int, created_at: float, ack_hash: str | None = None
) -> Op:
    """The statement that indexes a sealed file (idempotent: a known id keeps its row, and gains
    ``ack_hash`` if it had none)."""
    return (INSERT_ROW, (submission_id, sha256, size, created_at, ack_hash))


class OutboxIndex:
    """Queries and state changes of the outbox table."""

    def __init__(self, writer: GroupCommitWriter, reader: Reader) -> None:
        """Share the store's writer and read connection."""
        self._writer = writer
        self._reader = reader

    async def add(
        self,
        submission_id: str,
        sha256: str,
        size: int,
        created_at: float,
        ack_hash: str | None = None,
    ) -> None:
        """Index a sealed file found without a row (recovery: its ack secret is unknown)."""
        await self._writer.write([insert_op(submission_id, sha256, size, created_at, ack_hash)])

    async def rows(self, states: Iterable[str] | None = None) -> list[OutboxRow]:
        """Rows in the given states (all if None), oldest first."""
        sql = f"SELECT {_COLUMNS} FROM outbox"  # noqa: S608 (fixed column names)
        params: tuple[str, ...] = ()
        if states is not None:
            params = tuple(states)
            sql += f" WHERE state IN ({', '.join('?' for _ in params)})"
        sql += " ORDER BY created_at, submission_id"
        return [OutboxRow(*row) for row in await self._reader.fetchall(sql, params)]

    async def get(self, submission_id: str) -> OutboxRow | None:
        """One row by submission id."""
        sql = f"SELECT {_COLUMNS} FROM outbox WHERE submission_id = ?"  # noqa: S608
        row = await self._reader.fetchone(sql, (submission_id,))
        return None if row is None else OutboxRow(*row)

    async def mark_exported(self, ids: Iterable[str], at: float) -> None:
        """queued → exported (exported ones keep their first export time)."""
        sql = (
            "UPDATE outbox SET state = 'exported', exported_at = coalesce(exported_at, ?) "
            "WHERE submission_id = ? AND state IN ('queued', 'exported')"
        )
        ops: list[Op] = [(sql, (at, i)) for i in ids]
        if ops:
            await self._writer.write(ops)

    async def mark_acknowledged(self, submission_id: str, at: float) -> None:
        """→ acknowledged. Call *before* deleting the sealed file (as ``intake ack`` does): a crash
        in between leaves an acknowledged row with its file, which recovery deletes — never a
        queued row whose file is gone."""
        sql = (
            "UPDATE outbox SET state = 'acknowledged', acknowledged_at = ? "
            "WHERE submission_id = ? AND state != 'acknowledged'"
        )
        await self._writer.write([(sql, (at, submission_id))])

    async def counts(self) -> dict[str, int]:
        """Rows per state (every state present, zero if none)."""
        counts = {"queued": 0, "exported": 0, "acknowledged": 0}
        for state, n in await self._reader.fetchall(
            "SELECT state, count(*) FROM outbox GROUP BY state"
        ):
            counts[str(state)] = int(n)
        return counts
