"""What leaves the engine at the end: the submitted answers, the files, and the last lines shown."""

from __future__ import annotations

from dataclasses import replace

from intake import i18n
from intake.channel import AttachmentRef, Prompt, Stage
from intake.engine import navigation
from intake.engine.state import DraftState
from intake.questionnaire import Questionnaire

CLOSING_OUTCOMES = ("submitted", "cancelled", "declined", "expired", "followup")
DRAFT_TIME = "{draft_time}"


def _language(q: Questionnaire, language: str | None) -> str:
    return language if language in q.languages else q.default_language


def submitted_prompt(q: Questionnaire, language: str, receipt: str) -> Prompt:
    """The thank-you after the service sealed the submission, with the receipt code. A channel
    shows it in a message it deletes too (it names what happened); what stays in the chat is
    :func:`closing_prompt` with ``"submitted"``."""
    lang = _language(q, language)
    text = i18n.render(q.strings(lang), "submit.done", receipt=receipt)
    return Prompt(text, "submitted", language=lang)


def closing_prompt(q: Questionnaire, language: str | None, outcome: str) -> Prompt:
    """The one neutral line left in the chat after submit, cancel, decline or expiry. It may stay
    in a searched phone's chat: it says nothing of what the conversation was about."""
    lang = _language(q, language)
    kind = outcome if outcome in CLOSING_OUTCOMES else "cancelled"
    stage: Stage = {"declined": "declined", "submitted": "submitted"}.get(kind, "cancelled")  # type: ignore[assignment]
    return Prompt(i18n.render(q.strings(lang), f"closing.{kind}"), stage, language=lang)


def with_draft_time(q: Questionnaire, seconds: float) -> Questionnaire:
    """``q`` with its consent saying how long a draft is kept: ``{draft_time}`` in the consent
    text becomes e.g. "24 hours" in each language; a text without it gets the catalogue's
    ``consent.draft_kept`` line added, so the witness is always told."""
    texts: dict[str, str] = {}
    for lang, text in q.consent.text.items():
        ui = q.strings(lang)
        duration = i18n.render_duration(ui, seconds)
        if DRAFT_TIME in text:
            texts[lang] = text.replace(DRAFT_TIME, duration)
        else:
            texts[lang] = text + "\n\n" + i18n.render(ui, "consent.draft_kept", draft_time=duration)
    return replace(q, consent=replace(q.consent, text=texts))


def answers_for_submission(q: Questionnaire, state: DraftState) -> list[dict[str, object]]:
    """GUIDE §3 ``answers``: every question asked, in order, with the prompt as shown.

    Each item has ``question_id``, ``type``, ``prompt`` (in the witness's language), ``value``
    (None when skipped) and ``skipped``; choices add ``label``/``labels`` as shown to the witness;
    what the witness said next to the value is added as it was kept: ``written``,
    ``approximate``, ``range`` and ``files`` (attachment ids of a long_text answer's voice
    messages — the sealer names them by tar path, like a media answer's value).
    """
    lang = _language(q, state.language)
    out: list[dict[str, object]] = []
    for question in navigation.listed(q, state.answers):
        value = state.answers[question.id]
        item: dict[str, object] = {
            "question_id": question.id,
            "type": question.type,
            "prompt": question.prompt[lang],
            "value": list(value) if isinstance(value, list) else value,
            "skipped": value is None,
        }
        if question.type == "choice" and isinstance(value, str):
            option = question.option(value)
            item["label"] = option.label[lang] if option else value
        if question.type == "multi_choice" and isinstance(value, list):
            item["labels"] = [o.label[lang] for o in question.options if o.id in value]
        if isinstance(value, dict):
            item["value"] = dict(value)
        for key, detail in state.details.get(question.id, {}).items():
            if value is not None:
                item[key] = list(detail) if isinstance(detail, list) else detail
        out.append(item)
    return out


def attachments_of(state: DraftState) -> list[tuple[str, AttachmentRef]]:
    """The files of the media answers and of long_text voice messages, as (question_id, ref), in
    the order asked.

    Files sent and then removed, or left on an abandoned branch, are not included.
    """
    out: list[tuple[str, AttachmentRef]] = []
    for qid, value in state.answers.items():
        voices = state.details.get(qid, {}).get("files")
        ids = value if isinstance(value, list) else voices if isinstance(voices, list) else []
        for attachment_id in ids:
            entry = state.files.get(str(attachment_id))
            if entry is not None and entry.question_id == qid:
                out.append((qid, entry.ref))
    return out
