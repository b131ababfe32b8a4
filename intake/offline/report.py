"""``report.html``: one submission as a self-contained page a caseworker can read and print.

Headings, labels and question texts are in the staff language (``--language``); the witness's
own words are shown exactly as sent, marked with the witness's language, and next to each
question the prompt as the witness saw it. Consent scope and contact come first (they govern
what staff may do); sensitive answers are flagged; the chain of custody closes the page
(:mod:`intake.offline.report_custody`). Printing puts the receipt and the page number on every
page.

No scripts, no external resources; the one stylesheet is allowed by its hash in the
Content-Security-Policy. Every piece of testimony (prompts, answers, file names) is untrusted:
HTML-escaped, bidi-isolated (``dir=auto``, ``<bdi>``); only attachment paths that passed the
submission validator (``[A-Za-z0-9._-]``) are used in URLs.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from intake.i18n import LANGUAGE_CODE, normalise_language
from intake.offline.extract import AttachmentCheck, Extracted
from intake.offline.labels import labels_for, language_name
from intake.offline.questions import QuestionBook, StaffQuestion, fallback_question
from intake.offline.report_custody import CSS as CUSTODY_CSS
from intake.offline.report_custody import (
    attachments_section,
    custody_section,
    e,
    file_link,
    quote,
    w,
)
from intake.submission.document import Answer, Submission, format_timestamp

REPORT_NAME = "report.html"
_INLINE_IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:52rem;
margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.5}
h1{font-size:1.6rem;margin-bottom:.2rem}.note{color:#555;font-size:.9rem}
table.meta td{padding:.15rem 1rem .15rem 0;vertical-align:top}
table.meta td:first-child{color:#555}
.governs{border:2px solid #1f4e8c;border-radius:6px;padding:.5rem .8rem;margin:1rem 0}
.governs h2{font-size:1rem;margin:.1rem 0 .4rem}
.warn{border-left:4px solid #b36b00;background:#fff6e5;padding:.4rem .8rem}
section.answer{border-top:1px solid #ddd;padding:.6rem 0}
section.sens{border-left:4px solid #a40000;padding-left:.6rem}
.flag{color:#a40000;font-weight:700;font-size:.8rem;border:1px solid #a40000;border-radius:3px;
padding:0 .3rem;margin-left:.4rem}
.prompt{font-weight:600;white-space:pre-wrap}
.seen{color:#555;font-size:.9rem;white-space:pre-wrap}
.value{white-space:pre-wrap;margin:.3rem 0 0 1rem;unicode-bidi:plaintext}
.skipped{color:#777;font-style:italic}.id{color:#888;font-size:.8rem}
img{max-width:100%;max-height:24rem;display:block;margin:.3rem 0;border:1px solid #ccc}
"""


def write_report(
    extracted: Extracted,
    folder: Path,
    *,
    language: str = "en",
    book: QuestionBook | None = None,
    custody: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``report.html`` into ``folder`` (which holds ``attachments/``); returns its path."""
    path = folder / REPORT_NAME
    data = render_report(extracted, language=language, book=book, custody=custody).encode()
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0), 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    return path


def render_report(
    extracted: Extracted,
    *,
    language: str = "en",
    book: QuestionBook | None = None,
    custody: Mapping[str, Any] | None = None,
) -> str:
    """The report page as a string, in the staff ``language``."""
    sub = extracted.submission
    t = _labels(language)
    staff = (book or _default_book()).staff_questions(
        sub.questionnaire.id, sub.questionnaire.version, language
    )
    questions = {q.id: q for q in staff or ()}
    checks = {c.attachment.path: c for c in extracted.checks}
    ctx = _Page(sub, language, questions, checks, known=staff is not None)
    css = _CSS + CUSTODY_CSS + _print_css(sub.receipt, t)
    csp = (
        f"default-src 'none'; style-src '{_hash(css)}'; img-src 'self' file: data:; "
        "media-src 'self' file:; base-uri 'none'; form-action 'none'"
    )
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{e(language)}"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{e(csp)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{t['title']} {e(sub.receipt)}</title><style>{css}</style></head><body>",
        f"<h1>{t['title']} {e(sub.receipt)}</h1><p class=note>{t['note']}</p>",
        ctx.unknown_notice(),
        ctx.governs(),
        ctx.meta(),
        f"<h2>{t['answers']}</h2>",
        *(ctx.answer(a) for a in sub.answers),
        attachments_section(extracted.checks, t, sub.language),
        custody_section(sub, custody, t),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def _css_string(text: str) -> str:
    """A CSS string literal; ``<`` escaped too, so no label can close the style element."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return f'"{out}"'


def _print_css(receipt: str, t: Mapping[str, str]) -> str:
    """Receipt and page number on every printed page (CSS paged media margin boxes)."""
    title = _css_string(f"{_unescape(t['title'])} {receipt}")
    page = _css_string(f"{receipt} · {_unescape(t['page'])} ")
    return (
        "@page{size:A4;margin:18mm 15mm 20mm;"
        f"@top-left{{content:{title};font:9pt sans-serif;color:#444}}"
        f'@bottom-right{{content:{page} counter(page) " / " counter(pages);font:9pt sans-serif}}}}'
        "@media print{body{max-width:none;margin:0;padding:0}a{color:inherit}"
        "section.answer,tr{break-inside:avoid}img{max-height:11cm}}"
    )


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
        .replace("&#x27;", "'").replace("&amp;", "&")
    )  # fmt: skip


