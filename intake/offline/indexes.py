"""``index.csv`` and ``index.html`` for the whole output folder, at the cost of the new files only.

The indexes are assembled from a cache in ``<out>/.intake-index/``: ``rows.csv`` (the CSV rows
already rendered), ``rows.jsonl`` (the overview rows), ``ids.txt`` (which submissions they hold,
in order) and ``state.json`` (their byte sizes, the layout of questions, staff language and
header style). A run that adds N submissions renders N rows, appends them, and writes the two
indexes by copying the cached bytes behind a fresh header — no ``submission.json`` of the
archive is parsed again and memory does not grow with the archive. A full rebuild, streamed from
each folder's ``summary.json`` (made from ``submission.json`` for folders released by older
versions) two rows at a time, happens only when it must: first run, another staff language or
header style, a question or option no row has had yet (the CSV's columns change), a cache that
does not match the folders (one removed or copied in by hand, a crash between writes).

The folder may have been prepared by someone else: every file of it is read back under the rules
for sticks (:mod:`intake.offline.readback`: no link followed, regular files only, bounded, strict
JSON), folders come from one listing that does not follow links, and every write goes to a new
name renamed into place — a link planted at an index's name is replaced, never written through.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from intake import safefs
from intake.offline.custody import CUSTODY_NAME
from intake.offline.layout import MAX_UNKNOWN_COLUMNS, Layout
from intake.offline.overview import OVERVIEW_NAME, overview_head, overview_row, overview_tail
from intake.offline.questions import QuestionBook
from intake.offline.readback import MAX_CACHE_BYTES, UNREADABLE, cut_to, own_folder, read_ascii
from intake.offline.readback import read_json as read_record
from intake.offline.spreadsheet import BOM, INDEX_NAME, csv_row, header, write_rows
from intake.offline.summary import SUMMARY_NAME, dumps, read_summary, summary_from_folder
from intake.submission.document import (
    MAX_ANSWERS,
    MAX_LIST_ITEMS,
    MAX_SUBMISSION_JSON,
    SubmissionFormatError,
    parse_submission,
)

CACHE_DIR = ".intake-index"
CACHE_FORMAT = "witness-intake/index-cache/v2"  # v2: number and date columns of what was written
_PARTS = ("ids.txt", "rows.csv", "rows.jsonl")


@dataclass(frozen=True, slots=True)
class IndexSettings:
    """How this run renders the indexes."""

    language: str
    ids: bool
    book: QuestionBook


@dataclass(slots=True)
class IndexResult:
    """What the indexes hold after an update, and what could not be indexed."""

    indexed: set[str]
    problems: list[str]
    rebuilt: bool
    layout: Layout | None = None


def update_indexes(
    out: Path, fresh: Mapping[str, Mapping[str, Any]], settings: IndexSettings, now: datetime
) -> IndexResult:
    """Bring the cache up to date with ``out`` (``fresh``: summaries opened by this run, by id)
    and rewrite ``index.csv`` and ``index.html`` from it."""
    folders = submission_folders(out)
    if not folders:
        return IndexResult(set(), [], rebuilt=False)  # nothing released: write nothing either
    cache = out / CACHE_DIR
    replaced = own_folder(cache)  # a link planted there is removed, never followed
    state = _load_state(cache, settings)
    result = _append(cache, state, folders, fresh, settings) if state else None
    if result is None:
        result = _rebuild(out, cache, folders, fresh, settings)
    if replaced is not None:
        result.problems.insert(0, replaced)
    layout = result.layout
    assert layout is not None
    result.problems.extend(_capped_line(out / i) for i in layout.capped)
    csv_head = (BOM + write_rows([header(layout)])).encode("utf-8")
    _assemble(out / INDEX_NAME, csv_head, cache / "rows.csv", b"")
    head = overview_head(layout, len(result.indexed), now)
    _assemble(out / OVERVIEW_NAME, head, cache / "rows.jsonl", overview_tail())
    return result


#: folders of ``out`` that hold no submission (the Uwazi export)
NOT_SUBMISSIONS = frozenset({"uwazi"})


def submission_folders(out: Path) -> set[str]:
    """Names of the submission folders in ``out`` (hidden ones are ours or temporary): one
    listing, whose entries' types need no stat and do not follow links (a planted link to a
    folder elsewhere is not a submission of this one)."""
    with os.scandir(out) as entries:
        return {
            e.name
            for e in entries
            if not e.name.startswith(".")
            and e.name not in NOT_SUBMISSIONS
            and e.is_dir(follow_symlinks=False)
        }


def _load_state(cache: Path, settings: IndexSettings) -> dict[str, Any] | None:
    """The saved state if it fits this run and the part files are intact (cut back to the sizes
    it records: bytes appended by a run that died before saving the state are dropped)."""
    state = read_record(cache / "state.json", MAX_CACHE_BYTES)
    try:
        if not isinstance(state, dict) or state.get("format") != CACHE_FORMAT:
            return None
        layout = state["layout"]
        if layout["language"] != settings.language or layout["ids"] != settings.ids:
            return None
        for name in _PARTS:
            size = state["sizes"][name]
            if type(size) is not int or not cut_to(cache / name, size):
                return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return state


def _append(
    cache: Path,
    state: Mapping[str, Any],
    folders: set[str],
    fresh: Mapping[str, Mapping[str, Any]],
    settings: IndexSettings,
) -> IndexResult | None:
    """Add the fresh rows to the cache; None when only a full rebuild can be right."""
    try:
        indexed = set(read_ascii(cache / "ids.txt").split())
        skipped = set(state.get("skipped", []))
    except (*UNREADABLE, TypeError):
        return None
    new = [s for i, s in fresh.items() if i not in indexed]
    if indexed | skipped | {str(s["row"]["id"]) for s in new} != folders:
        return None
    try:
        layout = Layout.from_json(state["layout"])
    except (ValueError, KeyError, TypeError):
        return None
    changed = [layout.absorb(s, settings.book) for s in new]
    if any(changed):
        return None  # new columns: every CSV row must be rendered again
    new.sort(key=lambda s: (s["row"]["t"], s["row"]["id"]))
    with _parts(cache, "ab") as (ids, rows_csv, rows_json):
        _write_rows(new, layout, ids, rows_csv, rows_json)
    _save_state(cache, layout, sorted(skipped))
    return IndexResult(indexed | {s["row"]["id"] for s in new}, [], rebuilt=False, layout=layout)


def _rebuild(
    out: Path,
    cache: Path,
    folders: set[str],
    fresh: Mapping[str, Mapping[str, Any]],
    settings: IndexSettings,
) -> IndexResult:
    """Render every row again from the folders' summaries, oldest first, two passes."""
    layout = Layout(language=settings.language, ids=settings.ids)
    problems: list[str] = []
    order: list[tuple[str, str]] = []
    for name in sorted(folders):
        summary = fresh.get(name) or _summary_of(out / name, problems)
        if summary is None:
            continue
        layout.absorb(summary, settings.book)
        order.append((summary["row"]["t"], name))
    order.sort()
    with _parts(cache, "wb") as (ids, rows_csv, rows_json):
        for _, name in order:
            summary = fresh.get(name) or _summary_of(out / name, [])
            if summary is not None:
                _write_rows([summary], layout, ids, rows_csv, rows_json)
    indexed = {name for _, name in order}
    _save_state(cache, layout, sorted(folders - indexed))
    return IndexResult(indexed, problems, rebuilt=True, layout=layout)


