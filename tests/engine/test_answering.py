"""Answering a question: validation messages, dates asked back, numbers, places, files, choices."""

from __future__ import annotations

from intake.channel import AttachmentRef, Command, Location, Media, Press, Text
from intake.engine import start
from intake.questionnaire import loads
from tests.support.steps import (
    at_first_question,
    at_question,
    file,
    full_run,
    press,
    ref,
    send,
    token,
)


def test_validation_messages() -> None:
    step = press(at_first_question(), "Yes")
    assert "could not read" in (send(step, Text("someday")).prompt.notice or "")
    assert "future" in (send(step, Text("01.01.2031")).prompt.notice or "")
    step = send(step, Text("2020"))
    notice = send(step, Text("x" * 50)).prompt.notice or ""
    assert "50" in notice
    assert "40" in notice
    assert "empty" in (send(step, Text("   ")).prompt.notice or "")


def test_ambiguous_date_asks_back() -> None:
    step = press(at_first_question(), "Yes")
    asked = send(step, Text("03/04/2020"))
    assert asked.outcome == "continue"
    assert "3 April 2020 or 4 March 2020" in asked.prompt.text
    chosen = press(asked, "4 March 2020")
    assert chosen.state.answers["when_detained"] == "2020-03-04"


def test_number_bounds() -> None:
    step = press(press(at_first_question(), "Skip"), "A witness")
    assert step.prompt.question_id == "people"
    assert "from 0 to 500" in step.prompt.text
    assert "at most 500" in (send(step, Text("600")).prompt.notice or "")
    assert "at least 0" in (send(step, Text("-1")).prompt.notice or "")
    assert "number" in (send(step, Text("many")).prompt.notice or "")
    assert send(step, Text("2,5")).state.answers["people"] == 2.5


def test_location_event_or_text() -> None:
    step = at_question("where")
    assert step.prompt.expects == "location"
    shared = send(step, Location(53.9, 27.56))
    assert shared.state.answers["where"] == {"latitude": 53.9, "longitude": 27.56}
    assert send(step, Location(95.0, 0.0)).outcome == "rejected"
    assert send(at_first_question(), Location(1.0, 1.0)).outcome == "rejected"


def test_media_limits_and_hints() -> None:
    step = at_question("files")
    assert step.prompt.expects == "media"
    assert "send a photo" in (send(step, Text("hello")).prompt.notice or "")
    assert send(step, Command("submit")).outcome == "rejected"
    for n in range(3):
        step = send(step, file(n))
    assert "3. photo2.jpg — 102 bytes" in step.prompt.text  # every file, listed
    assert "at most 3" in (send(step, file(9)).prompt.notice or "")
    assert send(step, file(0)).outcome == "rejected"  # the same file twice
    done = press(step, "Done")
    assert done.state.answers["files"] == ["att0", "att1", "att2"]
    assert send(at_first_question(), file(5)).outcome == "rejected"


def test_multi_choice_toggles_and_requires_a_choice() -> None:
    step = send(press(at_first_question(), "Yes"), Text("2020"))
    step = send(step, Text("a cell"))
    assert step.prompt.question_id == "treatment"
    assert send(step, Press(token(step, "Done"))).outcome == "rejected"
    on = press(step, "Beaten")
    assert on.prompt.buttons[0][0].label == "Beaten"  # the channel marks it
    assert on.prompt.buttons[0][0].selected
    off = press(on, "Beaten")
    assert off.state.selection == ()


# --- leaving a question with unfinished input (issue 11, point 4: never discard without saying) --


def test_back_keeps_files_sent_without_done_and_shows_them_on_return() -> None:
    step = send(send(at_question("files"), file(0)), file(1))
    back = press(step, "Back")
    assert back.prompt.question_id == "where"
    assert back.state.answers["files"] == ["att0", "att1"]
    assert back.prompt.notice == "Saved as your answer to “Photos or documents”: 2 files."
    again = press(back, "Skip")  # forward again: the files are listed, to remove or confirm
    assert again.prompt.question_id == "files"
    assert "1. photo0.jpg — 100 bytes" in again.prompt.text
    assert "2. photo1.jpg — 101 bytes" in again.prompt.text
    assert press(again, "Done").state.answers["files"] == ["att0", "att1"]


def test_back_keeps_options_ticked_without_done() -> None:
    step = send(send(press(at_first_question(), "Yes"), Text("2020")), Text("a cell"))
    ticked = press(press(step, "Beaten"), "Threatened")
    back = send(ticked, Command("back"))
    assert back.prompt.question_id == "place_held"
    assert back.state.answers["treatment"] == ["beaten", "threatened"]
    assert "Beaten, Threatened" in (back.prompt.notice or "")
    returned = send(back, Text("a cell"))
    assert returned.prompt.question_id == "treatment"
    assert [b.label for r in returned.prompt.buttons for b in r if b.selected] == [
        "Beaten",
        "Threatened",
    ]


def test_back_to_review_keeps_what_the_edit_shows() -> None:
    listed = press(press(full_run(), "✏️ Change an answer"), "Later ›")
    editing = press(press(listed, "9. Photos or documents"), "✕ 1")
    review = press(editing, "Back to review")
    assert review.prompt.stage == "review"
    assert review.state.answers["files"] == ["att2"]
    assert "9. Photos or documents: 1 file" in review.prompt.text
    assert review.prompt.notice == "Saved as your answer to “Photos or documents”: 1 file."


