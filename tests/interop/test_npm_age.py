"""Interop with npm's ``age-encryption`` (an independent implementation), post-quantum first.

Runs ``node tests/interop/age_node.mjs`` as a real subprocess, in both directions. Skips when node
or the npm package is missing locally (``make test`` installs it with ``npm ci``); fails instead
under CI, where ``.ci/run`` installs node and npm."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from crypto import (
    HybridIdentity,
    PassphraseIdentity,
    PassphraseRecipient,
    decrypt,
    generate_identity,
    parse_identity,
    parse_recipient,
)
from tests.support.sealing import seal_bytes as seal

INTEROP = Path(__file__).parent


SCRIPT = INTEROP / "age_node.mjs"


DATA = bytes(range(256)) * 600 + b"tail"  # > 2 STREAM chunks


def _require_node() -> str:
    node = shutil.which("node")
    missing = None
    if node is None:
        missing = "node is not installed"
    elif not (INTEROP / "node_modules" / "age-encryption").is_dir():
        missing = "npm package age-encryption missing: run `npm install` in tests/interop"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"interop with npm age-encryption cannot run in CI: {missing}")
        pytest.skip(missing)
    assert node is not None
    return node


def node(*args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [_require_node(), str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"node age-encryption failed: {result.stderr.strip()}")
    return result.stdout


def node_keygen() -> tuple[str, str]:
    keys = json.loads(node("keygen"))
    return keys["identity"], keys["recipient"]


def test_node_key_pair_matches_ours() -> None:
    identity, recipient = node_keygen()
    ours = parse_identity(identity)
    assert isinstance(ours, HybridIdentity)
    assert str(ours.recipient()) == recipient
    assert parse_recipient(recipient) == ours.recipient()


@pytest.mark.parametrize("armor", [False, True])
def test_we_seal_post_quantum_node_opens(tmp_path: Path, armor: bool) -> None:
    identity, recipient = node_keygen()
    other = generate_identity()
    sealed = tmp_path / "sealed.age"
    sealed.write_bytes(seal(DATA, [parse_recipient(recipient), other.recipient()], armor=armor))
    node("decrypt", str(sealed), str(tmp_path / "out"), "-i", identity)
    assert (tmp_path / "out").read_bytes() == DATA


@pytest.mark.parametrize("armor", [False, True])
def test_node_seals_post_quantum_we_open(tmp_path: Path, armor: bool) -> None:
    ours = generate_identity()
    _, theirs = node_keygen()
    plain = tmp_path / "plain"
    plain.write_bytes(DATA)
    sealed = tmp_path / "sealed.age"
    args = ["encrypt", str(plain), str(sealed), "-r", theirs, "-r", str(ours.recipient())]
    node(*args, *(["--armor"] if armor else []))
    with sealed.open("rb") as f:
        assert decrypt(f, [ours]).read() == DATA


def test_passphrase_files_both_ways(tmp_path: Path) -> None:
    phrase = "interop passphrase 1"
    plain = tmp_path / "plain"
    plain.write_bytes(DATA)
    node("encrypt", str(plain), str(tmp_path / "n.age"), env={"AGE_PASSPHRASE": phrase})
    with (tmp_path / "n.age").open("rb") as f:
        assert decrypt(f, [PassphraseIdentity(phrase)]).read() == DATA

    (tmp_path / "p.age").write_bytes(seal(DATA, [PassphraseRecipient(phrase, work_factor=10)]))
    node("decrypt", str(tmp_path / "p.age"), str(tmp_path / "out"), env={"AGE_PASSPHRASE": phrase})
    assert (tmp_path / "out").read_bytes() == DATA


def test_node_rejects_our_tampered_file(tmp_path: Path) -> None:
    identity, recipient = node_keygen()
    sealed = bytearray(seal(DATA, [parse_recipient(recipient)]))
    sealed[-100] ^= 1
    (tmp_path / "bad.age").write_bytes(bytes(sealed))
    with pytest.raises(AssertionError, match="failed"):
        node("decrypt", str(tmp_path / "bad.age"), str(tmp_path / "out"), "-i", identity)