def _capped_line(folder: Path) -> str:
    return (
        f"{folder}: some answers have no column in the indexes (questionnaires not on this "
        f"computer may add at most {MAX_UNKNOWN_COLUMNS:,} questions and options); read them in "
        f"its report.html, or give its questionnaire with --questionnaire FILE if it is real"
    )


def _beyond_limits(summary: Mapping[str, Any]) -> str | None:
    """Why a saved summary (written by an older version, without the limits of
    ``submission.json``) must not reach the indexes, or None."""
    answers = summary["row"]["a"]
    if len(answers) > MAX_ANSWERS:
        return f"{len(answers):,} answers, more than the {MAX_ANSWERS:,} a submission may have"
    if any(isinstance(a[2], list) and len(a[2]) > MAX_LIST_ITEMS for a in answers):
        return f"an answer lists more than {MAX_LIST_ITEMS} items"
    return None


def _summary_of(folder: Path, problems: list[str]) -> Mapping[str, Any] | None:
    """The folder's summary; made (and saved) from submission.json if missing or outdated.
    A summary beyond the limits of a submission is a problem line, not a row."""
    found = read_summary(folder)
    if found is not None:
        beyond = _beyond_limits(found)
        if beyond is None:
            return found
        problems.append(
            f"{folder}: skipped in the indexes ({beyond}; decrypted by an older version of "
            "intake). Read it in its report.html; if it is no real testimony, move the folder "
            "out of the output folder"
        )
        return None
    path = folder / "submission.json"
    try:
        submission = parse_submission(safefs.read_bounded(path, MAX_SUBMISSION_JSON))
        if submission.submission_id != folder.name:
            raise SubmissionFormatError("folder name differs from its id")
    except (OSError, SubmissionFormatError, safefs.UnsafePathError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        problems.append(f"{path}: skipped in the indexes ({reason.removeprefix(f'{path} ')})")
        return None
    custody = read_record(folder / CUSTODY_NAME)
    summary = summary_from_folder(submission, custody if isinstance(custody, dict) else None)
    with suppress(OSError):  # read-only archive: the indexes are still right, only slower
        _replace(folder / SUMMARY_NAME, [dumps(summary).encode("utf-8") + b"\n"])
    return summary


def _write_rows(
    summaries: Iterable[Mapping[str, Any]], layout: Layout, ids: IO[bytes], rows_csv: IO[bytes],
    rows_json: IO[bytes],
) -> None:  # fmt: skip
    for summary in summaries:
        row = summary["row"]
        ids.write(f"{row['id']}\n".encode("ascii"))
        rows_csv.write(write_rows([csv_row(row, layout)]).encode("utf-8"))
        rows_json.write(dumps(overview_row(row)).encode("utf-8") + b"\n")


@contextmanager
def _parts(cache: Path, mode: str) -> Iterator[tuple[IO[bytes], IO[bytes], IO[bytes]]]:
    """The three part files, appended to (``ab``) or written anew (``wb``, renamed at the end)."""
    names = [cache / n for n in _PARTS]
    paths = names if mode == "ab" else [p.with_name(p.name + ".new") for p in names]
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    flags |= os.O_APPEND if mode == "ab" else os.O_EXCL
    if mode == "wb":
        for path in paths:
            path.unlink(missing_ok=True)  # left by a crash (or planted): replaced, not followed
    # testimony: private like every other output (mode 0600, whatever the umask)
    files = [os.fdopen(os.open(p, flags, 0o600), mode) for p in paths]
    try:
        yield files[0], files[1], files[2]
    finally:
        for f in files:
            f.close()
    if mode == "wb":
        for tmp, final in zip(paths, names, strict=True):
            os.replace(tmp, final)


def _save_state(cache: Path, layout: Layout, skipped: list[str]) -> None:
    sizes = {name: (cache / name).stat().st_size for name in _PARTS}
    body = {"format": CACHE_FORMAT, "layout": layout.to_json(), "sizes": sizes, "skipped": skipped}
    _replace(cache / "state.json", [json.dumps(body, ensure_ascii=False).encode("utf-8")])


def _assemble(path: Path, head: bytes, part: Path, tail: bytes) -> None:
    """``path`` = head + the part file's bytes + tail, replaced atomically (streamed)."""

    def chunks() -> Iterator[bytes]:
        yield head
        with os.fdopen(safefs.open_regular(part), "rb") as src:
            while block := src.read(1 << 20):
                yield block
        yield tail

    _replace(path, chunks())


def _replace(path: Path, chunks: Iterable[bytes]) -> None:
    """Write to a temp name in the same folder, fsync, rename over ``path``."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        with os.fdopen(os.open(tmp, flags, 0o600), "wb") as dst:
            for chunk in chunks:
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def remove_cache(out: Path) -> None:
    """Drop the cache (the next run rebuilds it)."""
    shutil.rmtree(out / CACHE_DIR, ignore_errors=True)
