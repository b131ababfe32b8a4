"""``report.html``: one submission as a self-contained page a non-technical staff member can read.

No scripts, no external resources, inline CSS, and a Content-Security-Policy that forbids anything
else; images come from the local ``attachments/`` folder by relative path. Every piece of
testimony (prompts, answers, file names) is untrusted and HTML-escaped; only attachment paths that
passed the submission validator (``[A-Za-z0-9._-]``) are used in URLs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from intake.offline.extract import AttachmentCheck, Extracted
from intake.offline.labels import labels_for
from intake.questionnaire import values
from intake.submission.document import Answer, format_timestamp

REPORT_NAME = "report.html"
CSP = (
    "default-src 'none'; img-src 'self' file: data:; media-src 'self' file:; "
    "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
)
_URL_SAFE = re.compile(r"[A-Za-z0-9_.~/-]*")  # what urllib.parse.quote leaves as it is
_INLINE_IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:52rem;
margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.5}
h1{font-size:1.6rem;margin-bottom:.2rem}.note{color:#555;font-size:.9rem}
table.meta td{padding:.15rem 1rem .15rem 0;vertical-align:top}
table.meta td:first-child{color:#555}
section.answer{border-top:1px solid #ddd;padding:.6rem 0}
.prompt{font-weight:600;white-space:pre-wrap}.value{white-space:pre-wrap;margin:.3rem 0 0 1rem}
.skipped{color:#777;font-style:italic}.id{color:#888;font-size:.8rem}
table.files{border-collapse:collapse;width:100%}
table.files td,table.files th{border:1px solid #ccc;padding:.3rem;text-align:left;
vertical-align:top}
.sha{font-family:ui-monospace,monospace;font-size:.75rem;word-break:break-all}
.ok{color:#176317;font-weight:600}.bad{color:#a40000;font-weight:700}
img{max-width:100%;max-height:24rem;display:block;margin:.3rem 0;border:1px solid #ccc}
"""


def write_report(extracted: Extracted, folder: Path) -> Path:
    """Write ``report.html`` into ``folder`` (which holds ``attachments/``); returns its path."""
    path = folder / REPORT_NAME
    data = render_report(extracted).encode("utf-8")
    # A plain os.write: this runs once per submission, and a text-mode file object costs more
    # than the write itself on a batch of small ones. Same flags and mode as Path.write_text.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    return path


