"""Prompts as Telegram messages: split at 4096 characters, notice first, keyboard last."""

from __future__ import annotations

from bot.markup import MAX_TEXT, render, split_text
from bot.texts import BotTexts
from intake.channel import Button, Prompt
from intake.questionnaire import load_default

TEXTS = BotTexts(load_default())  # the bot's own lines, through the default questionnaire


def test_long_prompt_is_split_with_notice_first_and_keyboard_last() -> None:
    body = "\n".join(f"{n}. answer {'x' * 90}" for n in range(200))  # ~20 000 characters
    prompt = Prompt(
        text=body,
        stage="review",
        buttons=((Button("1.sub", "Send"),), (Button("1.e.0", "Edit 1", selected=True),)),
        notice="Please check.",
    )
    chunks = render(prompt, TEXTS)
    assert len(chunks) > 4
    assert all(0 < len(c.text) <= MAX_TEXT for c in chunks)
    assert chunks[0].text.startswith("Please check.")
    assert all(c.markup is None for c in chunks[:-1])
    last = chunks[-1].markup
    assert last is not None
    assert [[b.callback_data for b in row] for row in last.inline_keyboard] == [
        ["1.sub"],
        ["1.e.0"],
    ]
    assert "".join(c.text for c in chunks).count("answer") == 200  # nothing lost at the cuts


def test_split_without_breaks_cuts_hard() -> None:
    pieces = split_text("y" * 10_000)
    assert [len(p) for p in pieces] == [4096, 4096, 1808]


def test_media_prompt_carries_the_send_as_file_hint() -> None:
    prompt = Prompt(text="Photos?", stage="question", expects="media", language="ru")
    assert "как файл" in render(prompt, TEXTS)[0].text


def test_the_media_tip_comes_before_the_question_and_not_under_keep_or_discard() -> None:
    from intake.engine import tokens
    from tests.support.steps import SAMPLE, at_question, file, press, send

    tip = BotTexts(SAMPLE)("telegram.media_hint", "en")
    asked = at_question("files")
    (first,) = render(asked.prompt, BotTexts(SAMPLE))
    assert first.text.index(tip) < first.text.index("Photos or documents?")
    assert first.text.endswith(asked.prompt.text)  # what is asked stays the last line
    confirm = press(send(send(asked, file(0)), file(1)), "Skip")
    assert any(
        tokens.parse(b.token).action == tokens.SAVE for r in confirm.prompt.buttons for b in r
    )  # type: ignore[union-attr]
    (chunk,) = render(confirm.prompt, BotTexts(SAMPLE))
    assert chunk.text.endswith("Keep them, or discard them and skip the question?")
    assert tip not in chunk.text
