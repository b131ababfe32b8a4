"""Sealed files already decrypted into an output folder: a re-run reports them and skips them.

Looked up by file name, submission id or ciphertext sha256 (from ``receipt.json`` and from this
run); a file is hashed only when one of those makes a repeat plausible. A conflict on an existing
``<out>/<id>/`` holding exactly the same ``submission.json`` is a repeat too, recorded with the
ack secret of the copy just decrypted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from intake.offline.open_errors import MANIFEST, OpenError
from intake.offline.opener import file_sha256
from intake.offline.progress import Progress
from intake.offline.receipt import ReceiptEntry
from intake.offline.sources import SealedFile


class Done:
    """Sealed files already decrypted into the output folder, looked up by name, id or sha256."""

    def __init__(self, known: dict[str, ReceiptEntry]) -> None:
        self.known = known
        self._by_file = {e.file: e for e in known.values()}
        self._by_sha = {e.sha256: e for e in known.values()}
        self.fresh: dict[str, dict[str, Any]] = {}  # summaries decrypted by this run, by id

    def add(self, entry: ReceiptEntry, released: dict[str, Any] | None) -> None:
        """Record a file done by this run (``released``: what its finisher wrote, for a file
        opened now; None for a repeat, whose folder was released before)."""
        if released is not None:
            self.fresh[entry.id] = released["summary"]
        self.known[entry.id] = entry
        self._by_file[entry.file] = entry
        self._by_sha[entry.sha256] = entry

    def find(self, sealed: SealedFile) -> ReceiptEntry | None:
        """The entry of an identical file decrypted before; hashes only plausible repeats."""
        name = sealed.path.name
        plausible = (
            name in self._by_file
            or name.removesuffix(".age") in self.known
            or (sealed.sha256 is not None and sealed.sha256 in self._by_sha)
        )
        if not plausible:
            return None
        sha = file_sha256(sealed.path)
        if sealed.sha256 is not None and sha != sealed.sha256:
            raise OpenError(MANIFEST, "sha256 differs from the one listed at export")
        return self._by_sha.get(sha)


def is_repeat(exc: OpenError, name: str, done: Done, out: Path, ui: Progress) -> bool:
    """A conflict that is really a repeat: the same file, or the same submission sealed again
    (or decrypted by a run interrupted before it wrote receipt.json). Recorded, not an error."""
    earlier = done.known.get(exc.submission_id or "")
    if earlier is not None and earlier.sha256 == exc.sha256:
        ui.say(f"{name}: same file as {earlier.file}, already decrypted (skipped)")
        return True
    if not exc.same_content or exc.submission_id is None or exc.sha256 is None:
        return False
    done.add(ReceiptEntry(exc.submission_id, name, exc.sha256, exc.ack_secret), None)
    ui.say(f"{name}: same submission already in {out / exc.submission_id}/ (skipped)")
    return True