def render_report(extracted: Extracted) -> str:
    """The report page as a string."""
    sub = extracted.submission
    t = _labels(sub.language)
    checks = {c.attachment.path: c for c in extracted.checks}
    meta = [
        (t["receipt"], f"<strong>{_e(sub.receipt)}</strong>"),
        (t["submitted"], _e(format_timestamp(sub.submitted_at).replace("T", " ").rstrip("Z"))),
        (
            t["questionnaire"],
            f"{_e(sub.questionnaire.id)}, {t['version']} {sub.questionnaire.version}",
        ),
        (t["language"], _e(sub.language)),
        (t["submission_id"], f"<span class=sha>{_e(sub.submission_id)}</span>"),
    ]
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(sub.language)}"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP_ATTR}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{t['title']} {_e(sub.receipt)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{t['title']} {_e(sub.receipt)}</h1><p class=note>{t['note']}</p>",
        "<table class=meta>",
        *(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in meta),
        "</table>",
        f"<h2>{t['answers']}</h2>",
        *(_answer(a, t, checks) for a in sub.answers),
        f"<h2>{t['attachments']}</h2>",
        _attachments(extracted.checks, t),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _e(text: str) -> str:
    """``html.escape(text, quote=True)``, spelled out so ``intake decrypt`` need not import
    ``html`` and its entity tables at start-up."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )


def quote(path: str) -> str:
    """``urllib.parse.quote(path)``; validated attachment paths need no quoting, so the import
    (a few ms of start-up) is paid only for a path that does."""
    if _URL_SAFE.fullmatch(path):
        return path
    from urllib.parse import quote as url_quote

    return url_quote(path)


_CSP_ATTR = _e(CSP)


@lru_cache(maxsize=16)
def _labels(language: str) -> Mapping[str, str]:
    """The labels of ``language``, already HTML-escaped (they are rendered many times)."""
    return {k: _e(v) for k, v in labels_for(language).items()}


def _answer(answer: Answer, t: Mapping[str, str], checks: Mapping[str, AttachmentCheck]) -> str:
    head = (
        f"<section class=answer><div class=prompt>{_e(answer.prompt)} "
        f"<span class=id>[{_e(answer.question_id)}]</span></div>"
    )
    return f"{head}<div class=value>{_value(answer, t, checks)}</div></section>"


def _value(answer: Answer, t: Mapping[str, str], checks: Mapping[str, AttachmentCheck]) -> str:
    """The answer's value as escaped HTML (option labels preferred when the sealer gave them)."""
    if answer.skipped:
        return f"<span class=skipped>{t['skipped']}</span>"
    value = answer.value
    if answer.type == "yes_no":
        return t["yes"] if value else t["no"]
    if answer.type == "location":
        place = values.place_text(value)
        if place is not None:
            return _e(place)
        return _e(f"{value['latitude']}, {value['longitude']}") + f" ({t['lat_lon']})"
    if answer.type == "media":
        return "".join(_media(checks[p], t) for p in value if p in checks)
    if answer.type in ("choice", "multi_choice"):
        ids = value if isinstance(value, list) else [value]
        shown = _option_labels(answer, len(ids))
        if shown is None:
            return _e(", ".join(ids))
        return f"{_e(shown)} <span class=id>[{_e(', '.join(ids))}]</span>"
    return _e(str(value))


def _option_labels(answer: Answer, count: int) -> str | None:
    """The options as the witness saw them: ``label`` (choice) or ``labels`` (multi_choice)."""
    label, labels = answer.extra.get("label"), answer.extra.get("labels")
    if isinstance(label, str) and count == 1:
        return label
    if (
        isinstance(labels, list)
        and len(labels) == count
        and all(isinstance(x, str) for x in labels)
    ):
        return ", ".join(labels)
    return None


def _media(check: AttachmentCheck, t: Mapping[str, str]) -> str:
    att = check.attachment
    href = quote(att.path)
    link = f'<div><a href="{_e(href)}">{_e(att.filename)}</a> {_badge(check, t)}</div>'
    if att.mime in _INLINE_IMAGES and check.ok:
        return f'{link}<img src="{_e(href)}" alt="{_e(att.filename)}">'
    return link


def _badge(check: AttachmentCheck, t: Mapping[str, str]) -> str:
    if check.ok:
        return f"<span class=ok>✓ {t['matched']}</span>"
    return f"<span class=bad>✗ {t['mismatch']}</span>"


def _sha_cell(check: AttachmentCheck) -> str:
    if check.ok:
        return _e(check.sha256)
    listed = check.attachment
    return f"{_e(check.sha256)}<div class=bad>≠ {_e(listed.sha256)} ({listed.size:,})</div>"


def _attachments(checks: tuple[AttachmentCheck, ...], t: Mapping[str, str]) -> str:
    if not checks:
        return f"<p>{t['no_attachments']}</p>"
    head = "".join(f"<th>{x}</th>" for x in (t["file"], t["type"], t["size"], "sha256", "✓/✗"))
    rows = []
    for check in checks:
        att = check.attachment
        rows.append(
            f'<tr><td><a href="{_e(quote(att.path))}">{_e(att.filename)}</a>'
            f"<div class=id>{_e(att.path)}</div></td><td>{_e(att.mime)}</td>"
            f"<td>{check.size:,} {t['bytes']}</td><td class=sha>{_sha_cell(check)}</td>"
            f"<td>{_badge(check, t)}</td></tr>"
        )
    return f"<table class=files><tr>{head}</tr>{''.join(rows)}</table>"
