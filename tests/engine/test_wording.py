"""What the witness is told before anything is lost, in every language (issue 11, points 5, 6)."""

from __future__ import annotations

import pytest

from intake.channel import Command, Media, Press, Text
from intake.engine import apply, start, with_draft_time
from intake.engine import tokens as tk
from intake.questionnaire import load_default
from tests.support.steps import TODAY, ref

DEFAULT = load_default()


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "for 24 hours at most"),
        ("be", "не больш за 24 гадзіны"),
        ("ru", "максимум 24 часа"),
        ("uk", "щонайбільше 24 години"),
    ],
)
def test_the_consent_says_how_long_a_draft_is_kept(lang: str, said: str) -> None:
    q = with_draft_time(DEFAULT, 24 * 3600)
    assert said in q.consent.text[lang]
    assert "{draft_time}" not in q.consent.text[lang]
    assert "phone number" in q.consent.text["en"]  # Telegram keeps messages with the account


@pytest.mark.parametrize(
    ("lang", "asked"),
    [
        ("en", "Delete everything? This deletes 2 answers and 1 file, and clears this chat."),
        ("be", "Выдаліць усё? Будзе выдалена: 2 адказы і 1 файл, а гэты чат ачысціцца."),
        ("ru", "Удалить всё? Будет удалено: 2 ответа и 1 файл, а этот чат очистится."),
        ("uk", "Видалити все? Буде видалено: 2 відповіді та 1 файл, а цей чат очиститься."),
    ],
)
def test_cancel_asks_and_says_what_would_be_deleted(lang: str, asked: str) -> None:
    q = DEFAULT
    step = start(q, lang)
    for token in (tk.make(0, tk.LANGUAGE, lang), tk.make(1, tk.ACCEPT)):
        step = apply(q, step.state, Press(token), today=TODAY)
    step = apply(q, step.state, Press(tk.make(step.state.rev, tk.OPTION, 0)), today=TODAY)
    step = apply(q, step.state, Text("story"), today=TODAY)
    for _ in range(20):  # to the evidence question, skipping
        if step.prompt.question_id == "evidence":
            break
        step = apply(q, step.state, Command("skip"), today=TODAY)
    step = apply(q, step.state, Media(ref(1)), today=TODAY)
    confirm = apply(q, step.state, Command("cancel"), today=TODAY)
    assert confirm.outcome == "continue"
    assert confirm.prompt.text.startswith(asked)
