"""QA: questionnaires nobody here has seen, played as a new user through service → seal → decrypt.

Each ``tests/questionnaires/qa_*.toml`` passes ``intake questionnaire check``; a scripted witness
answers it through the real :class:`IntakeService`; the sealed file is opened by the real ``intake
decrypt`` CLI and the answers, their order, skipped flags, report.html and index.csv are checked.
"""

from __future__ import annotations

import csv
import html
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from test_qa_support import QA_DIR, Files, Player, Skip, open_members, run_cli

import crypto
from intake.channel import Location
from intake.questionnaire import Questionnaire, load
from intake.service import IntakeService
from intake.store import Store

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
HOSTILE_TEXT = '<script>alert(1)</script> & "q" \u202eevil\u202c =HYPERLINK("x") 👩‍👩‍👧'


@pytest.fixture(scope="module")
def staff() -> crypto.Identity:
    return crypto.generate_identity(post_quantum=False)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "data")
    try:
        yield opened
    finally:
        await opened.close()


def staff_key(tmp_path: Path, staff: crypto.Identity) -> Path:
    """A plain age-keygen style identity file (staff tools must load it)."""
    path = tmp_path / "staff.key"
    path.write_text(f"# created: QA\n{staff}\n")
    path.chmod(0o600)
    return path


def decrypt_cli(tmp_path: Path, store: Store, staff: crypto.Identity) -> tuple[Path, dict]:
    """Decrypt the one sealed file with the real CLI; the submission folder and its JSON."""
    (sealed,) = list(store.outbox_dir.glob("*.age"))
    out = tmp_path / "reports"
    proc = run_cli("decrypt", sealed, "-i", staff_key(tmp_path, staff), "--out", out)
    assert proc.returncode == 0, proc.stderr
    folder = out / sealed.stem
    return folder, json.loads((folder / "submission.json").read_text())


@pytest.mark.parametrize("name", ["qa_be_only", "qa_every_type", "qa_tiny", "qa_unicode"])
def test_check_accepts_new_questionnaire(name: str) -> None:
    proc = run_cli("questionnaire", "check", QA_DIR / f"{name}.toml")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(name.replace("_", "-"))


def test_check_summary_is_grammatical_for_one() -> None:
    """'1 questions, 1 languages' reads like a bug to a new user (questionnaire.model.summary)."""
    proc = run_cli("questionnaire", "check", QA_DIR / "qa_tiny.toml")
    assert "1 question," in proc.stdout, proc.stdout
    assert "1 language " in proc.stdout, proc.stdout


async def test_every_type_with_nested_branches(
    tmp_path: Path, store: Store, staff: crypto.Identity
) -> None:
    q = load(QA_DIR / "qa_every_type.toml")
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
    player = Player(svc, q, script, "en")
    review = await player.to_review()
    assert "Send to the team" in [b.label for r in review.prompt.buttons for b in r]
    submitted = await player.submit_from(review)
    assert submitted.outcome == "submit"
    assert player.asked == [
        "role", "detained", "held_where", "held_days", "date", "place",
        "treatment", "injuries", "evidence", "notes",
    ]  # fmt: skip
    folder, sub = decrypt_cli(tmp_path, store, staff)
    answers = {a["question_id"]: a for a in sub["answers"]}
    assert [a["question_id"] for a in sub["answers"]] == player.asked
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
    q = load(QA_DIR / "qa_be_only.toml")
    svc = IntakeService(store, q, [staff.recipient()])
    player = Player(svc, q, {"zatrymanne": False, "kali": "10 жніўня 2020"}, "be")
    first = await player.send_start("en")
    # the hint "en" is not offered: the only language is preselected, in its own words
    assert first.prompt.language == "be"
    assert "Выберыце" in first.prompt.text or first.prompt.stage == "consent"
    submitted = await player.submit_from(await player.continue_to_review(first))
    assert submitted.outcome == "submit"
    assert player.asked == ["zatrymanne", "kali"]  # `dzie` only when detained
    _, sub = decrypt_cli(tmp_path, store, staff)
    assert sub["language"] == "be"
    assert [(a["question_id"], a["value"]) for a in sub["answers"]] == [
        ("zatrymanne", False),
        ("kali", "2020-08-10"),
    ]


async def test_tiny_questionnaire(tmp_path: Path, store: Store, staff: crypto.Identity) -> None:
    q = load(QA_DIR / "qa_tiny.toml")
    svc = IntakeService(store, q, [staff.recipient()])
    player = Player(svc, q, {"only": "just this"}, "en")
    submitted = await player.submit()
    assert submitted.outcome == "submit"
    folder, sub = decrypt_cli(tmp_path, store, staff)
    assert [a["value"] for a in sub["answers"]] == ["just this"]
    assert "just this" in (folder / "report.html").read_text()


async def test_unicode_questionnaire(tmp_path: Path, store: Store, staff: crypto.Identity) -> None:
    q: Questionnaire = load(QA_DIR / "qa_unicode.toml")
    svc = IntakeService(store, q, [staff.recipient()])
    story = "Ось що сталося. 🕯️ \u202eRTL\u202c " * 40
    player = Player(svc, q, {"feeling": ("choice", "ok"), "story": story}, "uk")
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
