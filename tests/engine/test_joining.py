"""One answer in several messages (issue 11, point 3): joined, or held and asked, or read."""

from __future__ import annotations

from intake.channel import AttachmentRef, Media, Press, Text
from intake.engine import Step, apply, start
from intake.engine import tokens as tk
from intake.questionnaire import Questionnaire, loads
from tests.support.steps import TODAY

TWO_TEXTS = """
id = "two"
version = 1
languages = ["en"]
default_language = "en"
[consent]
text.en = "c"
accept.en = "Yes"
decline.en = "No"
[[questions]]
id = "details"
type = "long_text"
max_length = 60
prompt.en = "What do you remember about them?"
[[questions]]
id = "held"
type = "text"
prompt.en = "Where were you held?"
"""


def at_second(q: Questionnaire, first: str, at: float) -> Step:
    step = start(q, None)
    step = apply(q, step.state, Press(tk.make(step.state.rev, tk.ACCEPT)), today=TODAY)
    return apply(q, step.state, Text(first, at=at), today=TODAY)


def test_a_message_sent_before_the_next_question_showed_joins_the_answer() -> None:
    q = loads(TWO_TEXTS)
    step = at_second(q, "Black uniforms, balaclavas.", 100.0)
    step = apply(q, step.state, Text("A grey minibus.", at=100.0, unseen=True), today=TODAY)
    assert step.state.answers["details"] == "Black uniforms, balaclavas.\nA grey minibus."
    assert step.state.cursor == "held"
    assert step.prompt.notice == "Added to your answer to “What do you remember about them”."


def test_a_message_soon_after_is_held_and_the_witness_decides() -> None:
    q = loads(TWO_TEXTS)
    step = at_second(q, "Black uniforms.", 100.0)
    held = apply(q, step.state, Text("Akrestsina", at=110.0), today=TODAY)
    assert held.state.held == "Akrestsina"
    assert "or the answer to the question above?" in held.prompt.text
    here = [b.token for r in held.prompt.buttons for b in r if "answers the question" in b.label]
    done = apply(q, held.state, Press(here[0]), today=TODAY)
    assert done.state.answers == {"details": "Black uniforms.", "held": "Akrestsina"}
    # too long together: said so, nothing changed
    join = [b.token for r in held.prompt.buttons for b in r if "previous answer" in b.label]
    long = apply(q, held.state, Text("x" * 55, at=111.0), today=TODAY)
    assert long.state.held == "Akrestsina\n" + "x" * 55
    refused = apply(
        q,
        long.state,
        Press(join[0].replace(f"{held.state.rev}.", f"{long.state.rev}.")),
        today=TODAY,
    )
    assert refused.outcome == "rejected"
    assert "too long" in (refused.prompt.notice or "")


def test_a_message_long_after_is_simply_the_answer() -> None:
    q = loads(TWO_TEXTS)
    step = at_second(q, "Black uniforms.", 100.0)
    late = apply(q, step.state, Text("Akrestsina", at=200.0), today=TODAY)
    assert late.state.answers["held"] == "Akrestsina"
    assert late.state.held is None


# --- a held message is never swallowed by what the witness does next (issue 11, point 3) ------

TEXT_NUMBER_MEDIA = """
id = "tnm"
version = 1
languages = ["en"]
default_language = "en"
[consent]
text.en = "c"
accept.en = "Yes"
decline.en = "No"
[[questions]]
id = "place"
type = "text"
prompt.en = "Where were you held?"
[[questions]]
id = "people"
type = "number"
prompt.en = "How many people were with you?"
[[questions]]
id = "photos"
type = "media"
max_files = 2
prompt.en = "Photos?"
"""


def labels(step: Step) -> list[str]:
    return [b.label for row in step.prompt.buttons for b in row]


def pressed(q: Questionnaire, step: Step, label: str) -> Step:
    (tok,) = [b.token for row in step.prompt.buttons for b in row if label in b.label]
    return apply(q, step.state, Press(tok), today=TODAY)


def test_more_typing_while_a_message_is_held_is_asked_about_with_it() -> None:
    q = loads(TWO_TEXTS)
    step = at_second(q, "Black uniforms.", 100.0)
    held = apply(q, step.state, Text("Akrestsina", at=110.0), today=TODAY)
    later = apply(q, held.state, Text("Okrestina street, cell 8", at=200.0), today=TODAY)
    assert later.state.held == "Akrestsina\nOkrestina street, cell 8"  # not read as the answer
    assert "held" not in later.state.answers
    done = pressed(q, later, "answers the question")
    assert done.state.answers["held"] == "Akrestsina\nOkrestina street, cell 8"


