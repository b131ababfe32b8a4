"""``intake demo``: the whole round trip in the terminal, with no configuration.

A demo staff key and a server data dir are made in a fresh folder; a witness (scripted, or a person
with ``--interactive``) talks to the real service — engine, encrypted store, sealing — through the
console channel; the sealed submission is exported, decrypted as staff would on the offline laptop,
acknowledged, and the report's path printed.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

import crypto
from intake import engine, outbox, tui
from intake.channel import AttachmentRef, Event, Media, Reply, Start, Text
from intake.console import terminal as console
from intake.console.witness import ScriptedWitness
from intake.offline.batch import run_batch
from intake.offline.progress import Progress
from intake.offline.sources import plan_sources
from intake.ops.logs import configure_logging
from intake.questionnaire import Questionnaire, QuestionnaireError, load, load_default
from intake.service import IntakeService
from intake.store import Store

MAX_STEPS = 400
MAX_FILE_BYTES = 20 * 1024 * 1024
INTERACTIVE_HELP = (
    "Type an answer, or a button's number (#N where a number could be an answer). "
    "Commands: /back /skip /cancel /language /help /delete /x. "
    "Send a file with file:PATH, a place with geo:LAT,LON. Ctrl-D stops."
)


def play(*, questionnaire: Path | None, keep: Path | None, interactive: bool) -> int:
    """Run the demo; 0 when the testimony went all the way through and was read back.

    ``questionnaire`` (else ``INTAKE_QUESTIONNAIRE``, else the bundled one) is played by the
    scripted witness, or by the person at the terminal when ``interactive``; ``keep`` keeps the
    demo's server data and staff output in that folder.
    """
    try:
        q = _questionnaire(questionnaire or os.environ.get("INTAKE_QUESTIONNAIRE"))
    except QuestionnaireError as exc:
        for problem in exc.problems:
            tui.error(str(problem))
        return 2
    workdir = keep or Path(tempfile.mkdtemp(prefix="intake-demo-"))
    workdir.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Operators' log lines would drown the transcript; the demo shows warnings only.
    configure_logging(level="WARNING", fmt="console")
    return asyncio.run(_round_trip(workdir, q, interactive=interactive, out=sys.stdout))


def _questionnaire(path: str | Path | None) -> Questionnaire:
    """The questionnaire to play: ``--questionnaire``, else ``INTAKE_QUESTIONNAIRE``, else ours."""
    return load(path) if path else load_default()


async def _round_trip(
    workdir: Path, questionnaire: Questionnaire, *, interactive: bool, out: TextIO
) -> int:
    identity = crypto.generate_identity(post_quantum=True)
    key_path = workdir / "staff-demo.key"
    key_path.write_text(
        f"# demo staff key: a real one never leaves the offline laptop\n{identity}\n"
    )
    key_path.chmod(0o600)
    recipient = identity.recipient()
    out.write(f"demo: staff recipient {str(recipient)[:24]}… (post-quantum ML-KEM-768 + X25519)\n")

    store = await Store.open(workdir / "server-data")
    try:
        service = IntakeService(store, questionnaire, [recipient])
        receipt = await _converse(service, questionnaire, interactive=interactive, out=out)
        if receipt is None:
            out.write("demo: the witness stopped; nothing was submitted and the draft is gone.\n")
            return 1
        return await _staff_side(store, identity, workdir, receipt, out)
    finally:
        await store.close()


async def _converse(
    service: IntakeService, q: Questionnaire, *, interactive: bool, out: TextIO
) -> str | None:
    """Play one conversation; the receipt code when it was submitted, else None."""
    key = service.witness_key("console", "demo-witness")
    language = "en" if "en" in q.languages else q.default_language
    witness = ScriptedWitness(q, language=language)
    if interactive:
        out.write(f"demo: {INTERACTIVE_HELP}\n")
    reply = await service.handle(key, Start(language_hint=language))
    for _ in range(MAX_STEPS):
        if reply.outcome == "submit":  # what the chat keeps, then the thank-you (deleted there)
            closing = engine.closing_prompt(
                service.questionnaire, reply.prompt.language, "submitted"
            )
            console.render(closing, out)
        console.render(reply.prompt, out)
        if reply.outcome == "submit":
            return reply.receipt
        if reply.outcome in ("cancelled", "declined"):
            return None
        if interactive:
            event = await _ask_person(service, key, reply, out)
            if event is None or isinstance(event, console.Wipe):
                await service.wipe(key)
                return None
        else:
            for sample in witness.wants_files(reply.prompt):
                ref = await service.add_attachment(
                    key,
                    console.bytes_chunks(sample.data),
                    filename=sample.filename,
                    mime=sample.mime,
                    max_bytes=MAX_FILE_BYTES,
                    received_as="console",
                )
                out.write(f"witness │ 📎 {sample.filename} ({ref.size} bytes)\n")
                reply = await service.handle(key, Media(ref))
                console.render(reply.prompt, out)
            event = witness.next_event(reply.prompt)
            out.write(f"witness │ {_describe(event, reply)}\n")
        reply = await service.handle(key, event)
    raise RuntimeError("demo conversation did not finish")  # a questionnaire loop would be a bug


async def _ask_person(
    service: IntakeService, key: str, reply: Reply, out: TextIO
) -> Event | console.Wipe | None:
    """Read lines until one means something; None at end of input (Ctrl-D)."""
    while True:
        out.write("you > ")
        out.flush()
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return None
        parsed = console.parse_line(line, reply.prompt)
        if parsed is None:
            continue
        if isinstance(parsed, Text):  # when it was typed: a second line right after continues it
            return Text(parsed.text, at=time.time())
        if not isinstance(parsed, Path):
            return parsed
        ref = await _attach(service, key, parsed, out)
        if ref is not None:
            return Media(ref)


async def _attach(
    service: IntakeService, key: str, path: Path, out: TextIO
) -> AttachmentRef | None:
    if not await asyncio.to_thread(path.is_file):
        out.write(f"demo: no such file: {path}\n")
        return None
    return await service.add_attachment(
        key,
        console.file_chunks(path),
        filename=path.name,
        mime=console.guess_mime(path),
        max_bytes=MAX_FILE_BYTES,
        received_as="console",
    )


def _describe(event: Event, reply: Reply) -> str:
    """How the witness's action looks in the transcript (the label of a pressed button)."""
    token = getattr(event, "token", None)
    if token is not None:
        for row in reply.prompt.buttons:
            for button in row:
                if button.token == token:
                    return f"[{button.label}]"
    text = getattr(event, "text", None)
    if text is not None:
        return str(text)
    return type(event).__name__.lower()


