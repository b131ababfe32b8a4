"""QA: the ``intake`` CLI as a new staff member or operator meets it (the real console script).

Every misuse must give a clear ``intake: error:`` line, a sensible exit code and no traceback; the
bot token must never be echoed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_qa_support import FAKE_TOKEN, PASSPHRASE, QA_DIR, Player, assert_clean_failure, run_cli

import crypto
from intake.questionnaire import load
from intake.service import IntakeService
from intake.store import Store


@pytest.fixture(scope="module")
def staff() -> crypto.Identity:
    return crypto.generate_identity(post_quantum=False)


@pytest.fixture
async def server(tmp_path: Path, staff: crypto.Identity) -> Path:
    """A server data dir holding one sealed submission (played through the real service)."""
    data = tmp_path / "data"
    store = await Store.open(data)
    try:
        q = load(QA_DIR / "qa_tiny.toml")
        player = Player(IntakeService(store, q, [staff.recipient()]), q, {"only": "hello"}, "en")
        assert (await player.submit()).outcome == "submit"
    finally:
        await store.close()
    return data


def key_file(tmp_path: Path, staff: crypto.Identity) -> Path:
    path = tmp_path / "staff.key"
    path.write_text(f"{staff}\n")
    path.chmod(0o600)
    return path


# ---- keygen ----------------------------------------------------------------------------------


def test_keygen_refuses_short_passphrase_and_existing_file(tmp_path: Path) -> None:
    short = tmp_path / "short"
    short.write_text("elevenchars\n")
    proc = run_cli("keygen", "--out", tmp_path / "k", "--passphrase-file", short, cwd=tmp_path)
    assert_clean_failure(proc)
    assert not (tmp_path / "k").exists()
    existing = tmp_path / "existing.key"
    existing.write_text("precious")
    good = tmp_path / "good"
    good.write_text(PASSPHRASE + "\n")
    proc = run_cli("keygen", "--out", existing, "--passphrase-file", good, "--classic")
    assert_clean_failure(proc)
    assert existing.read_text() == "precious"


def test_keygen_then_decrypt_with_passphrase_file(tmp_path: Path, server: Path) -> None:
    passfile = tmp_path / "pass"
    passfile.write_text(PASSPHRASE + "\n")
    key = tmp_path / "new.key"
    proc = run_cli("keygen", "--out", key, "--classic", "--passphrase-file", passfile)
    assert proc.returncode == 0, proc.stderr
    assert os.stat(key).st_mode & 0o777 == 0o600
    recipient = next(w for w in proc.stdout.split() if w.startswith("age1"))
    assert crypto.parse_recipient(recipient).post_quantum is False
    # the passphrase-protected file is a real identity: seal to it, decrypt with it
    sealed = tmp_path / "one.age"
    with sealed.open("wb") as f, crypto.encrypt(f, [crypto.parse_recipient(recipient)]) as w:
        w.write(b"not a tar")
    proc = run_cli(
        "decrypt", sealed, "-i", key, "--passphrase-file", passfile, "--out", tmp_path / "o"
    )
    assert "Traceback" not in proc.stderr
    assert "no matching key" not in proc.stderr  # it opened; the payload is just not a submission


# ---- decrypt ---------------------------------------------------------------------------------


def test_decrypt_bad_sources(tmp_path: Path, staff: crypto.Identity, server: Path) -> None:
    key = key_file(tmp_path, staff)
    proc = run_cli("decrypt", tmp_path / "nope", "-i", key, "--out", tmp_path / "o1")
    assert_clean_failure(proc, 2)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_clean_failure(run_cli("decrypt", empty, "-i", key, "--out", tmp_path / "o2"), 2)
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "x.age").write_text("hello")
    proc = run_cli("decrypt", junk, "-i", key, "--out", tmp_path / "o3")
    assert_clean_failure(proc, 1)
    assert "x.age" in proc.stderr
    assert not (tmp_path / "o3").exists()
    (sealed,) = list((server / "outbox").glob("*.age"))
    (tmp_path / "other").mkdir()
    wrong = key_file(tmp_path / "other", crypto.generate_identity(post_quantum=False))
    proc = run_cli("decrypt", sealed, "-i", wrong, "--out", tmp_path / "o4")
    assert_clean_failure(proc, 1)
    assert "no matching key" in proc.stderr
    truncated = tmp_path / "t.age"
    truncated.write_bytes(sealed.read_bytes()[:-20])
    proc = run_cli("decrypt", truncated, "-i", key, "--out", tmp_path / "o5")
    assert_clean_failure(proc, 1)
    assert "damaged or tampered" in proc.stderr
    assert not (tmp_path / "o5").exists()


def test_export_decrypt_twice_then_ack(
    tmp_path: Path, staff: crypto.Identity, server: Path
) -> None:
    env = {"INTAKE_DATA_DIR": str(server)}
    export = tmp_path / "usb"
    proc = run_cli("export", "--out", export, env=env)
    assert proc.returncode == 0, proc.stderr
    key = key_file(tmp_path, staff)
    out = export / "reports"  # an output folder inside the source folder
    for _ in range(2):  # idempotent
        proc = run_cli("decrypt", export, "-i", key, "--out", out)
        assert proc.returncode == 0, proc.stderr
    assert len([p for p in out.iterdir() if p.is_dir()]) == 1
    receipt = json.loads((out / "receipt.json").read_text())
    assert len(receipt["decrypted"]) == 1
    proc = run_cli("ack", out / "receipt.json", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "1 deleted" in proc.stdout + proc.stderr
    assert not list((server / "outbox").glob("*.age"))
    proc = run_cli("status", env=env)
    assert proc.returncode == 0
    assert "acknowledged: 1" in proc.stdout


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("garbage", "garbage"),
        ("empty", ""),
        ("list", "[]"),
        ("no_list", '{"format": "witness-intake/receipt/v1"}'),
        ("bad_item", '{"format": "witness-intake/receipt/v1", "decrypted": [5]}'),
    ],
)
def test_ack_bad_receipt(tmp_path: Path, server: Path, name: str, content: str) -> None:
    receipt = tmp_path / f"{name}.json"
    receipt.write_text(content)
    proc = run_cli("ack", receipt, env={"INTAKE_DATA_DIR": str(server)})
    assert_clean_failure(proc, 2)
    assert len(list((server / "outbox").glob("*.age"))) == 1  # nothing deleted


def test_ack_unknown_ids_keeps_everything(tmp_path: Path, server: Path) -> None:
    receipt = tmp_path / "r.json"
    item = {"id": "nosuchsubmission", "file": "x.age", "sha256": "0" * 64}
    receipt.write_text(json.dumps({"format": "witness-intake/receipt/v1", "decrypted": [item]}))
    proc = run_cli("ack", receipt, env={"INTAKE_DATA_DIR": str(server)})
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 1
    assert "nosuchsubmission" in proc.stderr
    assert len(list((server / "outbox").glob("*.age"))) == 1


@pytest.mark.parametrize("command", [("status",), ("export", "--out", "x"), ("ack", "r.json")])
def test_queue_commands_without_data_dir(tmp_path: Path, command: tuple[str, ...]) -> None:
    (tmp_path / "r.json").write_text('{"format": "witness-intake/receipt/v1", "decrypted": []}')
    env = {"INTAKE_DATA_DIR": str(tmp_path / "new")}
    proc = run_cli(*command, env=env, cwd=tmp_path)
    assert_clean_failure(proc, 2)
    assert not (tmp_path / "new").exists()


def test_status_does_not_initialise_an_empty_folder(tmp_path: Path) -> None:
    """`intake status` on an existing empty folder creates server.key and a database there
    (outbox_cli → Store.open); a read-only command must not create the server's secrets (e.g.
    run as root before the service user's first start, leaving root-owned files)."""
    empty = tmp_path / "empty"
    empty.mkdir(mode=0o700)
    proc = run_cli("status", env={"INTAKE_DATA_DIR": str(empty)}, cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in empty.iterdir()) == [], proc.stdout


