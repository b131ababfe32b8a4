"""Fixtures for the command tests: a server data dir holding one real sealed submission."""

from __future__ import annotations

from pathlib import Path

import pytest

import crypto
from intake.questionnaire import load
from intake.service import IntakeService
from intake.store import Store
from tests.support.channels import scripted
from tests.support.paths import QUESTIONNAIRES


@pytest.fixture
async def server(tmp_path: Path, staff: crypto.Identity) -> Path:
    """A server data dir holding one sealed submission (played through the real service)."""
    data = tmp_path / "data"
    store = await Store.open(data)
    try:
        q = load(QUESTIONNAIRES / "qa_tiny.toml")
        player = scripted(IntakeService(store, q, [staff.recipient()]), {"only": "hello"}, "en")
        assert (await player.submit()).outcome == "submit"
    finally:
        await store.close()
    return data
