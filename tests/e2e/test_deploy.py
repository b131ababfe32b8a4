"""deploy/: the systemd unit verifies and is hardened, alert rules and the dashboard parse and use
only metrics that exist, the container files keep their safety settings."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from intake.ops.metrics import Metrics
from tests.support.paths import ROOT

DEPLOY = ROOT / "deploy"


UNIT = DEPLOY / "witness-intake.service"


METRIC_RE = re.compile(r"\b(intake_[a-z_]+)\b")


MDWE_PROBE = """
import ctypes, mmap, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(65, 1, 0, 0, 0) != 0:  # PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN
    sys.exit(3)
try:
    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    sys.exit("W+X mapping was allowed: the probe proves nothing")
except OSError:
    pass
import asyncio, io, os, tempfile
import aiosqlite, dotenv, httpx, prometheus_client, structlog, telegram.ext
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
X25519PrivateKey.generate().exchange(X25519PrivateKey.generate().public_key())
ChaCha20Poly1305(os.urandom(32)).encrypt(os.urandom(12), b"x" * 100_000, None)
Scrypt(salt=b"s" * 16, length=32, n=2**14, r=8, p=1).derive(b"pw")
HKDF(hashes.SHA256(), 32, None, b"i").derive(b"k")
import crypto
if hasattr(crypto, "encrypt") and hasattr(crypto, "generate_identity"):
    ident = crypto.generate_identity(post_quantum=True)
    buf = io.BytesIO()
    with crypto.encrypt(buf, [ident.recipient()]) as w:
        w.write(b"testimony" * 10_000)
    assert crypto.decrypt(io.BytesIO(buf.getvalue()), [ident]).read() == b"testimony" * 10_000
async def main():
    with tempfile.TemporaryDirectory() as tmp:
        async with aiosqlite.connect(os.path.join(tmp, "db")) as db:
            await db.execute("create table t(x)")
            await db.commit()
    async with httpx.AsyncClient() as client:
        try:
            await client.get("http://127.0.0.1:9/")
        except httpx.HTTPError:
            pass
asyncio.run(main())
print("ok")
"""


def _unit() -> dict[str, list[str]]:
    """``Section.Key`` -> every value (systemd allows repeated keys)."""
    out: dict[str, list[str]] = {}
    section = ""
    for line in UNIT.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        out.setdefault(f"{section}.{key}", []).append(value)
    return out


def test_unit_is_hardened() -> None:
    unit = _unit()
    expected = {
        "User": "witness-intake",
        "ProtectSystem": "strict",
        "ReadWritePaths": "/var/lib/witness-intake",
        "StateDirectory": "witness-intake",
        "NoNewPrivileges": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "ProtectHome": "yes",
        "ProtectKernelTunables": "yes",
        "ProtectKernelModules": "yes",
        "ProtectKernelLogs": "yes",
        "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
        "CapabilityBoundingSet": "",
        "UMask": "0077",
        "MemoryDenyWriteExecute": "yes",
        "EnvironmentFile": "/etc/witness-intake/env",
        "Restart": "on-failure",
        "RestartPreventExitStatus": "2",
        "LimitCORE": "0",
        "MemorySwapMax": "0",
        "LoadCredentialEncrypted": (
            "server.key:/etc/credstore.encrypted/witness-intake-server.key"
        ),
    }
    for key, value in expected.items():
        assert unit.get(f"Service.{key}") == [value], key
    assert "@system-service" in unit["Service.SystemCallFilter"]
    assert "INTAKE_DATA_DIR=/var/lib/witness-intake" in unit["Service.Environment"]


def _verifiable_copy(tmp_path: Path) -> Path:
    # The real ExecStart does not exist on a build machine; verify checks that it is executable.
    text = re.sub(r"(?m)^ExecStart=.*$", "ExecStart=/bin/true", UNIT.read_text())
    copy = tmp_path / UNIT.name
    copy.write_text(text)
    return copy


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_analyze_verify(tmp_path: Path) -> None:
    result = subprocess.run(
        ["systemd-analyze", "verify", str(_verifiable_copy(tmp_path))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_security_exposure_is_low(tmp_path: Path) -> None:
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(_verifiable_copy(tmp_path))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
    if found is None:
        pytest.skip(f"this systemd-analyze cannot assess offline: {result.stderr.strip()[:200]}")
    assert float(found.group(1)) <= 2.0, result.stdout


def test_runtime_needs_no_writable_executable_memory() -> None:
    """MemoryDenyWriteExecute=yes is safe: run the stack under the kernel's equivalent (PR_SET_MDWE,
    Linux ≥ 6.3), which refuses W+X mappings just as systemd's seccomp filter does."""
    result = subprocess.run(
        [sys.executable, "-c", MDWE_PROBE], capture_output=True, text=True, timeout=120
    )
    if result.returncode == 3:
        pytest.skip("kernel without PR_SET_MDWE")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("ok")


