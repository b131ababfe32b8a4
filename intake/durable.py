"""Durable replacement of a file: the new content under a temp name next to it, fsynced, renamed
over it, then the folder fsynced — after a crash or a power loss the path holds the old content
or the whole new one, never a part, and a rename that returned survives.

One helper, so that every writer orders its syncs the same way (a copy that synced the folder
before the file, or not at all, would lose data only on a power cut, where no test looks).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


class DurableFile:
    """The temp file being written: :meth:`write` writes all of ``data`` (no buffer of ours)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def write(self, data: bytes | bytearray | memoryview) -> int:
        """Write every byte of ``data``; its length."""
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]
        return len(data)

    def fileno(self) -> int:
        """The descriptor of the temp file."""
        return self._fd


@contextmanager
def replacing(path: Path, *, tmp: Path | None = None) -> Iterator[DurableFile]:
    """A new private (0600) temp file for ``path``'s new content. On a clean exit it is fsynced,
    renamed over ``path`` and the folder fsynced; on any failure (cancellation too) it is removed
    and ``path`` is untouched. ``tmp`` names it (default ``.<name>.tmp-<pid>`` next to ``path``);
    one left there by a crash is replaced, and a link of that name is never followed."""
    tmp = tmp if tmp is not None else path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, _FLAGS, 0o600)
    try:
        yield DurableFile(fd)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """fsync a directory so a rename/create/unlink inside it survives power loss."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
