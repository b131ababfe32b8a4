"""Interop with the stock ``age`` CLI (Debian's 1.1.x: X25519 and passphrases), both directions,
and a staff member opening a real submission with stock tools only: ``age -d -i KEY | tar -x``.

Real subprocesses on real files. Passphrase prompts are answered through a pseudo-terminal, since
age reads passphrases only from the terminal. Skips when ``age`` is missing locally; fails under CI,
where ``.ci/run`` installs it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import crypto
from crypto import (
    PassphraseIdentity,
    PassphraseRecipient,
    X25519Identity,
    decrypt,
    load_identity_file,
    parse_identities,
    parse_recipient,
)
from intake.cli import main as cli_main
from intake.questionnaire import Questionnaire
from intake.service import IntakeService
from intake.store import Store
from tests.support.channels import scripted
from tests.support.cli import run_main
from tests.support.sealing import seal_bytes as seal
from tests.support.sealing import write_identity
from tests.support.submissions import PHOTO as SUBMISSION_PHOTO
from tests.support.submissions import seal_submission, submission_dict, submission_tar
from tests.support.tty import run_with_tty
from tests.support.witness import Files

DATA = os.urandom(3 * 64 * 1024 + 123)


PHRASE = "correct horse battery staple"


def age_bin(name: str = "age") -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"`{name}` is not installed in CI (.ci/run should apt-get install age)")
        pytest.skip(f"`{name}` CLI is not installed")
    return path


def run(*argv: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(argv, capture_output=True, timeout=60, check=False)


@pytest.fixture
def age_key(tmp_path: Path) -> Path:
    key = tmp_path / "age.key"
    result = run(age_bin("age-keygen"), "-o", str(key))
    assert result.returncode == 0, result.stderr
    return key


@pytest.mark.parametrize("armor", [False, True])
def test_we_seal_age_opens(tmp_path: Path, age_key: Path, armor: bool) -> None:
    (ident,) = parse_identities(age_key.read_text())
    others = [X25519Identity.generate().recipient() for _ in range(2)]
    sealed = tmp_path / "sealed.age"
    sealed.write_bytes(seal(DATA, [others[0], ident.recipient(), others[1]], armor=armor))
    result = run(age_bin(), "-d", "-i", str(age_key), str(sealed))
    assert result.returncode == 0, result.stderr
    assert result.stdout == DATA


@pytest.mark.parametrize("armor", [False, True])
def test_age_seals_we_open(tmp_path: Path, age_key: Path, armor: bool) -> None:
    ours = X25519Identity.generate()
    (theirs,) = parse_identities(age_key.read_text())
    recipients = tmp_path / "recipients.txt"
    recipients.write_text(f"# staff\n{theirs.recipient()}\n{ours.recipient()}\n")
    plain = tmp_path / "plain"
    plain.write_bytes(DATA)
    sealed = tmp_path / "sealed.age"
    flags = ["-a"] if armor else []
    result = run(age_bin(), "-e", *flags, "-R", str(recipients), "-o", str(sealed), str(plain))
    assert result.returncode == 0, result.stderr
    for ident in (ours, theirs):
        with sealed.open("rb") as f:
            assert decrypt(f, [ident]).read() == DATA


def test_age_rejects_our_tampered_file(tmp_path: Path, age_key: Path) -> None:
    (ident,) = parse_identities(age_key.read_text())
    sealed = bytearray(seal(DATA, [ident.recipient()]))
    sealed[-1] ^= 0x80
    (tmp_path / "bad.age").write_bytes(bytes(sealed))
    result = run(age_bin(), "-d", "-i", str(age_key), str(tmp_path / "bad.age"))
    assert result.returncode != 0


def test_passphrase_we_seal_age_opens(tmp_path: Path) -> None:
    sealed = tmp_path / "p.age"
    sealed.write_bytes(seal(DATA, [PassphraseRecipient(PHRASE, work_factor=10)]))
    out = tmp_path / "out"
    code, text = run_with_tty([age_bin(), "-d", "-o", str(out), str(sealed)], [PHRASE])
    assert code == 0, text
    assert out.read_bytes() == DATA


def test_passphrase_age_seals_we_open(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.write_bytes(DATA)
    sealed = tmp_path / "p.age"
    argv = [age_bin(), "-p", "-o", str(sealed), str(plain)]
    code, text = run_with_tty(argv, [PHRASE, PHRASE])
    assert code == 0, text
    with sealed.open("rb") as f:
        assert decrypt(f, [PassphraseIdentity(PHRASE)]).read() == DATA


@pytest.mark.usefixtures("fast_scrypt")
def test_keygen_file_opens_with_stock_age(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`intake keygen --classic` output: `age -d` reveals the key, `age -d -i` uses it."""
    pass_file = tmp_path / "pass"
    pass_file.write_text(PHRASE + "\n")
    key = tmp_path / "staff.key"
    argv = ["keygen", "--classic", "--out", str(key), "--passphrase-file", str(pass_file)]
    assert cli_main(argv) == 0
    recipient = parse_recipient(capsys.readouterr().out.strip().splitlines()[-1])

    revealed = tmp_path / "revealed.txt"
    code, text = run_with_tty([age_bin(), "-d", "-o", str(revealed), str(key)], [PHRASE])
    assert code == 0, text
    (ident,) = load_identity_file(revealed.read_bytes(), lambda: pytest.fail("plain file"))
    assert ident.recipient() == recipient

    sealed = tmp_path / "sub.age"
    sealed.write_bytes(seal(DATA, [recipient]))
    out = tmp_path / "out"
    argv = [age_bin(), "-d", "-i", str(key), "-o", str(out), str(sealed)]
    code, text = run_with_tty(argv, [PHRASE])
    assert code == 0, text
    assert out.read_bytes() == DATA