def test_while_a_message_is_held_skip_and_back_wait_for_the_witness_to_place_it() -> None:
    q = loads(TWO_TEXTS)
    step = at_second(q, "Black uniforms.", 100.0)
    held = apply(q, step.state, Text("Akrestsina", at=110.0), today=TODAY)
    assert not {"Back", "Skip"} & set(labels(held))  # only where it goes, or cancel
    for action in (tk.SKIP, tk.BACK):
        refused = apply(q, held.state, Press(tk.make(held.state.rev, action)), today=TODAY)
        assert refused.outcome == "rejected"
        assert refused.state == held.state
        assert "where your message goes" in (refused.prompt.notice or "")


def test_answering_the_question_instead_joins_the_held_message_where_it_was_offered() -> None:
    q = loads(TEXT_NUMBER_MEDIA)
    step = at_second(q, "Akrestsina", 100.0)
    held = apply(q, step.state, Text("near the metro", at=105.0), today=TODAY)
    assert held.state.held_mode == "join_only"  # cannot be a number
    number = apply(q, held.state, Text("5", at=110.0), today=TODAY)
    assert number.state.answers == {"place": "Akrestsina\nnear the metro", "people": 5}
    assert number.state.held is None
    assert number.prompt.notice == "Added to your answer to “Where were you held”."


def test_a_file_sent_while_a_message_is_held_keeps_both() -> None:
    q = loads(
        TEXT_NUMBER_MEDIA.replace('id = "people"\ntype = "number"', 'id = "people"\ntype = "text"')
    )
    step = at_second(q, "Akrestsina", 100.0)
    step = apply(q, step.state, Text("3", at=150.0), today=TODAY)  # people, typed: now at photos
    assert step.state.cursor == "photos"
    held = apply(q, step.state, Text("one more thing", at=155.0), today=TODAY)
    assert held.state.held == "one more thing"
    photo = Media(AttachmentRef("att0", "p.jpg", "image/jpeg", 10, "0" * 64))
    sent = apply(q, held.state, photo, today=TODAY)
    assert sent.state.uploads == ("att0",)
    assert sent.state.held == "one more thing"  # still asked, not dropped
    assert "one more thing" in sent.prompt.text
    joined = pressed(q, sent, "previous answer")
    assert joined.state.answers["people"] == "3\none more thing"
    assert joined.state.uploads == ("att0",)


NO_SHORT = """
id = "no-short"
version = 1
languages = ["en", "ru"]
default_language = "en"
[consent]
text.en = "c"
text.ru = "c"
accept.en = "Yes"
accept.ru = "Да"
decline.en = "No"
decline.ru = "Нет"
[[questions]]
id = "held"
type = "text"
prompt.en = "Where were you held?"
prompt.ru = "Где вас держали?"
[[questions]]
id = "when"
type = "date"
prompt.en = "When were you detained?"
prompt.ru = "Когда вас задержали?"
[[questions]]
id = "who"
type = "text"
prompt.en = "Who was there:"
prompt.ru = "Кто там был…"
"""


def test_a_question_without_a_short_label_is_named_without_its_question_mark() -> None:
    q = loads(NO_SHORT)
    step = start(q, "ru")
    step = apply(q, step.state, Press(tk.make(step.state.rev, tk.LANGUAGE, "ru")), today=TODAY)
    step = apply(q, step.state, Press(tk.make(step.state.rev, tk.ACCEPT)), today=TODAY)
    step = apply(q, step.state, Text("Окрестина", at=100.0), today=TODAY)
    held = apply(q, step.state, Text("и потом Жодино", at=130.0), today=TODAY)  # not a date
    assert "к ответу на вопрос «Где вас держали»?" in held.prompt.text
    assert "?»" not in held.prompt.text
    unseen = apply(q, step.state, Text("камера 12", at=100.0, unseen=True), today=TODAY)
    assert unseen.prompt.notice == "Добавлено к ответу на вопрос «Где вас держали»."
    step = apply(q, unseen.state, Text("10.08.2020", at=140.0), today=TODAY)
    step = apply(q, step.state, Text("соседи", at=150.0), today=TODAY)
    assert step.prompt.stage == "review"
    lines = step.prompt.text.splitlines()
    assert "1. Где вас держали: Окрестина" in lines
    assert any(line.startswith("2. Когда вас задержали: 10") for line in lines), lines
    assert "3. Кто там был: соседи" in lines
    assert "?:" not in step.prompt.text


def test_a_short_label_is_used_as_written() -> None:
    q = loads(
        NO_SHORT.replace(
            'prompt.ru = "Где вас держали?"',
            'prompt.ru = "Где вас держали?"\nshort.en = "Place?"\nshort.ru = "Место?"',
        )
    )
    step = start(q, "en")
    step = apply(q, step.state, Press(tk.make(step.state.rev, tk.LANGUAGE, "en")), today=TODAY)
    step = apply(q, step.state, Press(tk.make(step.state.rev, tk.ACCEPT)), today=TODAY)
    step = apply(q, step.state, Text("Okrestina", at=100.0), today=TODAY)
    unseen = apply(q, step.state, Text("cell 12", at=100.0, unseen=True), today=TODAY)
    assert unseen.prompt.notice == "Added to your answer to “Place?”."
