"""pytest fixtures shared by the bot test modules (import them into a module to use them)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import crypto
from fakebot.inject import FakeBotApi
from intake.questionnaire import Questionnaire, load

SAMPLE = Path(__file__).parent.parent / "questionnaires" / "sample.toml"


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    """A started fake Bot API server."""
    server = FakeBotApi()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def identity() -> Any:
    """A classic X25519 staff identity: Debian's age 1.1.1 can open what is sealed to it."""
    return crypto.generate_identity(post_quantum=False)


@pytest.fixture
def sample() -> Questionnaire:
    """The small questionnaire with every question type and branch kind."""
    return load(SAMPLE)
