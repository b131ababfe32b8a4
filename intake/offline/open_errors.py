"""The one error type of the offline side: a sealed file that could not be opened, and why.

``kind`` is the short phrase shown to staff ("no matching key", "damaged or tampered", …) so every
failure prints as one line naming the file and the kind; ``detail`` adds what failed, never content.
"""

from __future__ import annotations

NO_KEY = "no matching key"
DAMAGED = "damaged or tampered"
NOT_AGE = "not an age file"
INVALID = "not a valid submission"
MANIFEST = "does not match manifest.json"
CONFLICT = "conflicts with an earlier decryption"
MISNAMED = "not named after the submission it holds"
UNLISTED = "not listed in manifest.json"
WRITE = "cannot write output"
READ = "cannot read the file"


class OpenError(Exception):
    """A sealed file was rejected; nothing of it was left in the output folder."""

    def __init__(
        self,
        kind: str,
        detail: str,
        *,
        submission_id: str | None = None,
        sha256: str | None = None,
        same_content: bool = False,
        ack_secret: str | None = None,
    ) -> None:
        super().__init__(f"{kind} ({detail})" if detail else kind)
        self.kind = kind
        self.detail = detail
        self.submission_id = submission_id  # set for CONFLICT: the file did authenticate
        self.sha256 = sha256
        self.same_content = same_content  # CONFLICT only: identical submission.json
        self.ack_secret = ack_secret  # CONFLICT only: the decrypted submission's proof


class ArchiveError(Exception):
    """The decrypted tar is unsafe or does not match its ``submission.json``."""
