"""Follow-up keys: everything a witness's follow-up code stands for, derived and never stored.

A small recipe, like :mod:`crypto.sealbox`: one memory-hard step, then HKDF with distinct labels,
no algorithm choices, one exception type (:class:`FollowupKeyError`).

1. ``master = Argon2id(code, salt, memory, iterations, lanes)`` — RFC 9106, from pyca; the salt
   is the deployment's (random, not secret), so one guess costs a full derivation per deployment
   and no work can be shared between two deployments.
2. ``HKDF-SHA-256(master, salt = none, info = label)`` for each key:

   * ``witness-intake/followup/mailbox-tag/v1`` → 32 bytes: what the server files replies under;
   * ``witness-intake/followup/case-link/v1`` → 16 bytes: what links an addition to its testimony
     (staff side only: it is sealed inside submissions, never on the server in clear);
   * ``witness-intake/followup/identity/v1`` → 32 bytes: the seed of the witness's post-quantum
     age identity (:class:`~crypto.hybrid.HybridIdentity`, ML-KEM-768 + X25519), whose public
     recipient is sealed inside the testimony so staff can seal replies to it.

The labels make the three keys independent: knowing a tag (the server holds it while a reply
waits) tells nothing of the case link or the identity. Memory use is the caller's to bound: each
derivation holds ``memory_kib`` KiB for about a second (the GIL is released meanwhile).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crypto.errors import AgeError
from crypto.hybrid import HybridIdentity, HybridRecipient

SALT_SIZE = 16
TAG_SIZE = 32
CASE_LINK_SIZE = 16
MASTER_SIZE = 32
_TAG_LABEL = b"witness-intake/followup/mailbox-tag/v1"
_CASE_LABEL = b"witness-intake/followup/case-link/v1"
_IDENTITY_LABEL = b"witness-intake/followup/identity/v1"

#: The production parameters (docs/threat-model.md, "Follow-up codes"): 256 MiB, 3 passes, 1 lane.
PRODUCTION_MEMORY_KIB = 256 * 1024
PRODUCTION_ITERATIONS = 3
PRODUCTION_LANES = 1


class FollowupKeyError(AgeError):
    """The follow-up keys could not be derived: bad parameters, or no Argon2id in this OpenSSL."""


@dataclass(frozen=True, slots=True)
class Argon2Params:
    """Argon2id parameters. Every one of them changes the keys: they are fixed per deployment."""

    memory_kib: int = PRODUCTION_MEMORY_KIB
    iterations: int = PRODUCTION_ITERATIONS
    lanes: int = PRODUCTION_LANES

    def __post_init__(self) -> None:
        if self.lanes < 1 or self.iterations < 1 or self.memory_kib < 8 * self.lanes:
            raise FollowupKeyError(
                f"Argon2id parameters out of range: memory {self.memory_kib} KiB, "
                f"{self.iterations} iterations, {self.lanes} lanes"
            )

    @property
    def below_production(self) -> bool:
        """True if any parameter is weaker than the production ones (for tests only)."""
        return self.memory_kib < PRODUCTION_MEMORY_KIB or self.iterations < PRODUCTION_ITERATIONS

    def describe(self) -> str:
        """``Argon2id 256 MiB, t=3, p=1`` (what status screens and docs say)."""
        size = (
            f"{self.memory_kib // 1024} MiB"
            if self.memory_kib % 1024 == 0
            else f"{self.memory_kib} KiB"
        )
        return f"Argon2id {size}, t={self.iterations}, p={self.lanes}"


@dataclass(frozen=True, slots=True)
class FollowupKeys:
    """What one code stands for. ``identity`` holds the secret seed: memory only."""

    mailbox_tag: bytes = field(repr=False)
    case_link: bytes = field(repr=False)
    identity: HybridIdentity = field(repr=False)

    @property
    def recipient(self) -> HybridRecipient:
        """The witness's public age recipient (``age1pq1…``): staff seal replies to it."""
        return self.identity.recipient()


def derive_followup_keys(code: bytes, salt: bytes, params: Argon2Params) -> FollowupKeys:
    """The keys of ``code`` (its digits, ASCII) at this deployment's ``salt`` and ``params``.

    Blocking and memory-hard (``params.memory_kib`` KiB for the call): run it in a worker thread,
    under the caller's bound on concurrent derivations.
    """
    if len(salt) != SALT_SIZE:
        raise FollowupKeyError(f"the follow-up salt must be {SALT_SIZE} bytes, not {len(salt)}")
    if not code:
        raise FollowupKeyError("an empty follow-up code")
    try:
        kdf = Argon2id(
            salt=salt,
            length=MASTER_SIZE,
            iterations=params.iterations,
            lanes=params.lanes,
            memory_cost=params.memory_kib,
        )
        master = kdf.derive(code)
    except (ValueError, UnsupportedAlgorithm, MemoryError) as exc:
        raise FollowupKeyError(f"Argon2id failed ({type(exc).__name__})") from None
    return FollowupKeys(
        mailbox_tag=_expand(master, _TAG_LABEL, TAG_SIZE),
        case_link=_expand(master, _CASE_LABEL, CASE_LINK_SIZE),
        identity=HybridIdentity(_expand(master, _IDENTITY_LABEL, 32)),
    )


def _expand(master: bytes, label: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=label).derive(master)