def test_unticking_everything_then_leaving_skips_the_question_and_says_so() -> None:
    editing = press(full_run(), "Edit 4")  # treatment: Beaten, Threatened
    cleared = press(press(editing, "Beaten"), "Threatened")
    review = send(cleared, Command("review"))
    assert review.prompt.stage == "review"
    assert review.state.answers["treatment"] is None
    assert "injuries" not in review.state.answers  # its branch closed, as after Skip
    assert "now skipped" in (review.prompt.notice or "")


def test_back_with_nothing_pending_changes_nothing() -> None:
    step = press(at_question("files"), "Back")
    assert "files" not in step.state.answers
    assert step.prompt.notice is None


def test_files_pending_survive_a_language_change() -> None:
    step = send(at_question("files"), file(0))
    chooser = send(step, Command("language"))
    back = press(chooser, "Русский")
    assert back.state.uploads == ("att0",)
    assert "photo0.jpg" in back.prompt.text


def test_back_keeps_a_voice_message_sent_without_done() -> None:
    step = send(send(press(at_first_question(), "Yes"), Text("2020")), Text("a cell"))
    step = send(press(press(step, "Beaten"), "Done"), Media(ref(1, "audio/ogg")))
    assert step.prompt.question_id == "injuries"
    back = press(step, "Back")
    assert back.prompt.question_id == "treatment"
    assert back.state.answers["injuries"] == ""
    assert back.state.details["injuries"] == {"files": ["att1"]}
    assert (back.prompt.notice or "").startswith("Saved as your answer to ")


REQUIRED_MEDIA = """
id = "req"
version = 1
languages = ["en"]
default_language = "en"
[consent]
text.en = "c"
accept.en = "Yes"
decline.en = "No"
[[questions]]
id = "name"
type = "text"
prompt.en = "Your town?"
[[questions]]
id = "photos"
type = "media"
required = true
max_files = 3
prompt.en = "Photos?"
"""


def test_emptying_a_required_answer_then_leaving_leaves_it_to_be_asked_again() -> None:
    q = loads(REQUIRED_MEDIA)
    step = press(start(q, None), "Yes", q)
    step = send(send(step, Text("Minsk"), q), file(0), q)
    review = press(step, "Done", q)
    assert review.prompt.stage == "review"
    editing = press(review, "Edit 2", q)
    emptied = press(editing, "✕ 1", q)
    back = press(emptied, "Back to review", q)
    assert "photos" not in back.state.answers
    assert "asked again" in (back.prompt.notice or "")
    assert "2. Photos: (not answered yet)" in back.prompt.text
    again = press(back, "✅ Submit", q)
    assert again.outcome == "continue"
    assert again.prompt.question_id == "photos"


def _photo(n: int, kind: str = "photo") -> Media:
    mime = {"photo": "image/jpeg", "voice": "audio/ogg"}[kind]
    name = {"photo": "photo.jpg", "voice": "voice.ogg"}[kind]
    ref = AttachmentRef(f"att{n}", name, mime, 2048, f"{n:064x}", received_as=kind)
    return Media(ref)


def test_a_photo_at_a_text_question_is_kept_with_that_answer_and_its_caption_is_the_answer() -> (
    None
):
    step = send(press(at_first_question(), "Yes"), Text("10.08.2020"))
    assert step.prompt.question_id == "place_held"
    assert step.prompt.expects == "voice"  # text, or files to go with it
    with_words = send(step, Media(_photo(0).attachment, caption="  Okrestina, cell 12 "))
    assert with_words.outcome == "continue"
    assert with_words.state.answers["place_held"] == "Okrestina, cell 12"
    assert with_words.state.details["place_held"] == {"files": ["att0"]}
    assert with_words.prompt.question_id == "treatment"
    # without words: kept pending and listed by name, Done keeps it as the answer
    alone = send(step, _photo(1))
    assert alone.state.uploads == ("att1",)
    assert "1. photo.jpg — 2 KB" in alone.prompt.text
    assert alone.prompt.text.endswith(
        "Type text to go with it, send more, remove one with ✕, or press Done."
    )
    done = press(alone, "Done")
    assert done.state.answers["place_held"] == ""
    assert done.state.details["place_held"] == {"files": ["att1"]}
    back = press(done, "Back")
    assert "1. photo.jpg — 2 KB" in back.prompt.text  # coming back starts from its files
    typed = send(back, Text("Okrestina"))
    assert typed.state.details["place_held"] == {"files": ["att1"]}


def test_a_voice_message_has_one_name_at_a_text_and_at_a_media_question() -> None:
    step = send(press(at_first_question(), "Yes"), Text("10.08.2020"))
    at_text = send(step, _photo(0, "voice"))
    assert "1. 🎤 Voice message — 2 KB" in at_text.prompt.text
    at_media = send(at_question("files"), _photo(1, "voice"))
    assert "1. 🎤 Voice message — 2 KB" in at_media.prompt.text
    assert "voice.ogg" not in at_media.prompt.text


def test_a_caption_too_long_for_the_answer_keeps_the_file_and_says_why() -> None:
    step = send(press(at_first_question(), "Yes"), Text("10.08.2020"))
    long = send(step, Media(_photo(0).attachment, caption="x" * 1000))
    assert long.outcome == "continue"
    assert long.state.uploads == ("att0",)
    assert "the limit here is" in (long.prompt.notice or "")
