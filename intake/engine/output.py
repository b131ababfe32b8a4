"""What leaves the engine at the end: the submitted answers, the files, and the last lines shown."""

from __future__ import annotations

from intake import i18n
from intake.channel import AttachmentRef, Prompt, Stage
from intake.engine import navigation
from intake.engine.state import DraftState
from intake.questionnaire import Questionnaire

CLOSING_OUTCOMES = ("cancelled", "declined", "expired")


def _language(q: Questionnaire, language: str | None) -> str:
    return language if language in q.languages else q.default_language


def submitted_prompt(q: Questionnaire, language: str, receipt: str) -> Prompt:
    """The thank-you with the receipt code, shown after the service sealed the submission."""
    lang = _language(q, language)
    text = i18n.render(q.strings(lang), "submit.receipt", receipt=receipt)
    return Prompt(text, "submitted", language=lang)


def closing_prompt(q: Questionnaire, language: str | None, outcome: str) -> Prompt:
    """One neutral line after cancel, decline or expiry (it may stay in a searched phone's chat)."""
    lang = _language(q, language)
    kind = outcome if outcome in CLOSING_OUTCOMES else "cancelled"
    stage: Stage = "declined" if kind == "declined" else "cancelled"
    return Prompt(i18n.render(q.strings(lang), f"closing.{kind}"), stage, language=lang)


def answers_for_submission(q: Questionnaire, state: DraftState) -> list[dict[str, object]]:
    """GUIDE §3 ``answers``: every question asked, in order, with the prompt as shown.

    Each item has ``question_id``, ``type``, ``prompt`` (in the witness's language), ``value``
    (None when skipped) and ``skipped``; choices add ``label``/``labels`` as shown to the witness.
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
        out.append(item)
    return out


def attachments_of(state: DraftState) -> list[tuple[str, AttachmentRef]]:
    """The files of the media answers, as (question_id, ref), in the order asked.

    Files sent and then replaced or left on an abandoned branch are not included.
    """
    out: list[tuple[str, AttachmentRef]] = []
    for qid, value in state.answers.items():
        if not isinstance(value, list):
            continue
        for attachment_id in value:
            entry = state.files.get(attachment_id)
            if entry is not None and entry.question_id == qid:
                out.append((qid, entry.ref))
    return out
