"""Hostile-file benchmark: what a small sealed file may cost ``intake decrypt`` (attack report 2).

Each file is sealed with stock ``age`` to a key made by ``age-keygen``, the way an attacker holding
the public staff key would, and opened by a real ``intake decrypt`` process under GNU ``time``
(wall, its own peak RSS), best of ``--repeat``:

- reference: one ordinary submission;
- 50,000 option ids in one multi_choice answer (0.4 MB of JSON: 58 s before the bounds);
- 150,000 text answers (9.4 MB: 58 s and 260 MB before, and every later run slower);
- 80 MB of PAX headers before ``submission.json`` (750 MB before).

Ratio = job ÷ reference, measured in the same run; the hostile files are refused, so each ratio
is the price of saying no. ``--before DIR``: also run the ``intake`` of another checkout's venv
(``DIR/.venv/bin/intake``) on the same files.

    .venv/bin/python -m bench.hostile_bench [--repeat 3] [--pax-mb 80] [--before /path/to/checkout]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path
from typing import IO

from tests.support.sticks import StaffKey, age_keygen, seal_submission, submission

ROOT = Path(__file__).resolve().parent.parent


def _pax_bomb(key: StaffKey, dst: Path, megabytes: int) -> None:
    """``megabytes`` of consecutive PAX headers, each under 64 KiB, keys ``k0=``, ``k1=``…"""
    body = json.dumps(submission(dst.stem)).encode()
    proc = subprocess.Popen(["age", "-r", key.recipient, "-o", str(dst)], stdin=subprocess.PIPE)
    assert proc.stdin is not None
    _write_bomb(proc.stdin, body, megabytes)
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("bench: age failed")


def _write_bomb(out: IO[bytes], body: bytes, megabytes: int) -> None:
    n = total = 0
    while total < megabytes << 20:
        records: list[bytes] = []
        length = 0
        while length < 60_000:
            text = f" k{n}=\n"
            n += 1
            size = len(text) + 1
            while len(str(size)) + len(text) != size:
                size += 1
            records.append(f"{size}{text}".encode())
            length += size
        data = b"".join(records)
        out.write(_header("././@PaxHeader", len(data), tarfile.XHDTYPE))
        out.write(data + bytes(-len(data) % 512))
        total += 512 + len(data)
    out.write(_header("submission.json", len(body), tarfile.REGTYPE))
    out.write(body + bytes(-len(body) % 512) + bytes(1024))


def _header(name: str, size: int, kind: bytes) -> bytes:
    info = tarfile.TarInfo(name)
    info.size, info.type, info.mode = size, kind, 0o600
    return info.tobuf(tarfile.USTAR_FORMAT)


def make_files(base: Path, key: StaffKey, pax_mb: int) -> dict[str, Path]:
    """One folder per job, each holding its one sealed file."""
    ids = [f"o{n}" for n in range(50_000)]
    jobs = {
        "reference": None,
        "50,000 option ids": [{"question_id": "m", "type": "multi_choice", "prompt": "?",
                               "value": ids}],
        "150,000 answers": [{"question_id": f"q{n}", "type": "text", "prompt": "?", "value": "x"}
                            for n in range(150_000)],
    }  # fmt: skip
    folders = {}
    for n, (job, answers) in enumerate(jobs.items()):
        folder = base / f"job{n}"
        folder.mkdir()
        sub = submission(f"job{n}") if answers is None else submission(f"job{n}", answers=answers)
        seal_submission(sub, key.recipient, folder / f"job{n}.age")
        folders[job] = folder
    folder = base / "pax"
    folder.mkdir()
    _pax_bomb(key, folder / "pax.age", pax_mb)
    folders[f"{pax_mb} MB of PAX headers"] = folder
    return folders


def timed(intake: Path, src: Path, key: StaffKey, out: Path) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit status) of one ``intake decrypt``."""
    with tempfile.NamedTemporaryFile("r") as rss:
        start = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", rss.name, str(intake), "decrypt", str(src),
             "-i", str(key.identity), "-o", str(out)],
            capture_output=True, check=False, cwd=tempfile.gettempdir(),
        )  # fmt: skip
        elapsed = time.perf_counter() - start
        return elapsed, int(rss.read().split()[-1]) / 1024, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pax-mb", type=int, default=80)
    parser.add_argument("--before", type=Path, help="another checkout with its own .venv")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hostile-bench-") as tmp:
        base = Path(tmp)
        key = age_keygen(base)
        folders = make_files(base, key, args.pax_mb)
        tools = [("this", ROOT / ".venv/bin/intake")]
        if args.before:
            tools.append(("before", args.before / ".venv/bin/intake"))
        reference = None
        print("| job | code | wall | peak RSS | exit | ratio to reference |")
        print("|---|---|---|---|---|---|")
        for job, src in folders.items():
            for name, intake in tools:
                if name == "before" and job == "reference":
                    continue
                runs = [timed(intake, src, key, base / f"out-{time.monotonic_ns()}")
                        for _ in range(1 if name == "before" else args.repeat)]  # fmt: skip
                wall, rss, code = min(runs)
                reference = reference or wall
                print(f"| {job} | {name} | {wall:.2f} s | {rss:.1f} MB | {code} | "
                      f"**{wall / reference:.2f}** |")  # fmt: skip


if __name__ == "__main__":
    main()