# ---- run ---------------------------------------------------------------------------------------

RECIPIENT = "age1nhxge2rehuq3kn9gdq5plpvj3vx9l9m4ewt9mue4fx2k3secx3ds22c8xa"
UNREACHABLE = "http://127.0.0.1:9"


def run_bot(tmp_path: Path, **env: str) -> str:
    """``intake run`` with ``env`` in an empty working folder; its output, after common checks."""
    proc = run_cli("run", env=env, cwd=tmp_path, timeout=30)
    output = proc.stdout + proc.stderr
    assert FAKE_TOKEN not in output
    assert FAKE_TOKEN.split(":")[1] not in output
    assert_clean_failure(proc, 2)
    for line in proc.stderr.splitlines():
        assert line.startswith(("intake: error:", "intake: hint:")), line
    return proc.stderr


def test_run_with_nothing_configured(tmp_path: Path) -> None:
    err = run_bot(tmp_path)
    assert "TELEGRAM_BOT_TOKEN" in err
    assert "INTAKE_RECIPIENTS" in err


def test_run_lists_every_config_problem(tmp_path: Path) -> None:
    err = run_bot(
        tmp_path,
        TELEGRAM_BOT_TOKEN=FAKE_TOKEN,
        INTAKE_RECIPIENTS="age1bad",
        INTAKE_HTTP_ADDR="nope",
        INTAKE_LOG_LEVEL="LOUD",
        INTAKE_LOG_FORMAT="xml",
        TELEGRAM_API_BASE_URL="ftp://x",
    )
    for name in ("INTAKE_RECIPIENTS", "INTAKE_HTTP_ADDR", "INTAKE_LOG_LEVEL", "INTAKE_LOG_FORMAT"):
        assert name in err
    assert "TELEGRAM_API_BASE_URL" in err


