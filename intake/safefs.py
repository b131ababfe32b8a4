"""Files on hostile media: folders walked without following links, files created exclusively.

A USB stick (or an output folder someone prepared) may hold symbolic links planted to make us write
over the server key or another sealed file, FIFOs that block a reader forever, or a "receipt" of
a gigabyte. Everything ``intake export``, ``decrypt`` and ``ack`` reads from or writes to such a
place goes through here:

- :func:`open_dir` walks a folder path one component at a time with ``O_NOFOLLOW`` and returns a
  descriptor of the last one, creating what is missing: a symbolic link *anywhere* in the path is
  refused (the error names it and the real path to give instead).
- :func:`create_new` creates a file relative to such a descriptor with ``O_CREAT | O_EXCL |
  O_NOFOLLOW``: an existing file or link of that name is an error, never followed or truncated.
- :func:`open_regular` opens a file to read with ``O_NOFOLLOW | O_NONBLOCK`` and refuses anything
  but a regular file (checked on the open descriptor, so a swap after a check cannot fool it);
  :func:`read_bounded` also caps how much is read.

POSIX only (Linux, macOS): servers and staff laptops; Windows has no ``O_NOFOLLOW``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | _CLOEXEC
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | _CLOEXEC
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | _CLOEXEC
_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class UnsafePathError(Exception):
    """A path is a symbolic link, not the kind of file expected, too large, or already exists.

    The message names the path and says what is wrong (and, for a link, what to do).
    """


def kind_of(mode: int) -> str:
    """What a file is, for a message: ``a symbolic link``, ``a FIFO (named pipe)``, …"""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "a regular file" if stat.S_ISREG(mode) else "an unusual file"


def open_dir(path: Path, *, create: bool, mode: int = 0o700) -> tuple[int, bool]:
    """A descriptor of the folder ``path`` (walked without following links); was it created?

    Missing components are created with ``mode`` when ``create`` is true. Raises
    :class:`UnsafePathError` for a link or a non-folder anywhere in ``path``, ``OSError`` for
    anything else (permission, read-only, missing with ``create`` false).
    """
    parts = Path(os.path.normpath(path)).parts
    start = "/" if parts and parts[0] == os.sep else "."
    fd = os.open(start, _DIR_FLAGS)
    walked = Path(start)
    created = False
    try:
        for part in parts[1:] if start == "/" else parts:
            walked = walked / part
            try:
                child = _open_child(fd, part, walked)
                created = False
            except FileNotFoundError:
                if not create:
                    raise
                with contextlib.suppress(FileExistsError):  # created meanwhile: checked below
                    os.mkdir(part, mode, dir_fd=fd)
                child = _open_child(fd, part, walked)
                created = True
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd, created


def _open_child(fd: int, name: str, shown: Path) -> int:
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=fd)
    except OSError as exc:
        if exc.errno not in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
            raise
        st = os.stat(name, dir_fd=fd, follow_symlinks=False)
    if stat.S_ISLNK(st.st_mode):
        real = os.path.realpath(shown)
        raise UnsafePathError(
            f"{shown} is a symbolic link (to {os.readlink(name, dir_fd=fd)}); refused — "
            f"give the real folder ({real}) if that is what you meant"
        )
    raise UnsafePathError(f"{shown} is {kind_of(st.st_mode)}, not a folder")


def create_new(dir_fd: int, name: str, shown: Path, mode: int = 0o600) -> int:
    """Create ``name`` in the folder ``dir_fd`` for writing; refuse anything already there."""
    try:
        return os.open(name, _CREATE_FLAGS, mode, dir_fd=dir_fd)
    except FileExistsError:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        raise UnsafePathError(
            f"{shown} already exists ({kind_of(st.st_mode)}); refused to write over it"
        ) from None


def open_regular(path: Path | str, *, dir_fd: int | None = None, shown: Path | None = None) -> int:
    """Open a regular file to read, without following a link or blocking on a FIFO."""
    where = shown if shown is not None else path
    try:
        fd = os.open(path, _READ_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        message = f"{where} is a symbolic link, refused; copy the file itself"
        raise UnsafePathError(message) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafePathError(f"{where} is {kind_of(st.st_mode)}, not a regular file; refused")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # O_NONBLOCK was only there so a FIFO could not hang open()
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_bounded(path: Path, limit: int) -> bytes:
    """The whole content of the regular file ``path``, refused if it is larger than ``limit``."""
    fd = open_regular(path)
    with os.fdopen(fd, "rb", buffering=0) as f:
        size = os.fstat(f.fileno()).st_size
        if size > limit:
            raise UnsafePathError(f"{path} is {size:,} bytes, more than the {limit:,} allowed")
        data = bytearray()
        while len(data) <= limit and (piece := f.read(min(1 << 20, limit + 1 - len(data)))):
            data += piece  # it may have grown since fstat: never read more than the limit
    if len(data) > limit:
        raise UnsafePathError(f"{path} is more than the {limit:,} bytes allowed")
    return bytes(data)
