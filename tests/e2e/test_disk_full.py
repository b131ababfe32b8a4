"""A full data disk is spoken: the witness is asked to try again, operators are alerted, and
nothing is lost once space returns. A real ``intake run`` on a real tmpfs of a few MB.

Before, the first write of every update raised ``database or disk is full``, the error handler
only logged it, and a typed answer, a photo or /start got no reply at all.
"""

from __future__ import annotations

import asyncio
import errno
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from intake.store import Store
from tests.support.channels import ChatWitness as Witness
from tests.support.fakebot import FakeBotApi
from tests.support.fakebot.process import intake_env, intake_run_process
from tests.support.paths import SAMPLE_TOML

CANARY = "CanaryDisk-Place-7302"
SORRY = {"en": "could not save this", "ru": "не получилось это сохранить"}


def mount_tmpfs(where: Path, size: str) -> None:
    """Mount a tmpfs of ``size`` at ``where``; skip the test where mounting is impossible."""
    where.mkdir(parents=True)
    try:
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot mount a tmpfs here ({exc}); run as root")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real filesystem of 8 MB that the test can fill."""
    disk = tmp_path / "disk"
    mount_tmpfs(disk, "8m")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path) -> Path:
    """Write a file until the filesystem has no byte left; return it (delete it to free space)."""
    filler = disk / f"filler-{uuid.uuid4().hex}"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    block = b"\0" * 65536
    try:
        while True:
            try:
                os.write(fd, block)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                if len(block) == 1:
                    return filler
                block = block[: len(block) // 2]
    finally:
        os.close(fd)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _readyz(port: int) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /readyz HTTP/1.1\r\n\r\n")
    head = await reader.readline()
    writer.close()
    return int(head.split()[1])


async def test_full_disk_is_spoken_and_loses_nothing(
    fake: FakeBotApi, tmp_path: Path, staff: Any, small_disk: Path
) -> None:
    operator = fake.user()
    port = _free_port()
    env = intake_env(
        fake,
        tmp_path,
        staff,
        INTAKE_DATA_DIR=str(small_disk / "data"),
        INTAKE_QUESTIONNAIRE=str(SAMPLE_TOML),
        INTAKE_OPERATOR_IDS=str(operator.id),
        INTAKE_HTTP_ADDR=f"127.0.0.1:{port}",
    )
    w, op = Witness(fake, fake.user()), Witness(fake, operator)
    fake.chat(operator.id)  # the operator once opened the bot's chat: alerts can reach them
    async with intake_run_process(fake, tmp_path, env):
        await w.say("/start")
        await w.press("English")
        await w.press("agree")
        await w.press("Yes")
        where = await w.say("10.08.2020")
        filler = fill(small_disk)

        sorry = await w.say(CANARY)
        assert SORRY["en"] in (sorry.text or "")
        alert = await op.reply()
        if "almost full" in (alert.text or ""):  # 8 MB is below the low-space threshold too
            alert = await op.reply()
        assert "could not be saved" in (alert.text or "")
        assert str(small_disk / "data") in (alert.text or "")  # names the path
        other = Witness(fake, fake.user("ru"))
        assert SORRY["ru"] in ((await other.say("/start")).text or "")  # in their language
        assert await _readyz(port) == 503

        filler.unlink()
        again = await w.say(CANARY)  # as the witness was asked to
        assert "What was done" in (again.text or "")
        await w.press("Skip")
        await w.press("A witness")
        await w.press("Skip")
        media = await w.press("Skip")
        assert "as a file" in (media.text or "")
        filler = fill(small_disk)
        photo = await w.send_file("photo", b"\xff\xd8" + os.urandom(100_000))
        assert SORRY["en"] in (photo.text or "")
        filler.unlink()
        assert "1" in ((await w.send_file("photo", b"\xff\xd8" + os.urandom(100_000))).text or "")
        review = await w.press("Done")
        assert CANARY in (review.text or "")
        assert "10 August 2020" in (review.text or "")
        assert "Where were you held" in (where.text or "")
        filler = fill(small_disk)
        await fake.press(w.user, review.message_id, review.button("Send"))
        refused = await w.reply()  # a visible answer, not silence
        assert SORRY["en"] in (refused.text or "") or "did not work" in (refused.text or "")
        filler.unlink()
        receipt = await w.press("Send", on=review)
        await w.wiped(keep=receipt)  # the notices sent meanwhile go with the rest
    assert len(list((small_disk / "data" / "outbox").glob("*.age"))) == 1


@pytest.mark.parametrize("fresh", [True, False], ids=["new-data-dir", "existing-data-dir"])
async def test_read_only_data_dir_names_the_path_and_the_fix(
    fake: FakeBotApi, tmp_path: Path, staff: Any, small_disk: Path, fresh: bool
) -> None:
    data = small_disk if fresh else small_disk / "data"
    if not fresh:
        store = await Store.open(data)
        await store.close()
    remount = ["mount", "-o", "remount,ro", str(small_disk)]
    await asyncio.to_thread(subprocess.run, remount, check=True)
    env = intake_env(fake, tmp_path, staff, INTAKE_DATA_DIR=str(data))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "intake", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    lines = err.decode().strip().splitlines()
    assert lines[0].startswith(f"intake: error: cannot write to {data}")
    assert lines[0].endswith("read-only file system")
    assert lines[1].startswith("intake: hint: remount it read-write")