def test_stock_age_interop_both_ways(tmp_path: Path, staff_key: Path, staff, capsys) -> None:
    # stock age seals a tar we made; intake decrypt opens it
    plain = tmp_path / "s.tar"
    plain.write_bytes(submission_tar(submission_dict("01STOCKAGE")))
    sealed = tmp_path / "01STOCKAGE.age"
    subprocess.run(["age", "-e", "-r", str(staff.recipient()), "-o", str(sealed), str(plain)],
                   check=True)  # fmt: skip
    assert run_main(capsys, "decrypt", sealed, "-i", staff_key, "-o", tmp_path / "out")[0] == 0
    # our sealed file opens with `age -d -i KEY FILE | tar -x`
    ours = seal_submission(tmp_path, [staff.recipient()])
    dest = tmp_path / "tarx"
    dest.mkdir()
    age = subprocess.Popen(["age", "-d", "-i", str(staff_key), str(ours)], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(dest)], stdin=age.stdout, check=True)
    assert age.wait() == 0
    assert (dest / "attachments/1-photo.png").read_bytes() == SUBMISSION_PHOTO


# --- a real submission, stock tools only (QA) ----------------------------------------------------


PHOTO = bytes(range(256)) * 300


NOTE = "Записка врача 📄\n".encode()


@pytest.fixture
async def sealed(
    tmp_path: Path, staff: crypto.Identity, every_type: Questionnaire
) -> tuple[Path, Path]:
    """(plain age-keygen style key file, the one sealed submission) from a real conversation."""
    key = write_identity(tmp_path / "staff.key", staff)
    store = await Store.open(tmp_path / "data")
    try:
        q = every_type
        files = Files(
            (
                ("фото травм.png", "image/png", PHOTO),
                ("/etc/../../note.txt", "text/plain", NOTE),
            )
        )
        script = {
            "role": ("choice", "victim"),
            "treatment": ["beaten"],
            "injuries": "bruises",
            "evidence": files,
        }
        player = scripted(IntakeService(store, q, [staff.recipient()]), script, "en")
        assert (await player.submit()).outcome == "submit"
    finally:
        await store.close()
    (path,) = list((tmp_path / "data" / "outbox").glob("*.age"))
    return key, path


def test_stock_age_and_tar_open_a_submission(tmp_path: Path, sealed: tuple[Path, Path]) -> None:
    key, path = sealed
    plain = subprocess.run(
        ["age", "-d", "-i", str(key), str(path)], capture_output=True, check=True, timeout=30
    ).stdout
    # POSIX (ustar/pax) headers, not GNU: magic "ustar\0" + version "00" in the first header
    assert plain[257:265] == b"ustar\x0000"
    listing = subprocess.run(
        ["tar", "-tv"], input=plain, capture_output=True, check=True, timeout=30
    ).stdout.decode()
    names = [line.split()[-1] for line in listing.splitlines()]
    assert names[0] == "submission.json"
    assert all(not n.startswith("/") and ".." not in n.split("/") for n in names), names
    out = tmp_path / "x"
    out.mkdir()
    subprocess.run(["tar", "-x"], input=plain, cwd=out, check=True, timeout=30)
    sub = json.loads((out / "submission.json").read_text())
    by_sha = {a["sha256"]: a for a in sub["attachments"]}
    for data in (PHOTO, NOTE):
        entry = by_sha[hashlib.sha256(data).hexdigest()]
        assert (out / entry["path"]).read_bytes() == data
        assert entry["size"] == len(data)
    assert sorted(a["filename"] for a in sub["attachments"]) == sorted(
        ["фото травм.png", "/etc/../../note.txt"]
    )
    assert sorted(p.name for p in out.iterdir()) == ["attachments", "submission.json"]


def test_attachment_keeps_its_extension(tmp_path: Path, sealed: tuple[Path, Path]) -> None:
    """A Cyrillic file name "фото травм.png" is stored as "attachments/1-png": the extension's
    dot is lost with the non-ASCII stem, so the staff laptop cannot open it by double-click
    (intake/submission.py safe_name). Expected e.g. "1-file.png" (the original name stays in
    submission.json)."""
    key, path = sealed
    plain = subprocess.run(
        ["age", "-d", "-i", str(key), str(path)], capture_output=True, check=True, timeout=30
    ).stdout
    listing = subprocess.run(["tar", "-t"], input=plain, capture_output=True, check=True).stdout
    names = listing.decode().split()
    assert any(n.startswith("attachments/") and n.endswith(".png") for n in names), names
    assert any(n.startswith("attachments/") and n.endswith(".txt") for n in names), names
