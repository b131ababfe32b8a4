"""The console channel: what a typed line means."""

from __future__ import annotations

import io
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


def test_a_typed_number_is_an_answer_where_a_number_can_be_one() -> None:
    """Issue 11, point 14: "3" at a number question once pressed [3] "Cancel and delete"."""
    buttons = ((Button("7.back", "Back"), Button("7.skip", "Skip")), (Button("7.x", "Cancel"),))
    prompt = Prompt("How many?", "question", buttons, expects="text")
    assert console.parse_line("3", prompt) == Text("3")
    assert console.parse_line("#3", prompt) == Press("7.x")
    assert console.parse_line("/x", prompt) == console.Wipe(quick=True)
    assert console.parse_line("/delete", prompt) == console.Wipe(quick=False)
    out = io.StringIO()
    console.render(prompt, out)
    assert "[#3] Cancel" in out.getvalue()
    chosen = Prompt("Q", "question", ((Button("7.o.0", "Beaten", selected=True),),))
    out = io.StringIO()
    console.render(chosen, out)
    assert "[1] ✓ Beaten" in out.getvalue()
    assert "✓ ✓" not in out.getvalue()
