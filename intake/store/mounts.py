"""What file system a path lives on, and whether overwriting in place really destroys data there.

Crypto-shredding (:mod:`intake.store.keyslots`) relies on a slot's ``pwrite`` + ``fdatasync``
rewriting the same disk block. That holds on ext4 (``data=ordered`` or ``writeback``, the
defaults) and xfs; it does **not** hold on copy-on-write file systems (btrfs, ZFS, bcachefs, an
overlayfs upper dir on one of them), nor on ext4 with ``data=journal`` (the old block stays in the
journal until it wraps). RAM file systems (tmpfs, ramfs) hold nothing after power-off at all.
Read from ``/proc/self/mountinfo`` (Linux); elsewhere nothing is known and nothing is claimed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MEMORY_FILESYSTEMS = frozenset({"tmpfs", "ramfs"})
COPY_ON_WRITE = frozenset({"btrfs", "zfs", "bcachefs", "overlay", "nilfs2", "f2fs"})
IN_PLACE = frozenset({"ext4", "ext3", "ext2", "xfs"})


@dataclass(frozen=True, slots=True)
class Mount:
    """The mount holding a path: its mount point, file system type and super-block options."""

    point: str
    fstype: str
    options: frozenset[str]


def _unescape(field: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as octal (\040 …)
    return field.encode().decode("unicode_escape")


def mount_of(path: Path, mountinfo: str | None = None) -> Mount | None:
    """The mount that holds ``path`` (the longest mount point above it), or None if unknown."""
    if mountinfo is None:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text()
        except OSError:
            return None
    target = os.path.realpath(path)
    best: Mount | None = None
    for line in mountinfo.splitlines():
        left, sep, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if not sep or len(fields) < 6 or len(tail) < 3:
            continue
        point = _unescape(fields[4])
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) >= len(best.point)):
            options = frozenset(fields[5].split(",")) | frozenset(tail[2].split(","))
            best = Mount(point, tail[0], options)
    return best


def on_memory_fs(path: Path) -> bool:
    """True if ``path`` is on tmpfs/ramfs (nothing of it survives power-off)."""
    mount = mount_of(path)
    return mount is not None and mount.fstype in MEMORY_FILESYSTEMS


def shredding_warning(path: Path, mountinfo: str | None = None) -> str | None:
    """Why overwriting in place may not destroy data under ``path``, or None when it does."""
    mount = mount_of(path, mountinfo)
    if mount is None or mount.fstype in MEMORY_FILESYSTEMS:
        return None
    if mount.fstype in COPY_ON_WRITE:
        return (
            f"{path} is on {mount.fstype}, a copy-on-write file system: destroyed drafts' keys "
            "stay in old blocks; put the data dir on ext4 or xfs (docs/operations.md)"
        )
    if "data=journal" in mount.options:
        return (
            f"{path} is on ext4 mounted with data=journal: destroyed drafts' keys stay in the "
            "journal until it wraps; mount it with data=ordered (the default)"
        )
    if mount.fstype not in IN_PLACE:
        return (
            f"{path} is on {mount.fstype}, not a file system known to overwrite in place "
            "(ext4, xfs): destroyed drafts may be recoverable from it (docs/operations.md)"
        )
    return None