def test_run_refuses_secret_key_and_token_in_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN={FAKE_TOKEN}\nINTAKE_RECIPIENTS=AGE-SECRET-KEY-1QQQQQQQQQQ\n"
    )
    err = run_bot(tmp_path)
    assert "private key" in err


def test_run_bad_questionnaire_reported_with_other_problems(tmp_path: Path) -> None:
    """With another config problem the questionnaire's problems are not shown: the operator
    fixes one thing, restarts, and only then learns about the next (bot/app.py, intake/config)."""
    bad = tmp_path / "q.toml"
    bad.write_text('id = "x"\n')
    err = run_bot(
        tmp_path, TELEGRAM_BOT_TOKEN=FAKE_TOKEN, INTAKE_QUESTIONNAIRE=str(bad), INTAKE_LOG_LEVEL="X"
    )
    assert "INTAKE_LOG_LEVEL" in err
    assert "q.toml" in err


def test_run_unusable_data_dir_names_it(tmp_path: Path) -> None:
    """A data dir that cannot be created prints just "intake: error: Not a directory"
    (bot/app.py main: `except OSError` drops the path and the variable)."""
    (tmp_path / "afile").write_text("")
    data_dir = tmp_path / "afile" / "sub"
    err = run_bot(
        tmp_path,
        TELEGRAM_BOT_TOKEN=FAKE_TOKEN,
        INTAKE_RECIPIENTS=RECIPIENT,
        INTAKE_DATA_DIR=str(data_dir),
        TELEGRAM_API_BASE_URL=UNREACHABLE,
    )
    assert "INTAKE_DATA_DIR" in err or str(data_dir) in err, err


def test_ack_mismatched_sha_is_kept(tmp_path: Path, staff: crypto.Identity, server: Path) -> None:
    env = {"INTAKE_DATA_DIR": str(server)}
    assert run_cli("export", "--out", tmp_path / "usb", env=env).returncode == 0
    out = tmp_path / "reports"
    proc = run_cli("decrypt", tmp_path / "usb", "-i", key_file(tmp_path, staff), "--out", out)
    assert proc.returncode == 0, proc.stderr
    receipt = json.loads((out / "receipt.json").read_text())
    receipt["decrypted"][0]["sha256"] = "f" * 64
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(receipt))
    proc = run_cli("ack", forged, env=env)
    assert "Traceback" not in proc.stderr
    assert proc.returncode != 0
    assert "1 mismatched" in proc.stdout + proc.stderr
    assert len(list((server / "outbox").glob("*.age"))) == 1
