"""``intake decrypt`` against hostile files sealed with stock age: one bad file stops only itself.

Before: a submission.json of 200k nested arrays, a 5,000-digit integer or a 400-digit number
answer ended the whole run ("unexpected RecursionError in 'decrypt'", exit 70, the file not named,
later files skipped, an empty output folder left); a 52 MB manifest took 515 MB and printed 400k
lines; an output folder with planted links was written through.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.sticks import (
    StaffKey,
    age_keygen,
    error_lines,
    intake,
    seal_json_text,
    seal_submission,
    submission,
)


@pytest.fixture
def key(tmp_path: Path) -> StaffKey:
    return age_keygen(tmp_path)


def _hostile_texts() -> dict[str, str]:
    """submission.json texts that each once crashed the whole batch (and one more)."""
    good = json.dumps(submission("PLACEHOLDER"))
    nested = "[" * 200_000 + "]" * 200_000
    return {
        "nested.age": good.replace('"value": "x"', f'"value": {nested}').replace(
            "PLACEHOLDER", "NESTED"
        ),
        "bigint.age": good.replace('"version": 1', '"version": 1' + "7" * 5_000).replace(
            "PLACEHOLDER", "BIGINT"
        ),
        "longnumber.age": good.replace(
            '"type": "text", "prompt": "Tell us.", "value": "x"',
            '"type": "number", "prompt": "How many?", "value": ' + "9" * 400,
        ).replace("PLACEHOLDER", "LONGNUMBER"),
        "surrogate.age": good.replace('"Tell us."', '"\\ud800"').replace(
            "PLACEHOLDER", "SURROGATE"
        ),
    }


def _stick(tmp_path: Path, key: StaffKey) -> Path:
    src = tmp_path / "stick"
    src.mkdir()
    for name, text in _hostile_texts().items():
        seal_json_text(text, key.recipient, src / name)
    seal_submission(submission("zgood"), key.recipient, src / "zgood.age")  # opened last
    return src


def test_each_hostile_file_is_one_line_and_the_batch_goes_on(tmp_path: Path, key: StaffKey) -> None:
    src, out = _stick(tmp_path, key), tmp_path / "out"
    run = intake("decrypt", src, "-i", key.identity, "-o", out, cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    assert "unexpected" not in run.stderr
    errors = error_lines(run.stderr)
    assert len(errors) == 4, run.stderr
    reasons = {
        "nested.age": "nested deeper than 32 levels",
        "bigint.age": "questionnaire.version: a number of 5001 digits is out of range",
        "longnumber.age": "answers[0].value: a number of 400 digits is out of range",
        "surrogate.age": "lone UTF-16 surrogate",
    }
    for line, (name, reason) in zip(sorted(errors), sorted(reasons.items()), strict=True):
        assert line.startswith(f"intake: error: {name}: not a valid submission"), line
        assert reason in line, line
    assert (out / "zgood" / "report.html").is_file()  # the file after them was still opened
    assert sorted(p.name for p in out.iterdir()) == [
        ".intake-index",
        "index.csv",
        "index.html",
        "receipt.json",
        "zgood",
    ]
    assert "1 decrypted, 0 already done, 4 failed" in run.stderr


def test_a_batch_of_only_hostile_files_leaves_no_folder(tmp_path: Path, key: StaffKey) -> None:
    src, out = _stick(tmp_path, key), tmp_path / "new" / "out"
    (src / "zgood.age").unlink()
    run = intake("decrypt", src, "-i", key.identity, "-o", out, cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    assert len(error_lines(run.stderr)) == 4, run.stderr
    assert not out.exists()


def _manifest_entry(n: int) -> dict[str, object]:
    return {"id": f"MISSING{n:07d}", "sha256": "ab" * 32, "size": 10440, "file": f"M{n:07d}.age"}


def test_a_huge_manifest_is_read_as_a_bounded_stream(tmp_path: Path, key: StaffKey) -> None:
    """52 MB, 400k entries (one bad, one listing a present file twice): memory and output stay
    small, the listed good file is opened, the doubly listed one is refused by name."""
    src = tmp_path / "stick"
    src.mkdir()
    good = seal_submission(submission("GOOD"), key.recipient, src / "GOOD.age")
    twice = seal_submission(submission("TWICE"), key.recipient, src / "TWICE.age")
    sha = _sha256(good)
    head = [
        {"id": "GOOD", "sha256": sha, "size": good.stat().st_size},
        {"id": "TWICE", "sha256": _sha256(twice), "size": twice.stat().st_size},
        {"id": "BAD", "sha256": "not hex", "size": 1},
        {"id": "TWICE", "sha256": sha, "size": twice.stat().st_size},
    ]
    with (src / "manifest.json").open("w") as f:
        f.write('{"format": "witness-intake/export/v1", "submissions": [\n')
        f.write(",\n".join(json.dumps(e) for e in head))
        for n in range(400_000):
            f.write(",\n" + json.dumps(_manifest_entry(n), indent=2))
        f.write("\n]}\n")
    assert (src / "manifest.json").stat().st_size > 50_000_000
    out = tmp_path / "out"
    run, peak_kib = _run_measured(
        ["decrypt", str(src), "-i", str(key.identity), "-o", str(out)], tmp_path
    )
    assert run.returncode == 1, run.stderr[-2000:]
    assert (out / "GOOD" / "report.html").is_file()
    assert not (out / "TWICE").exists()
    lines = run.stderr.splitlines()
    assert len(lines) < 60, len(lines)
    assert any("TWICE.age: listed twice in manifest.json" in line for line in lines), lines
    assert any("entry 3: BAD.age: invalid sha256" in line for line in lines), lines
    assert any("more files listed in manifest.json are missing" in line for line in lines)
    assert any("lists more than 100,000 files" in line for line in lines), lines
    assert peak_kib < 150 * 1024, f"peak RSS {peak_kib // 1024} MiB"


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


# Runs ``intake ARGS`` as its own child and reports that child's peak RSS: Linux carries a forked
# child's pre-exec high-water mark (a copy of the forking process) into ``ru_maxrss``, so measured
# straight from pytest — hundreds of MB after the casework tests — the figure would be pytest's.
_MEASURE = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, "-m", "intake", *sys.argv[2:]])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _run_measured(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run ``intake ARGS``; the result and the process's own peak RSS in KiB (``wait4``, from a
    small intermediate process)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd)}
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    rss = cwd / "peak-rss"
    run = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(rss), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )
    return run, int(rss.read_text())


def test_planted_links_in_the_output_folder_are_never_written_through(
    tmp_path: Path, key: StaffKey
) -> None:
    src = tmp_path / "stick"
    src.mkdir()
    seal_submission(submission("AAA"), key.recipient, src / "AAA.age")
    seal_submission(submission("BBB"), key.recipient, src / "BBB.age")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    victim_dir = tmp_path / "victim-dir"
    victim_dir.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.csv").symlink_to(victim)
    (out / "receipt.json").symlink_to(victim)
    (out / "AAA").symlink_to(victim_dir)
    run = intake("decrypt", src, "-i", key.identity, "-o", out, cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    assert error_lines(run.stderr) == [
        "intake: error: AAA.age: cannot write output (AAA in the output folder is a symbolic "
        "link; refused)"
    ]
    assert victim.read_text() == "keep me"
    assert list(victim_dir.iterdir()) == []
    assert not (out / "index.csv").is_symlink()  # the link itself was replaced, not followed
    receipt = json.loads((out / "receipt.json").read_text())
    assert [e["id"] for e in receipt["decrypted"]] == ["BBB"]

    linked = tmp_path / "linked-out"
    linked.symlink_to(victim_dir)
    refused = intake("decrypt", src, "-i", key.identity, "-o", linked / "sub", cwd=tmp_path)
    assert refused.returncode == 2
    assert f"intake: error: {linked} is a symbolic link" in refused.stderr
    assert list(victim_dir.iterdir()) == []


def test_a_fifo_or_a_link_on_the_stick_is_refused_by_name(tmp_path: Path, key: StaffKey) -> None:
    src = tmp_path / "stick"
    src.mkdir()
    seal_submission(submission("OK1"), key.recipient, src / "OK1.age")
    os.mkfifo(src / "FIFO.age")
    outside = seal_submission(submission("OUTSIDE"), key.recipient, tmp_path / "outside.age")
    (src / "LINK.age").symlink_to(outside)
    os.mkfifo(src / "manifest.json")  # would block a plain open() forever
    run = intake(
        "decrypt", src, "-i", key.identity, "-o", tmp_path / "out", cwd=tmp_path, timeout=30
    )
    assert run.returncode == 1, run.stderr
    assert sorted(error_lines(run.stderr)) == [
        "intake: error: FIFO.age: is a FIFO (named pipe), not a regular file; refused",
        "intake: error: LINK.age: is a symbolic link, not a regular file; refused",
    ]
    assert "manifest.json is a FIFO (named pipe), not a regular file" in run.stderr
    assert (tmp_path / "out" / "OK1").is_dir()
    assert not (tmp_path / "out" / "OUTSIDE").exists()
