"""Questionnaires nobody here has seen, played as a new user through service → seal → decrypt.

Each ``tests/data/questionnaires/qa_*.toml`` is answered by a scripted witness through the real
:class:`IntakeService`; the sealed file is opened by the real ``intake decrypt`` CLI and the
answers, their order, skipped flags, report.html and index.csv are checked (QA).
"""

from __future__ import annotations

import csv
import html
import json
from pathlib import Path

import crypto
from intake.channel import Location
from intake.questionnaire import Questionnaire, load
from intake.service import IntakeService
from intake.store import Store
from tests.support.channels import scripted
from tests.support.cli import run_cli
from tests.support.paths import QUESTIONNAIRES
from tests.support.sealing import open_members, write_identity
from tests.support.witness import Files, Skip

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


HOSTILE_TEXT = '<script>alert(1)</script> & "q" \u202eevil\u202c =HYPERLINK("x") 👩‍👩‍👧'


def decrypt_cli(tmp_path: Path, store: Store, staff: crypto.Identity) -> tuple[Path, dict]:
    """Decrypt the one sealed file with the real CLI; the submission folder and its JSON."""
    (sealed,) = list(store.outbox_dir.glob("*.age"))
    out = tmp_path / "reports"
    proc = run_cli(
        "decrypt",
        sealed,
        "-i",
        write_identity(tmp_path / "staff.key", staff),
        "--out",
        out,
        "--ids",
    )
    assert proc.returncode == 0, proc.stderr
    folder = out / sealed.stem
    return folder, json.loads((folder / "submission.json").read_text())


async def test_every_type_with_nested_branches(
    tmp_path: Path, store: Store, staff: crypto.Identity
) -> None:
    q = load(QUESTIONNAIRES / "qa_every_type.toml")
    svc = IntakeService(store, q, [staff.recipient()])
    script = {
        "role": ("choice", "witness"),
        "detained": True,
        "held_where": HOSTILE_TEXT[:50],
        "held_days": "12",
        "date": "10 August 2020",
        "place": Location(53.9, 27.56),
        "treatment": ["threatened", "beaten"],
        "injuries": HOSTILE_TEXT,
        "evidence": Files((("photo <1>.png", "image/png", PNG), ("../x", "text/plain", b"1"))),
        "notes": Skip(),
    }
    player = scripted(svc, script, "en")
    review = await player.to_review()
    assert "Send to the team" in [b.label for r in review.prompt.buttons for b in r]
    submitted = await player.submit_from(review)
    assert submitted.outcome == "submit"
    assert player.witness.asked == [
        "role", "detained", "held_where", "held_days", "date", "place",
        "treatment", "injuries", "evidence", "notes",
    ]  # fmt: skip
    folder, sub = decrypt_cli(tmp_path, store, staff)
    answers = {a["question_id"]: a for a in sub["answers"]}
    assert [a["question_id"] for a in sub["answers"]] == player.witness.asked
    assert "relative_name_skipped" not in answers  # branch not taken: not in the submission
    assert answers["role"]["value"] == "witness"
    assert answers["detained"]["value"] is True
    assert answers["held_days"]["value"] == 12
    assert answers["date"]["value"] == "2020-08-10"
    assert answers["place"]["value"] == {"latitude": 53.9, "longitude": 27.56}
    assert sorted(answers["treatment"]["value"]) == ["beaten", "threatened"]
    assert answers["injuries"]["value"] == HOSTILE_TEXT
    assert answers["notes"]["value"] is None
    assert answers["notes"]["skipped"] is True
    assert sub["questionnaire"] == {"id": "qa-every-type", "version": 7}
    files = sorted(p.name for p in (folder / "attachments").iterdir())
    assert len(files) == 2
    assert all("/" not in f and ".." not in f for f in files)
    report = (folder / "report.html").read_text()
    assert "<script>alert(1)</script>" not in report
    assert html.escape("<script>alert(1)</script>", quote=False) in report
    row = next(csv.DictReader((folder.parent / "index.csv").open(encoding="utf-8-sig")))
    assert not row["injuries"].startswith("=")
    assert "alert(1)" in row["injuries"]


async def test_be_only_questionnaire(tmp_path: Path, store: Store, staff: crypto.Identity) -> None:
    q = load(QUESTIONNAIRES / "qa_be_only.toml")
    svc = IntakeService(store, q, [staff.recipient()])
    player = scripted(svc, {"zatrymanne": False, "kali": "10 жніўня 2020"}, "be")
    first = await player.start("en")
    # the hint "en" is not offered: the only language is preselected, in its own words
    assert first.prompt.language == "be"
    assert "Выберыце" in first.prompt.text or first.prompt.stage == "consent"
    submitted = await player.submit_from(await player.continue_to_review(first))
    assert submitted.outcome == "submit"
    assert player.witness.asked == ["zatrymanne", "kali"]  # `dzie` only when detained
    _, sub = decrypt_cli(tmp_path, store, staff)
    assert sub["language"] == "be"
    assert [(a["question_id"], a["value"]) for a in sub["answers"]] == [
        ("zatrymanne", False),
        ("kali", "2020-08-10"),
    ]


async def test_tiny_questionnaire(tmp_path: Path, store: Store, staff: crypto.Identity) -> None:
    q = load(QUESTIONNAIRES / "qa_tiny.toml")
    svc = IntakeService(store, q, [staff.recipient()])
    player = scripted(svc, {"only": "just this"}, "en")
    submitted = await player.submit()
    assert submitted.outcome == "submit"
    folder, sub = decrypt_cli(tmp_path, store, staff)
    assert [a["value"] for a in sub["answers"]] == ["just this"]
    assert "just this" in (folder / "report.html").read_text()


async def test_unicode_questionnaire(tmp_path: Path, store: Store, staff: crypto.Identity) -> None:
    q: Questionnaire = load(QUESTIONNAIRES / "qa_unicode.toml")
    svc = IntakeService(store, q, [staff.recipient()])
    story = "Ось що сталося. 🕯️ \u202eRTL\u202c " * 40
    player = scripted(svc, {"feeling": ("choice", "ok"), "story": story}, "uk")
    submitted = await player.submit()
    assert submitted.outcome == "submit"
    (sealed,) = list(store.outbox_dir.glob("*.age"))
    members = open_members(sealed, staff)
    sub = json.loads(members[0][1])
    assert sub["answers"][0]["label"] == '😀 <b>добре</b> & "ок"'
    assert sub["answers"][1]["value"] == story.strip()  # surrounding blanks are trimmed
    folder, _ = decrypt_cli(tmp_path, store, staff)
    report = (folder / "report.html").read_text()
    assert "<b>добре</b>" not in report
    assert "&lt;b&gt;добре&lt;/b&gt;" in report