async def _staff_side(
    store: Store, identity: crypto.Identity, workdir: Path, receipt: str, out: TextIO
) -> int:
    """Export → decrypt offline → ack, as staff would; print where the report is."""
    export_dir = workdir / "export"
    exported = await outbox.export(store, export_dir, include_all=False, now=time.time())
    out.write(f"\ndemo: exported {len(exported.copied)} sealed submission(s) to {export_dir}\n")
    reports = workdir / "reports"
    plan = plan_sources(export_dir)
    ui = Progress(len(plan.files), out=out, err=out, bar=False)
    summary = run_batch(plan, [identity], reports, ui)
    ui.close()
    if summary.failed or not summary.decrypted:
        out.write(f"demo: decrypt failed: {summary.line()}\n")
        return 1
    receipt_data = json.loads((reports / "receipt.json").read_text())
    acked = await outbox.ack(store, outbox.parse_receipt(receipt_data), now=time.time())
    submission_dir = next(p for p in reports.iterdir() if p.is_dir() and p.name[0] != ".")
    sub = json.loads((submission_dir / "submission.json").read_text())
    answered = sum(1 for a in sub["answers"] if not a.get("skipped"))
    files = len(sub["attachments"])
    out.write(
        f"demo: receipt code {receipt} · {_counted(answered, 'answer')} · "
        f"{_counted(files, 'attachment')}\n"
        f"demo: server queue after ack: {_ack_line(acked)}\n"
        f"demo: report  {submission_dir / 'report.html'}\n"
        f"demo: index   {reports / 'index.csv'}\n"
        f"demo: overview {reports / 'index.html'}\n"
        f"demo: staff key (demo only) {workdir / 'staff-demo.key'}; remove the folder when done:\n"
        f"      rm -r {workdir}\n"
    )
    return 0


def _ack_line(result: object) -> str:
    deleted = getattr(result, "deleted", None)
    return f"{len(deleted)} deleted after confirmation" if deleted is not None else str(result)


def _counted(count: int, noun: str) -> str:
    """``1 attachment``, ``2 attachments`` (the demo's own lines are English)."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
