"""``<out>/index.html``: every testimony of the output folder on one offline page.

The page is one file: its stylesheet and script (``intake/data/overview/``) are inline and
allowed by their sha256 in the Content-Security-Policy (``default-src 'none'``: no network, no
other script, no plugin, no form). The data are two ``<script type="application/json">`` blocks,
which are never executed: the definitions (questions and labels in the staff language) and the
rows, one JSON object per line, escaped so that no testimony can close the block
(:func:`intake.offline.summary.dumps`). Search, filters, sorting, totals and paging are computed
on the page (see ``overview.js``); every piece of testimony is inserted as text, never as HTML.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any

from intake.offline.labels import labels_for, languages
from intake.offline.layout import Layout
from intake.offline.summary import dumps
from intake.submission.document import format_timestamp

OVERVIEW_NAME = "index.html"
MAX_TEXT = 10_000  # characters of one answer kept on the page (the report has all of it)
CUT_MARK = " […]"


@lru_cache(maxsize=1)
def _asset(name: str) -> str:
    return resources.files("intake").joinpath("data", "overview", name).read_text("utf-8")


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def content_security_policy() -> str:
    """The page's CSP: our one script and one stylesheet, by hash; nothing else at all."""
    return (
        f"default-src 'none'; script-src '{_hash(_asset('overview.js'))}'; "
        f"style-src '{_hash(_asset('overview.css'))}'; img-src 'none'; base-uri 'none'; "
        "form-action 'none'"
    )


def overview_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A summary row as embedded in the page: long answers cut to :data:`MAX_TEXT`."""
    answers = []
    for qid, qtype, value, labels, skipped, *_ in row["a"]:
        if isinstance(value, str) and len(value) > MAX_TEXT:
            value = value[: MAX_TEXT - len(CUT_MARK)] + CUT_MARK
        answers.append([qid, qtype, value, labels, skipped])
    return {**row, "a": answers}


def definitions(layout: Layout, total: int, now: datetime) -> dict[str, Any]:
    """What the script needs besides the rows: questions, labels, language names."""
    t = labels_for(layout.language)
    return {
        "lang": layout.language,
        "built": format_timestamp(now.replace(microsecond=0)).replace("T", " ").rstrip("Z"),
        "total": total,
        "t": {k: v for k, v in t.items() if k.startswith(("ov_", "lang_")) or k in _PLAIN},
        "questions": [asdict(q) for q in layout.ordered()],
        "unknown": layout.unknown_refs(),
        "languages": sorted(languages()),
    }


_PLAIN = frozenset(
    {"receipt", "submitted", "language", "skipped", "yes", "no", "sensitive", "consent_scope",
     "contact", "not_answered", "unknown_questionnaire", "questionnaire", "title"}
)  # fmt: skip


def overview_head(layout: Layout, total: int, now: datetime) -> bytes:
    """The page up to the start of the rows block."""
    t = labels_for(layout.language)
    title = _e(t["ov_title"])
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_e(layout.language)}"><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(content_security_policy())}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title><style>{_asset('overview.css')}</style></head>\n"
        f"<body><main id=app><h1>{title}</h1><noscript>{title}: {_e(t['ov_no_script'])}"
        "</noscript></main>\n"
        f'<script id=defs type="application/json">{dumps(definitions(layout, total, now))}'
        '</script>\n<script id=rows type="application/json">\n'
    ).encode()


def overview_tail() -> bytes:
    """The page after the rows block: the script."""
    return f"</script>\n<script>{_asset('overview.js')}</script>\n</body></html>\n".encode()


def _e(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace('"', "&quot;").replace("'", "&#x27;")
    )  # fmt: skip
