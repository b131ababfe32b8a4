"""The draft state as JSON: round trip, and refusal of what it cannot be."""

from __future__ import annotations

import json

import pytest

from intake.channel import Command
from intake.engine import DraftFormatError, DraftState, resume
from tests.support.steps import SAMPLE, full_run, send


def test_draft_json_round_trip_and_rejection() -> None:
    step = send(full_run(), Command("back"))
    data = json.loads(json.dumps(step.state.to_json()))
    assert DraftState.from_json(data) == step.state
    assert resume(SAMPLE, DraftState.from_json(data)) == step.prompt
    with pytest.raises(DraftFormatError, match="format"):
        DraftState.from_json({**data, "format": "other"})
    with pytest.raises(DraftFormatError, match="rev"):
        DraftState.from_json({**data, "rev": "1"})
