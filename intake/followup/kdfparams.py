"""The deployment's follow-up salt and Argon2id parameters (``<data>/followup-params.json``).

Every code given out is derived with these; changing any of them would silently turn every code
into a wrong one. So the file is written once, when the first server starts on a data dir (with
the parameters configured then: production defaults unless set), and from then on it wins over
the configuration — a configuration that asks for others gets a warning, never a change. The file
is not secret (a salt and three numbers), belongs in backups with the data dir, and says nothing
of anyone.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from crypto.followup import SALT_SIZE, Argon2Params, FollowupKeyError
from intake.store.datadir import check_private_file, write_new_file
from intake.submission import strictjson

PARAMS_NAME = "followup-params.json"
PARAMS_FORMAT = "witness-intake/followup-params/v1"
MAX_BYTES = 4096


class FollowupParamsError(ValueError):
    """``followup-params.json`` is unreadable or malformed; the message says which file, field."""


@dataclass(frozen=True, slots=True)
class FollowupParams:
    """The salt and Argon2id parameters every follow-up code of this data dir is derived with."""

    salt: bytes
    argon2: Argon2Params

    def to_bytes(self) -> bytes:
        """The file's content."""
        body = {
            "format": PARAMS_FORMAT,
            "salt": self.salt.hex(),
            "argon2id": {
                "memory_kib": self.argon2.memory_kib,
                "iterations": self.argon2.iterations,
                "lanes": self.argon2.lanes,
            },
        }
        return (json.dumps(body, indent=2) + "\n").encode()


def read_params(data_dir: Path) -> FollowupParams | None:
    """The data dir's parameters, or None if it has none yet."""
    path = Path(data_dir) / PARAMS_NAME
    if not path.exists():
        return None
    check_private_file(path)
    with path.open("rb") as f:
        raw = f.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise FollowupParamsError(f"{path}: larger than {MAX_BYTES} bytes")
    try:
        doc = strictjson.loads(raw)
        if doc.get("format") != PARAMS_FORMAT:
            raise FollowupParamsError(f"{path}: format is not {PARAMS_FORMAT!r}")
        salt = bytes.fromhex(doc["salt"])
        a = doc["argon2id"]
        argon2 = Argon2Params(int(a["memory_kib"]), int(a["iterations"]), int(a["lanes"]))
    except FollowupParamsError:
        raise
    except (strictjson.StrictJSONError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise FollowupParamsError(f"{path}: not a follow-up parameter file ({exc})") from None
    except FollowupKeyError as exc:
        raise FollowupParamsError(f"{path}: {exc}") from None
    if len(salt) != SALT_SIZE:
        raise FollowupParamsError(f"{path}: the salt is not {SALT_SIZE} bytes")
    return FollowupParams(salt, argon2)


def load_params(data_dir: Path, wanted: Argon2Params) -> tuple[FollowupParams, list[str]]:
    """The data dir's parameters, made from ``wanted`` and a fresh salt on first use; with the
    warnings an operator must read (asked for other parameters; weaker than production)."""
    found = read_params(data_dir)
    if found is None:
        write_new_file(
            Path(data_dir) / PARAMS_NAME, FollowupParams(os.urandom(SALT_SIZE), wanted).to_bytes()
        )
        found = read_params(data_dir)
        assert found is not None
    return found, param_warnings(found, wanted)


def param_warnings(found: FollowupParams, wanted: Argon2Params | None) -> list[str]:
    """What is worth telling an operator about the parameters in use."""
    out = []
    if wanted is not None and wanted != found.argon2:
        out.append(
            f"the configuration asks for {wanted.describe()} for follow-up codes, but this data "
            f"dir's codes are derived with {found.argon2.describe()} ({PARAMS_NAME}); those are "
            "kept: changing them would make every code already given out a wrong one"
        )
    if found.argon2.below_production:
        out.append(
            f"follow-up codes are derived with {found.argon2.describe()}, below the production "
            f"parameters ({Argon2Params().describe()}): guessing a code from a seized disk is "
            "that much cheaper. Meant for tests only: start production on a fresh data dir"
        )
    return out
