"""Fixtures shared across the parts: the staff identity, the questionnaires, a store, a service,
a settable clock and the fake Bot API. Part-level ``conftest.py`` files hold the rest."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

import crypto
from intake.offline import keygen
from intake.questionnaire import Questionnaire, load, load_default
from intake.service import IntakeService
from intake.store import Store
from tests.support.clock import Clock
from tests.support.fakebot import FakeBotApi
from tests.support.paths import QUESTIONNAIRES, SAMPLE_TOML
from tests.support.sealing import write_identity


@pytest.fixture(scope="module")
def staff() -> crypto.Identity:
    """A classic X25519 staff identity: Debian's age 1.1.1 can open what is sealed to it."""
    return crypto.generate_identity(post_quantum=False)


@pytest.fixture
def staff_key(tmp_path: Path, staff: crypto.Identity) -> Path:
    """``staff`` as a plain age-keygen style identity file."""
    return write_identity(tmp_path / "staff.key", staff)


@pytest.fixture(scope="session")
def sample() -> Questionnaire:
    """The small questionnaire with every question type and branch kind (en, ru)."""
    return load(SAMPLE_TOML)


@pytest.fixture(scope="session")
def questionnaire() -> Questionnaire:
    """The bundled default questionnaire."""
    return load_default()


@pytest.fixture(scope="session")
def every_type() -> Questionnaire:
    """A questionnaire nobody here wrote the code for: every type, nested branches (en, ru)."""
    return load(QUESTIONNAIRES / "qa_every_type.toml")


@pytest.fixture(scope="session")
def be_only() -> Questionnaire:
    """A questionnaire in Belarusian only, with a date question."""
    return load(QUESTIONNAIRES / "qa_be_only.toml")


@pytest.fixture
def clock() -> Clock:
    """A settable clock for the store, the service and ops."""
    return Clock()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """A fresh store on real SQLite files in ``tmp_path / "data"``."""
    opened = await Store.open(tmp_path / "data")
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def service(store: Store, staff: crypto.Identity) -> Callable[[Questionnaire], IntakeService]:
    """Make an :class:`IntakeService` for a questionnaire on ``store``, sealing to ``staff``."""
    return lambda q: IntakeService(store, q, [staff.recipient()])


@pytest.fixture
def svc(
    service: Callable[[Questionnaire], IntakeService], every_type: Questionnaire
) -> IntakeService:
    """The service most QA tests talk to: ``every_type`` on a fresh store."""
    return service(every_type)


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    """A started fake Bot API server on a free loopback port."""
    server = FakeBotApi()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Staff key files sealed with a low scrypt work factor (the default is deliberately slow)."""
    monkeypatch.setattr(keygen, "WORK_FACTOR", 10)
