"""The console channel: what a typed line means."""

from __future__ import annotations

from pathlib import Path

from intake.channel import Button, Command, Location, Press, Prompt, Text
from intake.console import terminal as console


def _prompt() -> Prompt:
    return Prompt(
        text="Q", stage="question", buttons=((Button("7.o.0", "A"), Button("7.skip", "Skip")),)
    )


def test_console_parses_numbers_commands_places_and_files() -> None:
    prompt = _prompt()
    assert console.parse_line("2", prompt) == Press("7.skip")
    assert console.parse_line("3", prompt) == Text("3")  # no third button: it is an answer
    assert console.parse_line("/Cancel", prompt) == Command("cancel")
    assert console.parse_line("geo: 53.9, 27.5", prompt) == Location(53.9, 27.5)
    assert console.parse_line("file:~/x.png", prompt) == Path("~/x.png").expanduser()
    assert console.parse_line("   ", prompt) is None
