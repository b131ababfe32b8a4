#!/usr/bin/env python3
"""Crypto benchmark (a script, not a test): our age implementation vs stock ``age`` 1.1.1.

1. Seal and open one large submission (default 200 MB; the attachment is generated on the fly,
   never held in memory): ``intake.submission.seal.seal`` vs ``age -e``, and ``intake decrypt`` vs
   ``age -d | tar -x`` on the same tar. Classic X25519 keys (Debian's age has no post-quantum).
2. Open 1,000 small submissions: one ``intake decrypt`` process over an export folder vs a loop of
   1,000 ``age -d`` processes.
3. Our post-quantum (ML-KEM-768 + X25519) figures for the same two jobs.

Every measured side runs in its own process, timed from the parent (start-up included) with its
own peak RSS from ``os.wait4``. Targets: ratio ≤ 1.0, peak RSS < 64 MB, batch ≥ 5× faster.
Usage: ``python -m bench.crypto_bench [--size-mb 200] [--count 1000]`` (from the repo root).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import crypto
from intake.submission.document import parse_submission

if TYPE_CHECKING:
    from intake.submission.tarwriter import Member

BLOCK = 1 << 20
MTIME = 1_764_000_000
INTAKE = [sys.executable, __file__, "--child-open"]  # `intake decrypt`, timed inside too
# The real command as staff run it (the console script next to this interpreter), for the
# "process" column: the instrumented twin above also imports this script's own modules.
_SCRIPT = Path(sys.executable).with_name("intake")
INTAKE_CLI = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "intake"]


def blocks(size_mb: int) -> Iterator[bytes]:
    """``size_mb`` MiB of incompressible bytes, one reused 1 MiB block at a time."""
    block = random.Random(7).randbytes(BLOCK)
    for _ in range(size_mb):
        yield block


def document(sub_id: str, size: int, sha256: str) -> bytes:
    """A valid submission.json with one attachment of ``size`` bytes."""
    path = "attachments/1-video.mp4"
    return parse_submission(
        {
            "format": "witness-intake/submission/v1",
            "submission_id": sub_id,
            "receipt": "BENC-H001",
            "questionnaire": {"id": "detention", "version": 3},
            "language": "en",
            "submitted_at": "2026-11-25T12:00:00Z",
            "answers": [
                {"question_id": "story", "type": "long_text", "prompt": "What happened?",
                 "value": "They held us for three days. " * 20},
                {"question_id": "media", "type": "media", "prompt": "Files?", "value": [path]},
            ],
            "attachments": [
                {"path": path, "filename": "video.mp4", "mime": "video/mp4", "size": size,
                 "sha256": sha256, "question_id": "media"},
            ],
        }
    ).to_bytes()  # fmt: skip


def big_sha256(size_mb: int) -> str:
    """sha256 of the large attachment (computed once, by the parent)."""
    digest = hashlib.sha256()
    for block in blocks(size_mb):
        digest.update(block)
    return digest.hexdigest()


def big_member(size_mb: int, sha: str) -> tuple[bytes, list[Member]]:
    """submission.json and the streamed attachment member of the large submission."""
    from intake.submission.tarwriter import Member

    size = size_mb * BLOCK
    member = Member("attachments/1-video.mp4", size, sha, lambda: blocks(size_mb))
    return document("01BENCHLARGE", size, sha), [member]


def child_seal(out: str, recipient: str, size_mb: int, sha: str) -> None:
    """(child process) seal the large submission to ``out``, generating it on the fly."""
    from intake.submission.seal import seal

    submission_json, members = big_member(size_mb, sha)
    start = time.perf_counter()
    with open(out, "wb") as f:
        seal(f, [crypto.parse_recipient(recipient)], submission_json, members, MTIME)
    report_inner(time.perf_counter() - start)


def child_open(argv: list[str]) -> None:
    """(child process) ``intake decrypt`` in this process, timing it without start-up."""
    from intake.cli import main as cli

    start = time.perf_counter()
    if cli(["decrypt", *argv]) != 0:
        raise SystemExit("bench: intake decrypt failed")
    report_inner(time.perf_counter() - start)


def report_inner(seconds: float) -> None:
    """(child process) tell the parent how long the work took, without start-up and imports."""
    path = os.environ.get("BENCH_INNER_FILE")
    if path:
        Path(path).write_text(f"{seconds}\n")


Timing = tuple[float, float, float | None]  # wall seconds, peak RSS MB, in-process seconds


def measure(argvs: Sequence[Sequence[str]], *, pipe: bool = False) -> Timing:
    """Run processes (a pipeline when ``pipe``): wall time, largest peak RSS, in-process time.

    Each process runs under GNU ``time`` so its peak RSS is its own: Linux carries a forked
    child's pre-exec high-water mark (a copy of this Python process) into ``ru_maxrss``.
    """
    procs: list[subprocess.Popen[bytes]] = []
    errs: list[BinaryIO] = []
    with tempfile.TemporaryDirectory(prefix="rss-") as tmp:
        inner = Path(tmp) / "inner"
        env = {**os.environ, "BENCH_INNER_FILE": str(inner)}
        start = time.perf_counter()
        for i, argv in enumerate(argvs):
            wrapped = ["/usr/bin/time", "-f", "%M", "-o", f"{tmp}/{i}.rss", *argv]
            stdin = procs[-1].stdout if pipe and i else None
            stdout = subprocess.PIPE if pipe and i < len(argvs) - 1 else subprocess.DEVNULL
            errs.append(Path(f"{tmp}/{i}.err").open("wb"))  # noqa: SIM115 - closed below
            procs.append(
                subprocess.Popen(wrapped, stdin=stdin, stdout=stdout, stderr=errs[-1], env=env)
            )
            if stdin is not None:
                stdin.close()
        for proc, err in zip(procs, errs, strict=True):
            err.close()
            if proc.wait() != 0:
                sys.stderr.write(Path(err.name).read_text())
                raise SystemExit(f"bench: {proc.args} failed ({proc.returncode})")
        elapsed = time.perf_counter() - start
        rss = max(int(Path(f"{tmp}/{i}.rss").read_text().split()[-1]) for i in range(len(argvs)))
        seconds = float(inner.read_text()) if inner.exists() else None
    return elapsed, rss / 1024, seconds


def loop_age_decrypt(files: list[Path], key: Path, dest: Path | None) -> Timing:
    """A loop of one ``age -d`` process per file (into ``dest``, emptied first, or /dev/null)."""
    if dest is not None:
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir()
    start = time.perf_counter()
    for f in files:
        out = str(dest / f"{f.stem}.tar") if dest is not None else os.devnull
        if subprocess.run(["age", "-d", "-i", str(key), "-o", out, str(f)], check=False).returncode:
            raise SystemExit(f"bench: age -d {f} failed")
    elapsed = time.perf_counter() - start
    rss = measure([["age", "-d", "-i", str(key), "-o", os.devnull, str(files[0])]])[1]
    return elapsed, rss, None


def make_small(folder: Path, count: int, recipient: crypto.Recipient) -> list[Path]:
    """``count`` small sealed submissions (a 4 KiB attachment each)."""
    from intake.submission.seal import seal
    from intake.submission.tarwriter import Member

    folder.mkdir()
    payload = random.Random(1).randbytes(4096)
    sha = hashlib.sha256(payload).hexdigest()
    files = []
    for i in range(count):
        sub_id = f"01SMALL{i:05d}"
        member = Member("attachments/1-video.mp4", len(payload), sha, lambda: iter([payload]))
        path = folder / f"{sub_id}.age"
        with path.open("wb") as f:
            seal(f, [recipient], document(sub_id, len(payload), sha), [member], MTIME)
        files.append(path)
    return files


def child_crypt(mode: str, key_or_recipient: str, files: list[str]) -> None:
    """(child process) our crypto alone, streamed, for the like-for-like rows: ``enc`` encrypts
    ``files[0]`` to ``files[1]``; ``dec`` decrypts each file to ``<file>.tar``; ``dec-null`` to
    /dev/null (authenticating every byte, writing nothing)."""
    start = time.perf_counter()
    if mode == "enc":
        recipients = [crypto.parse_recipient(key_or_recipient)]
        with (
            open(files[0], "rb") as src,
            open(files[1], "wb") as dst,
            crypto.encrypt(dst, recipients) as writer,
        ):
            while block := src.read(BLOCK):
                writer.write(block)
        report_inner(time.perf_counter() - start)
        return
    identities = crypto.parse_identities(Path(key_or_recipient).read_text())
    for name in files:
        sink = os.devnull if mode == "dec-null" else name + ".tar"
        with open(name, "rb") as src, open(sink, "wb", buffering=0) as dst:
            reader = crypto.decrypt(src, identities)
            while block := reader.read(64 * 1024):
                dst.write(block)
    report_inner(time.perf_counter() - start)


def once(
    argvs: Sequence[Sequence[str]], *, pipe: bool = False, cleanup: Sequence[Path] = ()
) -> Timing:
    """One measured run, after emptying the ``cleanup`` folders."""
    for path in cleanup:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir()
    return measure(argvs, pipe=pipe)


def fastest(results: Sequence[Timing]) -> Timing:
    """Best wall time, best in-process time, largest peak RSS of several runs of one job."""
    inner = [r[2] for r in results if r[2] is not None]
    return min(r[0] for r in results), max(r[1] for r in results), min(inner) if inner else None


def duel(repeat: int, *jobs: Callable[[], Timing]) -> list[Timing]:
    """Run the jobs in turn, ``repeat`` rounds, and keep each one's best.

    Alternating (ours, stock, ours, stock, …) instead of all of ours then all of stock means that
    load from elsewhere on the machine, which comes and goes, hits both sides alike.
    """
    results: list[list[Timing]] = [[] for _ in jobs]
    for _ in range(repeat):
        for job, out in zip(jobs, results, strict=True):
            out.append(job())
    return [fastest(r) for r in results]


def best(
    repeat: int, argvs: Sequence[Sequence[str]], *, pipe: bool = False, cleanup: Sequence[Path] = ()
) -> Timing:
    """The fastest of ``repeat`` runs of one job (and the largest peak RSS seen)."""
    return duel(repeat, lambda: once(argvs, pipe=pipe, cleanup=cleanup))[0]


def with_inner(process: Timing, inner: Timing) -> Timing:
    """Wall time of the real command, in-process time of the instrumented twin, larger RSS."""
    return process[0], max(process[1], inner[1]), inner[2]


def row(name: str, ours: Timing, stock: Timing | None = None) -> str:
    """One line of the result table (Markdown)."""
    inner = f"{ours[2]:.2f} s" if ours[2] is not None else ""
    text = f"| {name} | {ours[0]:.2f} s | {inner} | {ours[1]:.1f} MB |"
    if stock is None:
        return text + " | | |"
    ratio = f"**{ours[0] / stock[0]:.2f}**"
    if ours[2] is not None:
        ratio += f" ({ours[2] / stock[0]:.2f})"
    return text + f" {stock[0]:.2f} s | {stock[1]:.1f} MB | {ratio} |"


def run(tmp: Path, size_mb: int, count: int, repeat: int, batch_repeat: int) -> None:
    """All measurements, printed as a Markdown table and target lines."""
    load_before = os.getloadavg()[0]
    probe_before = fs_probe(tmp / "probe")
    classic, pq = crypto.generate_identity(post_quantum=False), crypto.generate_identity()
    key, pq_key = tmp / "classic.key", tmp / "pq.key"
    key.write_text(f"{classic}\n")
    pq_key.write_text(f"{pq}\n")
    r_classic, r_pq = str(classic.recipient()), str(pq.recipient())
    sha = big_sha256(size_mb)
    submission_json, members = big_member(size_mb, sha)
    plain = tmp / "plain.tar"
    from intake.submission.tarwriter import write_tar

    with plain.open("wb") as f:
        write_tar(f, submission_json, members, MTIME)
    me = [sys.executable, __file__]
    ours_age, ours_pq, stock_age = tmp / "ours.age", tmp / "pq.age", tmp / "stock.age"
    o1, o2 = tmp / "o1", tmp / "o2"
    mb = f"{size_mb} MB"
    rows: list[str] = []
    targets: list[tuple[str, float, float | None]] = []

    def ours_open(src: Path, ident: Path) -> Callable[[], Timing]:
        argv = ["decrypt", str(src), "-i", str(ident), "-o", str(o1)]
        return lambda: with_inner(
            once([[*INTAKE_CLI, *argv]], cleanup=[o1]), once([[*INTAKE, *argv]], cleanup=[o1])
        )

    seal, stock = duel(
        repeat,
        lambda: once([[*me, "--child-seal", str(ours_age), r_classic, str(size_mb), sha]]),
        lambda: once([["age", "-e", "-r", r_classic, "-o", str(stock_age), str(plain)]]),
    )
    rows.append(row(f"seal {mb} submission (intake.submission.seal) vs `age -e`", seal, stock))
    targets.append((f"seal {mb}", seal[0] / stock[0], _inner_ratio(seal, stock)))
    enc_argv = [*me, "--child-crypt", "enc", r_classic, str(plain), str(tmp / "enc.age")]
    enc, stock = duel(
        repeat,
        lambda: once([enc_argv]),
        lambda: once([["age", "-e", "-r", r_classic, "-o", str(stock_age), str(plain)]]),
    )
    rows.append(row(f"encrypt only {mb} (crypto.encrypt) vs `age -e`", enc, stock))
    opened, stock = duel(
        repeat,
        ours_open(ours_age, key),
        lambda: once(
            [["age", "-d", "-i", str(key), str(stock_age)], ["tar", "-x", "-C", str(o2)]],
            pipe=True,
            cleanup=[o2],
        ),
    )
    rows.append(row(f"open {mb}: `intake decrypt` vs `age -d \\| tar -x`", opened, stock))
    targets.append((f"open {mb}", opened[0] / stock[0], _inner_ratio(opened, stock)))
    dec, stock = duel(
        repeat,
        lambda: once([[*me, "--child-crypt", "dec", str(key), str(ours_age)]]),
        lambda: once([["age", "-d", "-i", str(key), "-o", str(tmp / "x.tar"), str(stock_age)]]),
    )
    rows.append(row(f"decrypt only {mb} (crypto.decrypt) vs `age -d`", dec, stock))

    pq_seal = best(repeat, [[*me, "--child-seal", str(ours_pq), r_pq, str(size_mb), sha]])
    rows.append(row(f"post-quantum: seal {mb} submission", pq_seal))
    (pq_open,) = duel(repeat, ours_open(ours_pq, pq_key))
    rows.append(row(f"post-quantum: open {mb} (`intake decrypt`)", pq_open))
    for path in (ours_age, ours_pq, stock_age, tmp / "enc.age", tmp / "x.tar", plain):
        path.unlink(missing_ok=True)
    for path in (o1, o2):
        shutil.rmtree(path, ignore_errors=True)

    small = make_small(tmp / "small", count, classic.recipient())
    names = [str(f) for f in small]
    batch, loop = duel(
        batch_repeat,
        ours_open(tmp / "small", key),
        lambda: loop_age_decrypt(small, key, o2),
    )
    rows.append(row(f"open {count} small: one `intake decrypt` vs {count} × `age -d`", batch, loop))
    (dec,) = duel(batch_repeat, lambda: once([[*me, "--child-crypt", "dec", str(key), *names]]))
    rows.append(row(f"decrypt only {count} small to files vs {count} × `age -d -o`", dec, loop))
    dec_null, loop_null = duel(
        batch_repeat,
        lambda: once([[*me, "--child-crypt", "dec-null", str(key), *names]]),
        lambda: loop_age_decrypt(small, key, None),
    )
    rows.append(
        row(f"decrypt only {count} small to /dev/null vs {count} × `age -d`", dec_null, loop_null)
    )
    make_small(tmp / "pqsmall", count, pq.recipient())
    (pq_batch,) = duel(batch_repeat, ours_open(tmp / "pqsmall", pq_key))
    rows.append(row(f"post-quantum: open {count} small (`intake decrypt`)", pq_batch))

    version = subprocess.run(["age", "--version"], capture_output=True, text=True).stdout.strip()
    print(
        f"{mb} submission ({size_mb * BLOCK / 1e6:.0f} MB attachment), {count} small ones, "
        f"best of {repeat} (large) / {batch_repeat} (small), ours and age alternating; "
        f"age {version}; files in {tmp.parent} ({os.cpu_count()} CPUs; load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after)"
    )
    print(
        "| job | ours (process) | ours (in-process) | our peak RSS | stock age | age peak RSS "
        "| ratio process (in-process) |"
    )
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print()
    for name, ratio, inner in targets:
        verdict = "met" if ratio <= 1.0 else "MISSED"
        inner_text = f"; in-process {inner:.2f}" if inner is not None else ""
        print(
            f"ratio {name} vs stock age (target ≤ 1.0): {ratio:.2f} process, {verdict}{inner_text}"
        )
    speedup = loop[0] / batch[0]
    print(
        f"batch speed-up {count} small (target ≥ 5×): {speedup:.1f}× full `intake decrypt` "
        f"({'met' if speedup >= 5 else 'MISSED'}), {loop[0] / dec[0]:.1f}× decrypt to files, "
        f"{loop_null[0] / dec_null[0]:.1f}× decrypt only"
    )
    peak = max(seal[1], opened[1], pq_seal[1], pq_open[1], batch[1], pq_batch[1])
    print(f"peak RSS (target < 64 MB): {peak:.1f} MB, {'met' if peak < 64 else 'MISSED'}")
    probe_after = fs_probe(tmp / "probe")
    print(f"file system of the bench folder: {probe_before} before, {probe_after} after")


def fs_probe(folder: Path, n: int = 300) -> str:
    """What creating files and folders costs on the bench's disk right now (the small-file batch
    makes two folders and three files per submission; a loop of ``age -d -o`` one file)."""
    folder.mkdir()
    start = time.perf_counter()
    for i in range(n):
        (folder / f"d{i}").mkdir()
    mkdir = (time.perf_counter() - start) / n
    start = time.perf_counter()
    for i in range(n):
        (folder / f"d{i}" / "f").write_bytes(b"x" * 4096)
    create = (time.perf_counter() - start) / n
    shutil.rmtree(folder)
    return f"mkdir {mkdir * 1e6:.0f} µs, create+write 4 KiB {create * 1e6:.0f} µs"


def _inner_ratio(ours: Timing, stock: Timing) -> float | None:
    return ours[2] / stock[0] if ours[2] is not None else None


def main() -> None:
    """Parse arguments; ``--child-seal`` is the measured child process of the seal step."""
    if sys.argv[1:2] == ["--child-open"]:  # its arguments start with dashes: not for argparse
        child_open(sys.argv[3:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5, help="best of N for the large jobs")
    parser.add_argument("--batch-repeat", type=int, default=3, help="best of N for the small ones")
    parser.add_argument("--dir", type=Path, help="where to put the files (default: system temp)")
    parser.add_argument("--child-seal", nargs=4, metavar=("OUT", "RECIPIENT", "SIZE_MB", "SHA"))
    parser.add_argument("--child-crypt", nargs="+", metavar="ARG", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_seal:
        out, recipient, size, sha = args.child_seal
        child_seal(out, recipient, int(size), sha)
        return
    if args.child_crypt:
        mode, key, *files = args.child_crypt
        child_crypt(mode, key, files)
        return
    if shutil.which("age") is None:
        raise SystemExit("bench: the `age` CLI is needed for the comparison (apt-get install age)")
    with tempfile.TemporaryDirectory(prefix="crypto-bench-", dir=args.dir) as tmp:
        run(Path(tmp), args.size_mb, args.count, args.repeat, args.batch_repeat)


if __name__ == "__main__":
    main()
