"""One passphrase-file rule for every command, and keygen's terminal dialogue and KEY.pub."""

from __future__ import annotations

import random
import stat
from pathlib import Path

import pytest

import crypto
from intake.cli import main as cli
from intake.offline import keygen
from intake.offline.passphrase import PassphraseFileError, read_passphrase_file
from tests.support.casework import make_testimony, seal

GOOD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keygen, "WORK_FACTOR", 10)


@pytest.mark.parametrize(
    "content",
    [GOOD.encode(), f"{GOOD}\n".encode(), f"{GOOD}\n\n".encode(), f"{GOOD}\r\n".encode(),
     f"\ufeff{GOOD}\n".encode(), f"{GOOD}\nanything else\n".encode()],
)  # fmt: skip
def test_the_first_line_is_the_passphrase(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "pass"
    path.write_bytes(content)
    assert read_passphrase_file(path) == GOOD


@pytest.mark.parametrize(("content", "reason"), [(b"", "empty"), (b"\n" + GOOD.encode(), "empty"),
                                                 (b"\xff\xfe", "not UTF-8")])  # fmt: skip
def test_unusable_passphrase_files_say_why(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "pass"
    path.write_bytes(content)
    with pytest.raises(PassphraseFileError, match=reason):
        read_passphrase_file(path)


def test_a_key_made_from_a_file_opens_with_the_same_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reported bug: a passphrase file ending in two newlines made a key decrypt refused."""
    pass_file = tmp_path / "pass"
    pass_file.write_text(f"{GOOD}\n\n")
    key = tmp_path / "staff.key"
    assert cli(["keygen", "--classic", "-o", str(key), "--passphrase-file", str(pass_file)]) == 0
    recipient = crypto.parse_recipient(capsys.readouterr().out.strip().splitlines()[-1])
    src = tmp_path / "src"
    src.mkdir()
    sub, files = make_testimony(0, random.Random(1))
    (src / f"{sub['submission_id']}.age").write_bytes(seal(sub, files, [recipient]))
    argv = ["decrypt", str(src), "-i", str(key), "-o", str(tmp_path / "out"),
            "--passphrase-file", str(pass_file)]  # fmt: skip
    assert cli(argv) == 0, capsys.readouterr().err


def test_keygen_writes_the_recipient_next_to_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pass_file = tmp_path / "pass"
    pass_file.write_text(GOOD)
    key = tmp_path / "staff.key"
    assert cli(["keygen", "-o", str(key), "--passphrase-file", str(pass_file)]) == 0
    pub = tmp_path / "staff.key.pub"
    assert stat.S_IMODE(pub.stat().st_mode) == 0o644
    text = pub.read_text()
    (recipient,) = crypto.parse_recipients(text)  # the age recipients-file format
    assert recipient.post_quantum
    (identity,) = crypto.load_identity_file(key.read_bytes(), lambda: GOOD)
    assert identity.recipient() == recipient
    assert f"# fingerprint: {crypto.fingerprint(recipient)}" in text
    assert str(pub) in capsys.readouterr().out


def test_keygen_refuses_an_existing_pub_before_asking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "staff.key.pub").write_text("someone else's\n")
    monkeypatch.setattr(keygen, "_stdin_is_tty", lambda: True)
    monkeypatch.setattr(keygen.getpass, "getpass", lambda prompt: pytest.fail("asked"))
    assert cli(["keygen", "-o", str(tmp_path / "staff.key")]) == 1
    assert "staff.key.pub already exists" in capsys.readouterr().err
    assert not (tmp_path / "staff.key").exists()


def test_rules_are_checked_before_the_confirmation_and_mistakes_retried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(keygen, "_stdin_is_tty", lambda: True)
    asked: list[str] = []
    said: list[str] = []
    answers = iter(["short", GOOD, GOOD + "typo", GOOD, GOOD])

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    assert keygen.ask_passphrase(ask, said.append) == GOOD
    assert [p.startswith("Same") for p in asked] == [False, False, True, False, True]
    assert said == [
        f"passphrase too short: use at least {keygen.MIN_PASSPHRASE} characters; try again",
        "the two passphrases differ; try again",
    ]


def test_three_failed_attempts_give_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keygen, "_stdin_is_tty", lambda: True)
    with pytest.raises(keygen.KeygenError, match="too short"):
        keygen.ask_passphrase(lambda _: "short", lambda _: None)
