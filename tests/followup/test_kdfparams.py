"""The data dir's follow-up salt and parameters: made once, then kept whatever is configured."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crypto.followup import Argon2Params
from intake.followup.kdfparams import PARAMS_NAME, FollowupParamsError, load_params, read_params

LOW = Argon2Params(memory_kib=64, iterations=1, lanes=1)


def test_made_once_with_a_random_salt_then_kept(tmp_path: Path) -> None:
    tmp_path.chmod(0o700)
    first, warnings = load_params(tmp_path, LOW)
    assert len(first.salt) == 16
    assert first.argon2 == LOW
    assert any("below the production" in w for w in warnings)
    assert os.stat(tmp_path / PARAMS_NAME).st_mode & 0o077 == 0
    again, warnings = load_params(tmp_path, Argon2Params())
    assert again == first  # a changed configuration never changes the codes given out
    assert any("those are kept" in w for w in warnings)
    other = tmp_path / "other"
    other.mkdir(mode=0o700)
    assert load_params(other, LOW)[0].salt != first.salt


def test_a_broken_file_is_named(tmp_path: Path) -> None:
    tmp_path.chmod(0o700)
    path = tmp_path / PARAMS_NAME
    path.write_text('{"format": "witness-intake/followup-params/v1", "salt": "00"}')
    path.chmod(0o600)
    with pytest.raises(FollowupParamsError, match=PARAMS_NAME):
        read_params(tmp_path)
