"""An ``intake decrypt`` output folder made the real way: sealed files, the real CLI, real keys."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import crypto
from intake.cli import main as cli
from tests.support.casework import make_testimony, seal


def sealed_folder(
    folder: Path, count: int, identity: crypto.Identity, *, seed: int = 7, start: int = 0, **kw: Any
) -> list[dict[str, Any]]:
    """``count`` sealed testimonies in ``folder``; returns their submission.json dicts."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    subs = []
    for n in range(start, start + count):
        sub, files = make_testimony(n, rng, **kw)
        (folder / f"{sub['submission_id']}.age").write_bytes(
            seal(sub, files, [identity.recipient()])
        )
        subs.append(sub)
    return subs


def key_file(folder: Path, identity: crypto.Identity) -> Path:
    """A plain age-keygen style identity file."""
    path = folder / "staff.key"
    path.write_text(f"# test key\n{identity}\n", "utf-8")
    return path


def decrypt(src: Path, key: Path, out: Path, *extra: str) -> int:
    """``intake decrypt SRC -i KEY -o OUT …`` in this process; its exit status."""
    return cli(["decrypt", str(src), "-i", str(key), "-o", str(out), *extra])
