"""Which file system a path is on, and when overwriting in place does not destroy anything."""

from __future__ import annotations

from pathlib import Path

from intake.store import mounts

MOUNTINFO = """\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
30 22 0:27 / /dev/shm rw,nosuid,nodev shared:4 - tmpfs tmpfs rw
40 22 8:2 / /srv/btr rw,relatime shared:9 - btrfs /dev/sdb rw,space_cache=v2
41 22 8:3 / /srv/journal rw,relatime shared:10 - ext4 /dev/sdc rw,data=journal
42 22 0:50 / /srv/with\\040space rw,relatime shared:11 - xfs /dev/sdd rw
"""


def _fstype(path: str) -> str | None:
    mount = mounts.mount_of(Path(path), MOUNTINFO)
    return None if mount is None else mount.fstype


def test_the_longest_mount_point_above_a_path_wins() -> None:
    assert _fstype("/srv/btr/data/x") == "btrfs"
    assert _fstype("/srv/btrfs-not") == "ext4"
    assert _fstype("/srv/with space/d") == "xfs"
    journal = mounts.mount_of(Path("/srv/journal/d"), MOUNTINFO)
    assert journal is not None
    assert "data=journal" in journal.options


def test_this_machine_knows_its_own_mounts() -> None:
    assert mounts.mount_of(Path("/")) is not None
    assert mounts.on_memory_fs(Path("/dev/shm")) is (mounts.mount_of(Path("/dev/shm")) is not None)


def test_warnings_name_what_defeats_shredding() -> None:
    def warning(path: str) -> str:
        return mounts.shredding_warning(Path(path), MOUNTINFO) or ""

    assert warning("/var/lib/intake") == ""  # ext4, data=ordered
    assert warning("/dev/shm/intake") == ""  # RAM: nothing survives power-off
    assert "copy-on-write" in warning("/srv/btr/d")
    assert "data=journal" in warning("/srv/journal/d")
