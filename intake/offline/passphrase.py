"""The one way every command reads ``--passphrase-file``: the first line, without its ending.

``intake keygen`` and ``intake decrypt`` (and any later command that opens a staff key) call
:func:`read_passphrase_file`, so a key made from a file always opens with the same file. Rule:
the first line, without its ``\\n`` or ``\\r\\n``; a UTF-8 BOM (Windows editors) is dropped; the
rest of the file is ignored. An empty first line is refused rather than taken as "no passphrase".
Before: keygen took the first line and decrypt the whole file minus one newline, so a file ending
in two newlines made a key that decrypt then refused.
"""

from __future__ import annotations

from pathlib import Path

MAX_LINE = 64 * 1024  # a passphrase file is one short line; do not slurp a huge file by mistake


class PassphraseFileError(Exception):
    """The passphrase file cannot be read or holds no passphrase; the message names the file."""


def read_passphrase_file(path: Path) -> str:
    """The passphrase in ``path`` (see the module docstring for the rule)."""
    try:
        with path.open("rb") as f:
            raw = f.readline(MAX_LINE + 1)
    except OSError as exc:
        raise PassphraseFileError(
            f"cannot read passphrase file {path}: {exc.strerror or type(exc).__name__}"
        ) from None
    if len(raw) > MAX_LINE:
        raise PassphraseFileError(f"passphrase file {path}: first line longer than {MAX_LINE}")
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PassphraseFileError(f"cannot read passphrase file {path}: not UTF-8") from None
    passphrase = line.removeprefix("\ufeff").removesuffix("\n").removesuffix("\r")
    if not passphrase:
        raise PassphraseFileError(f"passphrase file {path}: the first line is empty")
    return passphrase
