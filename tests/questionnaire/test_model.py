"""The loaded model: its one-line summary reads naturally."""

from __future__ import annotations

from intake.questionnaire import loads
from tests.support.questionnaires import MINIMAL as BASE


def test_summary_counts_read_naturally_for_one() -> None:
    text = BASE + '[[questions]]\nid = "q"\ntype = "text"\nprompt.en = "q"\n'
    assert loads(text, "x.toml").summary() == "t v1: 1 question, 1 language (en), 0 branches"