@lru_cache(maxsize=1)
def _default_book() -> QuestionBook:
    return QuestionBook.load()


@lru_cache(maxsize=16)
def _labels(language: str) -> Mapping[str, str]:
    """The labels of ``language``, already HTML-escaped (they are rendered many times)."""
    labels = {k: e(v) for k, v in labels_for(language).items()}
    labels[LANGUAGE_CODE] = normalise_language(language) or "en"  # picks the plural forms
    return labels


class _Page:
    """The answer-side parts of one report."""

    def __init__(
        self,
        sub: Submission,
        language: str,
        questions: Mapping[str, StaffQuestion],
        checks: Mapping[str, AttachmentCheck],
        *,
        known: bool,
    ) -> None:
        self.sub, self.checks, self.known = sub, checks, known
        self.language, self.t = language, _labels(language)
        self.questions = {
            a.question_id: questions.get(a.question_id)
            or fallback_question(a.question_id, a.type, a.prompt)
            for a in sub.answers
        }
        self.wl = e(sub.language)

    def unknown_notice(self) -> str:
        if self.known:
            return ""
        ref = f"{self.sub.questionnaire.id} v{self.sub.questionnaire.version}"
        text = self.t["unknown_questionnaire"].replace("{questionnaire}", e(ref))
        return f"<p class=warn>{text}</p>"

    def governs(self) -> str:
        rows = []
        for purpose, key in (("consent_scope", "consent_scope"), ("contact", "contact")):
            answer = next(
                (a for a in self.sub.answers if self.questions[a.question_id].purpose == purpose),
                None,
            )
            if answer is None:
                shown = f"<span class=skipped>{self.t['not_answered']}</span>"
            else:
                shown = self.value(answer)
            rows.append(f"<tr><td>{self.t[key]}</td><td>{shown}</td></tr>")
        table = f"<table class=meta>{''.join(rows)}</table>"
        return f"<div class=governs><h2>{self.t['governs']}</h2>{table}</div>"

    def meta(self) -> str:
        sub, t = self.sub, self.t
        submitted = format_timestamp(sub.submitted_at).replace("T", " ").rstrip("Z")
        language = e(language_name(sub.language, labels_for(self.language)))
        rows = [
            (t["receipt"], f"<strong>{e(sub.receipt)}</strong>"),
            (t["submitted"], e(submitted)),
            (t["questionnaire"], f"{e(sub.questionnaire.id)}, {t['version']} {sub.questionnaire.version}"),  # noqa: E501
            (t["language"], f"{language} ({self.wl})"),
            (t["submission_id"], f"<span class=sha>{e(sub.submission_id)}</span>"),
        ]  # fmt: skip
        if sub.followup is not None:  # the witness can be answered (`intake reply`)
            rows.append((t["case_link"], f"<span class=sha>{e(sub.followup.case_link)}</span>"))
            rows.append((t["followup"], t["followup_yes"]))
        if sub.followup_of is not None:  # an addition: the overview lists it under its original
            link = f"<span class=sha>{e(sub.followup_of)}</span>"
            rows.append((t["addition_of"], f'{link} (<a href="../index.html">{t["ov_title"]}</a>)'))
        body = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in rows)
        return f"<table class=meta>{body}</table>"

    def answer(self, answer: Answer) -> str:
        q = self.questions[answer.question_id]
        flag = f"<span class=flag>{self.t['sensitive']}</span>" if q.sensitive else ""
        head = (
            f"<div class=prompt><span dir=auto>{w(q.text)}</span> "
            f"<span class=id>[{w(answer.question_id)}]</span>{flag}</div>"
        )
        seen = ""
        if q.known and answer.prompt != q.text:
            seen = (
                f"<div class=seen>{self.t['as_seen']}: "
                f'<bdi lang="{self.wl}" dir=auto>{w(answer.prompt)}</bdi></div>'
            )
        cls = "answer sens" if q.sensitive else "answer"
        value = f'<div class=value lang="{self.wl}" dir=auto>{self.value(answer)}</div>'
        return f'<section class="{cls}">{head}{seen}{value}</section>'

    def value(self, answer: Answer) -> str:
        """The answer as escaped HTML: the witness's words as sent; choices in the staff
        language with the label the witness saw beside it."""
        t = self.t
        if answer.skipped:
            return f"<span class=skipped>{t['skipped']}</span>"
        value = answer.value
        if answer.type == "yes_no":
            return t["yes"] if value else t["no"]
        if answer.type == "location" and isinstance(value, dict) and "latitude" in value:
            return e(f"{value['latitude']}, {value['longitude']}") + f" ({t['lat_lon']})"
        if answer.type == "media":
            return "".join(self._media(self.checks[p]) for p in value if p in self.checks)
        if answer.type in ("choice", "multi_choice"):
            return self._choices(answer)
        shown = w(str(value.get("text", "")) if isinstance(value, dict) else str(value))
        return shown + self._written(answer) + self._sent_with(answer)

    def _sent_with(self, answer: Answer) -> str:
        """The files sent with a text answer (a voice message recorded instead of typing, a
        photo sent at the question), beside the words, as a media answer shows its files."""
        files = answer.extra.get("files")
        if not isinstance(files, list):
            return ""
        return "".join(self._media(self.checks[p]) for p in files if p in self.checks)

    def _written(self, answer: Answer) -> str:
        """What the witness typed, when the value was read from other words ("каля 5" → 5,
        "5-6" → 5, "10 August" and then "2020"): the value alone would say more than they did."""
        written = answer.extra.get("written")
        if not isinstance(written, str) or not written.strip() or written == str(answer.value):
            return ""
        return (
            f" <span class=seen>({self.t['written']}: "
            f'<bdi lang="{self.wl}" dir=auto>{w(written)}</bdi>)</span>'
        )

    def _choices(self, answer: Answer) -> str:
        ids = answer.value if isinstance(answer.value, list) else [answer.value]
        seen = _witness_labels(answer, len(ids)) or ids
        q = self.questions[answer.question_id]
        known = q.labels() if q.known else {}
        shown = []
        for oid, witness in zip(ids, seen, strict=True):
            staff = known.get(oid)
            text = f"<bdi dir=auto>{w(staff or witness)}</bdi>"
            if staff is not None and staff != witness:
                text += (
                    f' <span class=seen>(<bdi lang="{self.wl}" dir=auto>{w(witness)}</bdi>)</span>'
                )
            shown.append(text)
        return f"{', '.join(shown)} <span class=id>[{w(', '.join(ids))}]</span>"

    def _media(self, check: AttachmentCheck) -> str:
        link = f"<div>{file_link(check.attachment, self.t)}</div>"
        if check.attachment.caption:  # the witness's own words, sent with the file
            link += (
                f'<blockquote lang="{self.wl}" dir=auto>{e(check.attachment.caption)}</blockquote>'
            )
        if check.attachment.mime in _INLINE_IMAGES and check.ok:
            return f'{link}<img src="{e(quote(check.attachment.path))}" alt="">'
        return link


def _witness_labels(answer: Answer, count: int) -> list[str] | None:
    """The options as the witness saw them: ``label`` (choice) or ``labels`` (multi_choice)."""
    label, labels = answer.extra.get("label"), answer.extra.get("labels")
    if isinstance(label, str) and count == 1:
        return [label]
    if (
        isinstance(labels, list)
        and len(labels) == count
        and all(isinstance(x, str) for x in labels)
    ):
        return list(labels)
    return None
