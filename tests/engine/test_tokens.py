"""Button tokens: short, ASCII, carrying the state revision."""

from __future__ import annotations

from tests.support.steps import full_run


def test_tokens_are_short_ascii_and_carry_the_revision() -> None:
    step = full_run()
    for row in step.prompt.buttons:
        for button in row:
            assert button.token.isascii()
            assert len(button.token.encode()) <= 48
            assert button.token.startswith(f"{step.state.rev}.")