def _metrics_in(text: str) -> set[str]:
    return set(METRIC_RE.findall(text))


def test_alert_rules_parse_and_use_existing_metrics() -> None:
    # Written as JSON, which is valid YAML: Prometheus loads it, and no YAML parser is needed here.
    doc = json.loads((DEPLOY / "prometheus" / "alerts.yml").read_text())
    rules = [rule for group in doc["groups"] for rule in group["rules"]]
    assert len(rules) >= 6
    known = Metrics().metric_names()
    used: set[str] = set()
    for rule in rules:
        assert re.fullmatch(r"WitnessIntake[A-Za-z]+", rule["alert"])
        assert re.fullmatch(r"\d+[smh]", rule["for"])
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"]
        assert rule["annotations"]["description"]
        names = _metrics_in(rule["expr"])
        assert names, rule["alert"]
        assert names <= known, (rule["alert"], names - known)
        used |= names
    assert {"intake_up", "intake_telegram_last_ok_timestamp_seconds"} <= used
    assert "alerts.yml" in (DEPLOY / "prometheus" / "prometheus.yml").read_text()


def test_dashboard_parses_and_uses_existing_metrics() -> None:
    dash = json.loads((DEPLOY / "grafana" / "dashboard.json").read_text())
    known = Metrics().metric_names()
    panels = dash["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    used: set[str] = set()
    for panel in panels:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            names = _metrics_in(target["expr"])
            assert names <= known, (panel["title"], names - known)
            used |= names
    base = {n.removesuffix("_total").removesuffix("_bucket") for n in used}
    for family in ("intake_updates", "intake_queue_depth", "intake_handler_latency_seconds"):
        assert family in base


def test_dockerfile_is_non_root_and_checks_health() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in text
    users = re.findall(r"(?m)^USER (\S+)", text)
    assert users
    assert not users[-1].startswith(("root", "0"))
    assert 'VOLUME ["/data"]' in text
    assert "HEALTHCHECK" in text
    assert "/healthz" in text
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    assert next(ln for ln in ignore if ln and not ln.startswith("#")) == "*"
    assert not any(ln.startswith("!") and ".env" in ln for ln in ignore)


def test_compose_keeps_its_safety_settings() -> None:
    text = (DEPLOY / "compose.yaml").read_text()
    bot = text.split("\n  telegram-bot-api:")[0]
    for needle in (
        "read_only: true",
        "cap_drop: [ALL]",
        "no-new-privileges:true",
        "- /tmp:",
        '"127.0.0.1:9464:9464"',
        "core: 0",
        "memswap_limit: 1g",  # = mem_limit: no swap
        "INTAKE_SERVER_KEY_FILE: /run/intake-key/server.key",
        "- /run/witness-intake:/run/intake-key:ro",
    ):
        assert needle in bot, needle
    assert "profiles: [local-bot-api]" in text
    assert "TELEGRAM_API_BASE_URL=http://telegram-bot-api:8081" in text


def _janitor_find() -> str:
    """The janitor's ``find`` command, unfolded from the compose file."""
    text = (DEPLOY / "compose.yaml").read_text()
    block = text.split("  bot-api-janitor:")[1].split("- >-\n")[1].split("\n    volumes:")[0]
    command = " ".join(line.strip() for line in block.splitlines())
    return command.split("do ", 1)[1].split(";", 1)[0]


@pytest.mark.skipif(shutil.which("find") is None, reason="no find(1)")
def test_janitor_deletes_old_media_only(tmp_path: Path) -> None:
    root = tmp_path / "bot-api"
    old, new = 2 * 3600, 10 * 60
    files = {
        "TOKEN/documents/file_0.pdf": (old, False),
        "TOKEN/photos/file_1.jpg": (old, False),
        "TOKEN/videos/file_2.mp4": (new, True),  # younger than an hour: the bot may still read it
        "TOKEN/td.binlog": (old, True),  # the server's own state
        "TOKEN/temp/upload.part": (old, True),  # the server's temp files
        "TOKEN/db/documents/x": (old, True),  # deeper than a media folder
        "stray": (old, True),
    }
    now = time.time()
    for name, (age, _) in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        os.utime(path, (now - age, now - age))
    command = _janitor_find().replace("/var/lib/telegram-bot-api", str(root))
    subprocess.run(["sh", "-c", command], check=True, timeout=30)
    for name, (_, kept) in files.items():
        assert (root / name).exists() == kept, name
