"""The attachments and chain-of-custody sections of ``report.html``.

Per attachment: the witness's file name (untrusted: escaped and bidi-isolated in ``<bdi>``, so a
name holding U+202E cannot pass "evidence‮gpj.exe" off as a picture), a ``download`` link (an
attached ``.html`` is saved, never opened as a page next to the testimony), when the server
received it and how (a photo Telegram recompressed, or the original file), the sha256 the server
took at reception beside the one recomputed here. Then the sealed file, its sha256, when and
with which staff key it was decrypted, and by which tool version (``custody.json``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from intake.i18n import LANGUAGE_CODE, format_number, plural_form
from intake.offline.extract import AttachmentCheck
from intake.submission.document import Attachment, Submission, format_timestamp

_URL_SAFE = re.compile(r"[A-Za-z0-9_.~/-]*")  # what urllib.parse.quote leaves as it is
CSS = """
table.files,table.custody{border-collapse:collapse;width:100%}
table.files td,table.files th,table.custody td{border:1px solid #ccc;padding:.3rem;
text-align:left;vertical-align:top}
table.custody td:first-child{color:#555;width:30%}
.sha{font-family:ui-monospace,monospace;font-size:.75rem;word-break:break-all}
.ok{color:#176317;font-weight:600}.bad{color:#a40000;font-weight:700}
.compressed{color:#8a4b00}.ctl{color:#a40000;font-family:ui-monospace,monospace;font-size:.75rem}
"""


def sized(size: int, t: Mapping[str, str]) -> str:
    """``72 байти``, ``1 byte``, ``11 899 байтаў``: the unit agrees with the number (CLDR plural
    forms of the labels' language), digits grouped as that language groups them (a comma is the
    decimal sign in be/ru/uk: "11,899" would read as eleven and a bit)."""
    lang = t.get(LANGUAGE_CODE)
    form = plural_form(lang, size)
    return f"{format_number(lang, size)} {t.get(f'bytes_{form}', t['bytes'])}"


def e(text: str) -> str:
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
    is paid only for a path that does."""
    if _URL_SAFE.fullmatch(path):
        return path
    from urllib.parse import quote as url_quote

    return url_quote(path)


#: Bidi controls: inside a file name they only ever disguise it (``evidence‮gpj.exe`` displays as
#: ``evidenceexe.jpg``), so they are shown as visible marks rather than obeyed.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


#: Characters that end a bidi paragraph (Unicode type B, and U+2028): the isolation of a
#: ``<bdi>`` or ``dir=auto`` ends with them, so a U+202E after one reversed the staff text that
#: follows ("[first_question]" drawn as "[noitseuq_tsrif]"). Shown as visible marks.
PARAGRAPH_BREAKS = frozenset("\r\x1c\x1d\x1e\x85\u2028\u2029")


def w(text: str) -> str:
    """Untrusted text as HTML: escaped, with its paragraph separators made visible marks (it is
    then isolated by the element around it)."""
    html = e(text)
    if not PARAGRAPH_BREAKS.intersection(html):
        return html
    return "".join(
        f"<span class=ctl>[U+{ord(c):04X}]</span>" if c in PARAGRAPH_BREAKS else c for c in html
    )


def shown_name(name: str) -> str:
    """An untrusted file name as HTML: escaped, isolated, its bidi controls made visible."""
    parts = [
        f"<span class=ctl>[U+{ord(c):04X}]</span>" if c in BIDI_CONTROLS else e(c) for c in name
    ]
    return f"<bdi dir=auto>{''.join(parts)}</bdi>"


def file_link(att: Attachment, t: Mapping[str, str]) -> str:
    """A download link to the attachment, its untrusted name isolated in ``<bdi>``."""
    href = e(quote(att.path))
    name = shown_name(att.filename)
    return f'<a href="{href}" download>{name}</a> <span class=id>({t["download"]})</span>'


def badge(check: AttachmentCheck, t: Mapping[str, str]) -> str:
    """✓ or ✗ with its meaning."""
    if check.ok:
        return f"<span class=ok>✓ {t['matched']}</span>"
    return f"<span class=bad>✗ {t['mismatch']}</span>"


def arrival(att: Attachment, t: Mapping[str, str]) -> str:
    """How the file reached the server, in words (a recompressed photo stands out)."""
    if att.received_as is None:
        return f"<span class=skipped>{t['not_recorded']}</span>"
    text = t.get(f"kind_{att.received_as}", e(att.received_as))
    return f"<span class=compressed>{text}</span>" if att.received_as == "photo" else text


def _when(att: Attachment, t: Mapping[str, str]) -> str:
    if att.received_at is None:
        return f"<span class=skipped>{t['not_recorded']}</span>"
    return e(format_timestamp(att.received_at).replace("T", " ").rstrip("Z"))


def attachments_section(
    checks: tuple[AttachmentCheck, ...], t: Mapping[str, str], witness_language: str
) -> str:
    """The attachments table: name, type, size, reception, both sha256, ✓/✗."""
    head = f"<h2>{t['attachments']}</h2>"
    if not checks:
        return f"{head}<p>{t['no_attachments']}</p>"
    cols = (t["file"], t["type"], t["size"], t["received_at"], t["received_as"], "sha256", "✓/✗")
    rows = []
    for check in checks:
        att = check.attachment
        offline = e(check.sha256)
        if not check.ok:
            offline += f" ({sized(check.size, t)})"
        rows.append(
            f'<tr><td lang="{e(witness_language)}">{file_link(att, t)}'
            f"<div class=id>{e(att.path)}</div></td><td>{e(att.mime)}</td>"
            f"<td>{sized(att.size, t)}</td><td>{_when(att, t)}</td><td>{arrival(att, t)}</td>"
            f"<td class=sha>{t['sha_server']}: {e(att.sha256)}<br>"
            f"{t['sha_offline']}: {offline}</td>"
            f"<td>{badge(check, t)}</td></tr>"
        )
    ths = "".join(f"<th>{c}</th>" for c in cols)
    return f"{head}<table class=files><tr>{ths}</tr>{''.join(rows)}</table>"


def custody_section(
    sub: Submission, custody: Mapping[str, Any] | None, t: Mapping[str, str]
) -> str:
    """The sealed file and the decryption, from ``custody.json``."""
    custody = custody or {}
    sealed = custody.get("sealed_file") or {}
    decrypted = custody.get("decrypted") or {}
    missing = f"<span class=skipped>{t['not_recorded']}</span>"

    def get(table: Mapping[str, Any], key: str, sha: bool = False) -> str:
        value = table.get(key)
        if value is None:
            return missing
        text = e(str(value).replace("T", " ").rstrip("Z") if key == "at" else str(value))
        return f"<span class=sha>{text}</span>" if sha else text

    kind = decrypted.get("key_type")
    key = get(decrypted, "key_fingerprint") + (f" ({e(str(kind))})" if kind else "")
    size = sealed.get("size")
    of_size = f" — {sized(size, t)}" if isinstance(size, int) else ""
    rows = [
        (t["sealed_file"], get(sealed, "name") + of_size),
        (t["sealed_sha"], get(sealed, "sha256", sha=True)),
        (t["submission_json_sha"], get(custody, "submission_json_sha256", sha=True)),
        (t["submitted"], e(format_timestamp(sub.submitted_at).replace("T", " ").rstrip("Z"))),
        (t["decrypted_at"], get(decrypted, "at")),
        (t["decrypted_with"], key),
        (t["tool"], get(decrypted, "tool")),
    ]  # fmt: skip
    body = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in rows)
    return (
        f"<h2>{t['custody']}</h2><table class=custody>{body}</table>"
        f"<p class=note>{t['evidence_copy']}</p>"
    )
