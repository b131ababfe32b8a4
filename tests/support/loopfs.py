"""A real ext4 file system in an image file, loop-mounted, for tests that read the raw device.

Needs root and a loop device (CI runs as root); elsewhere the test is skipped with the reason.
The image is a plain file: after :meth:`LoopExt4.unmount` every byte the file system ever wrote
to its blocks — live files, freed blocks, the journal — is in ``image``, as a seized disk.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


class LoopExt4:
    """An ext4 image at ``image``, mounted at ``mount`` while :attr:`mounted`."""

    def __init__(self, image: Path, mount: Path) -> None:
        self.image = image
        self.mount = mount
        self.mounted = False

    def mount_it(self) -> None:
        """Mount the image (loop, default options: data=ordered)."""
        _run("mount", "-o", "loop", str(self.image), str(self.mount))
        self.mounted = True

    def unmount(self) -> None:
        """Unmount (flushes everything to the image)."""
        if self.mounted:
            _run("umount", str(self.mount))
            self.mounted = False

    def raw(self) -> bytes:
        """Every byte of the image (unmount first)."""
        assert not self.mounted, "unmount before reading the raw image"
        return self.image.read_bytes()


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, timeout=60)


def cannot_mount(reason: str) -> None:
    """Skip with ``reason`` — except under CI (``CI=true``, as root), where it is a failure: the
    forensic tests are the proof of the seizure promise and must not pass by being skipped."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the file-system tests: {reason}")
    pytest.skip(reason)


@contextmanager
def ext4_image(tmp_path: Path, size_mb: int = 64, block_size: int = 4096) -> Iterator[LoopExt4]:
    """A fresh ext4 image of ``size_mb`` MiB, mounted; unmounted (and kept) at the end."""
    if os.geteuid() != 0:
        cannot_mount("loop-mounting an ext4 image needs root (CI runs as root)")
    if shutil.which("mkfs.ext4") is None:
        cannot_mount("mkfs.ext4 is not installed (Debian: e2fsprogs)")
    image, mount = tmp_path / "disk.img", tmp_path / "mnt"
    mount.mkdir()
    with image.open("wb") as f:
        f.truncate(size_mb * 2**20)
    _run("mkfs.ext4", "-q", "-F", "-b", str(block_size), str(image))
    fs = LoopExt4(image, mount)
    try:
        fs.mount_it()
    except subprocess.CalledProcessError as exc:
        cannot_mount(f"cannot loop-mount an image here: {exc.stderr.decode().strip()}")
    try:
        yield fs
    finally:
        fs.unmount()
