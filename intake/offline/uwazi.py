"""``<out>/uwazi/``: the testimonies as Uwazi CSV-import files, batch by batch.

Uwazi's import has no "update if present" for our ids, so importing a testimony twice makes two
entities: each export therefore writes only what no earlier export of this folder contained, as
``uwazi/batch-NNN/`` (``exported.txt`` remembers which submissions went out). A batch holds
``import.csv`` (every row, no files: for a CSV-only import or for review) and ``import-K.zip``
files of at most 50 MB, each with its own ``import.csv`` at the zip root and the attachments
beside it, named exactly as its ``attachments`` column lists them. ``uwazi/template.json`` and
``uwazi/thesauri.json`` describe what to create in Uwazi first (:mod:`.uwazi_template`).
Formats follow Uwazi's own import code: UTF-8, every field quoted, dates ``YYYY-MM-DD`` (parsed
the same under every Uwazi date-format setting), ranges ``from:to``, multiple values ``|``,
geolocation ``lat|lon``.

What it reads of the output folder (the index cache, summaries, attachments, ``exported.txt``)
is read under the rules for sticks (:mod:`intake.offline.readback`): no link is followed, only
regular files are read, and only ids of real submission folders and attachment paths are used,
so a folder someone prepared cannot make the export copy files from elsewhere.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import os
import shutil
import zipfile
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from intake import safefs
from intake.offline.indexes import CACHE_DIR, submission_folders
from intake.offline.labels import labels_for
from intake.offline.layout import Layout
from intake.offline.questions import QuestionBook
from intake.offline.readback import MAX_CACHE_BYTES, read_ascii, read_json
from intake.offline.spreadsheet import guard_cell
from intake.offline.summary import read_summary
from intake.offline.uwazi_template import (
    Property,
    properties,
    select_label,
    template_json,
    thesauri_json,
)
from intake.questionnaire import values

UWAZI_DIR = "uwazi"
MAX_ZIP = 50 * 1000 * 1000  # Uwazi's documented upload limit ("up to 50 MB"), decimal to be safe
_ENTRY_OVERHEAD = 200  # local + central headers and a data descriptor, per file, generously
_MD_SPECIAL = set("\\`*_{}[]()<>#+-.!|~=@:")
#: Uwazi types whose cells are numbers, dates or points: a leading ``-`` there is a sign, and
#: a guard would make them unreadable to the import; every other cell is guarded like index.csv.
_UNGUARDED = frozenset({"numeric", "date", "daterange", "geolocation"})


def export_uwazi(out: Path, language: str, book: QuestionBook, now: datetime) -> list[str]:
    """Write the next batch (submissions not exported before); returns lines to print."""
    folder = out / UWAZI_DIR
    os.close(safefs.open_dir(folder, create=True)[0])  # a link there is refused, not followed
    exported_path = folder / "exported.txt"
    listed = os.path.lexists(exported_path)  # unreadable (a link…): an error, never "none"
    exported = set(read_ascii(exported_path).split()) if listed else set()
    ids = [i for i in _indexed_ids(out) if i not in exported]
    layout = _layout(out, language, book)
    _write_json(folder / "template.json", template_json(layout))
    _write_json(folder / "thesauri.json", thesauri_json(layout))
    if not ids:
        return [f"uwazi: nothing new since the last export ({len(exported)} already exported)"]
    batch = _next_batch(folder)
    batch.mkdir(mode=0o700)
    props = properties(layout)
    rows = [(i, s) for i in ids if (s := read_summary(out / i)) is not None]
    _write_csv(batch / "import.csv", props, [(s["row"], None) for _, s in rows], layout.language)
    zips, oversized = _write_zips(out, batch, props, rows, layout.language)
    with _private(exported_path, os.O_APPEND) as f:
        f.write("".join(f"{i}\n" for i, _ in rows).encode("ascii"))
    lines = [f"uwazi: {len(rows)} testimonies in {batch}/ ({zips} zip file(s)); "
             f"create {folder / 'template.json'} first (docs/casework.md)"]  # fmt: skip
    lines += [f"uwazi: {r}: its files alone exceed 50 MB (zip kept whole)" for r in oversized]
    return lines


def _indexed_ids(out: Path) -> list[str]:
    """Submissions in the index cache, in its order (the folders otherwise): names of real
    submission folders only, each once."""
    folders = submission_folders(out)
    try:
        cached = read_ascii(out / CACHE_DIR / "ids.txt").split()
    except (OSError, safefs.UnsafePathError):
        return sorted(folders)
    return [i for i in dict.fromkeys(cached) if i in folders]


def _layout(out: Path, language: str, book: QuestionBook) -> Layout:
    """The index cache's layout when it is in ``language``; else one built from the summaries."""
    state = read_json(out / CACHE_DIR / "state.json", MAX_CACHE_BYTES)
    try:
        layout = Layout.from_json(state["layout"])
        if layout.language == language:
            return layout
    except (OSError, ValueError, KeyError, TypeError):
        pass
    layout = Layout(language=language)
    for i in _indexed_ids(out):
        summary = read_summary(out / i)
        if summary is not None:
            layout.absorb(summary, book)
    return layout


def _next_batch(folder: Path) -> Path:
    taken = [int(p.name[6:]) for p in folder.glob("batch-*") if p.name[6:].isdigit()]
    return folder / f"batch-{max(taken, default=0) + 1:03d}"


def _write_json(path: Path, body: Any) -> None:
    with _private(path, os.O_TRUNC) as f:
        f.write((json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def _private(path: Path, how: int) -> BinaryIO:
    """Open for writing with mode 0600 (testimony), never through a symbolic link."""
    flags = os.O_WRONLY | os.O_CREAT | how | getattr(os, "O_NOFOLLOW", 0)
    return os.fdopen(os.open(path, flags, 0o600), "wb")


def entry_name(submission_id: str, path: str) -> str:
    """The zip entry (and ``attachments`` cell) of one attachment: unique, no ``|``."""
    return f"{submission_id}-{path.rsplit('/', 1)[-1]}"


def _write_zips(
    out: Path, batch: Path, props: list[Property], rows: list[tuple[str, Any]], language: str
) -> tuple[int, list[str]]:
    """Pack rows and their files into zips of at most :data:`MAX_ZIP` bytes."""
    groups: list[list[tuple[str, Any]]] = [[]]
    size, oversized = 0, []
    for item in rows:
        need = sum(
            f[3] + _ENTRY_OVERHEAD + 2 * len(entry_name(item[0], f[0])) for f in item[1]["row"]["f"]
        )
        need += 4096  # its share of import.csv, generously
        if groups[-1] and size + need > MAX_ZIP:
            groups.append([])
            size = 0
        groups[-1].append(item)
        size += need
        if need > MAX_ZIP:
            oversized.append(item[1]["row"]["r"])
    for n, group in enumerate(groups, start=1):
        target = _private(batch / f"import-{n}.zip", os.O_EXCL)
        with target, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as z:
            listed = [(s["row"], [entry_name(i, f[0]) for f in s["row"]["f"]]) for i, s in group]
            text = _csv_text(props, listed, language)
            z.writestr(zipfile.ZipInfo("import.csv", _zip_time()), text, zipfile.ZIP_DEFLATED)
            for i, s in group:
                for f in s["row"]["f"]:
                    _add_file(z, out / i / f[0], entry_name(i, f[0]))
    return len(groups), oversized


def _add_file(z: zipfile.ZipFile, path: Path, name: str) -> None:
    """Copy one attachment into the zip, stored as is: a regular file only, never through a link
    (what ``ZipFile.write`` would follow) and never a FIFO (which would block the export)."""
    with os.fdopen(safefs.open_regular(path), "rb") as src:
        st = os.fstat(src.fileno())
        info = zipfile.ZipInfo(name, datetime.fromtimestamp(st.st_mtime).timetuple()[:6])
        info.external_attr = (st.st_mode & 0xFFFF) << 16
        info.file_size = st.st_size  # lets zipfile choose zip64 up front, as write() does
        with z.open(info, "w") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)


def _zip_time() -> tuple[int, int, int, int, int, int]:
    now = datetime.now()
    return (now.year, now.month, now.day, now.hour, now.minute, now.second)


def _write_csv(
    path: Path, props: list[Property], rows: list[tuple[Any, Any]], language: str
) -> None:
    with _private(path, os.O_EXCL) as f:
        f.write(_csv_text(props, rows, language).encode("utf-8"))


def _csv_text(props: list[Property], rows: list[tuple[Any, Any]], language: str) -> str:
    """``title``, the property names, and ``attachments`` when the rows list files."""
    with_files = any(files is not None for _, files in rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(["title", *(p.name for p in props), *(["attachments"] if with_files else [])])
    t = labels_for(language)
    sensitive = {p.key: p.label for p in props if p.question is not None and p.question.sensitive}
    for row, files in rows:
        answers = {a[0]: a for a in row["a"]}  # once per row, not once per property
        cells = [row["r"], *(_guarded(p, _cell(p, row, answers, t, sensitive)) for p in props)]
        writer.writerow(cells + (["|".join(files or [])] if with_files else []))
    return buffer.getvalue()


def _guarded(prop: Property, cell: str) -> str:
    """What a spreadsheet opened on import.csv (for review) must not run as a formula."""
    return cell if prop.type in _UNGUARDED else guard_cell(cell)


def _cell(
    prop: Property,
    row: Mapping[str, Any],
    answers: Mapping[str, Any],
    t: Mapping[str, str],
    sensitive: Mapping[str, str],
) -> str:
    if prop.question is None:
        if prop.key == "sensitive":
            return ", ".join(label for qid, label in sensitive.items()
                             if qid in answers and not answers[qid][4])  # fmt: skip
        return _fixed(prop.key, row, t)
    found = answers.get(prop.key)
    if found is None or found[4]:
        return ""
    value, labels, q = found[2], found[3], prop.question
    if prop.type in ("select", "multiselect"):
        if q.type == "yes_no":
            return t["yes"] if value else t["no"]
        ids = value if isinstance(value, list) else [value]
        seen = labels if isinstance(labels, list) and len(labels) == len(ids) else ids
        known = q.labels()
        shown = [select_label(known.get(str(i)) or str(w)) for i, w in zip(ids, seen, strict=True)]
        return "|".join(dict.fromkeys(shown))
    if prop.type == "daterange" and isinstance(value, str):
        return date_range(value)
    if q.type == "location":
        place = values.place_text(value)
        if prop.part == "place":
            return " ".join(place.split()) if place else ""
        if place is not None or not isinstance(value, dict):
            return ""
        return f"{value['latitude']}|{value['longitude']}"
    if prop.type == "numeric" and isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value) if isinstance(value, float) else str(value)
    if prop.type == "markdown":
        return markdown_text(str(value))
    return " ".join(str(value).split())


def _fixed(key: str, row: Mapping[str, Any], t: Mapping[str, str]) -> str:
    if key == "submission_id":
        return str(row["id"])
    if key == "submitted":
        return str(row["t"])[:10]
    if key == "witness_language":
        return t.get(f"lang_{row['l'].split('-')[0]}", row["l"])
    if key == "questionnaire":
        return f"{row['q']} v{row['qv']}"
    if key == "skipped":
        return ", ".join(a[0] for a in row["a"] if a[4])
    if key == "evidence_files":
        return "\\\n".join(_file_line(f) for f in row["f"])
    if key == "custody":
        c = row.get("c") or {}
        parts = [
            f"sealed file sha256 {c.get('s')}",
            f"decrypted {c.get('d')}",
            f"staff key {c.get('k')}",
        ]
        return markdown_text("; ".join(parts))
    return ""


def _file_line(f: list[Any]) -> str:
    verified = {1: "sha256 verified", 0: "sha256 DOES NOT MATCH", None: "not verified"}[f[5]]
    facts = [f[1], f[2], f"{f[3]} bytes", f"received {f[6] or 'not recorded'}",
             f"as {f[7] or 'not recorded'}", f"sha256 {f[4]}", verified]  # fmt: skip
    return markdown_text(", ".join(map(str, facts)))


def markdown_text(text: str) -> str:
    """Witness text for a markdown property: every markdown character escaped (no link, image or
    HTML can come of it), each line kept with a hard break."""
    lines = [
        "".join("\\" + c if c in _MD_SPECIAL else c for c in line) for line in text.splitlines()
    ]
    return "\\\n".join(lines)


def date_range(value: str) -> str:
    """``2020`` → ``2020-01-01:2020-12-31``; ``2020-08`` → the month; a day → that day."""
    parts = value.split("-")
    year = int(parts[0])
    if len(parts) == 1:
        return f"{year:04d}-01-01:{year:04d}-12-31"
    month = int(parts[1])
    if len(parts) == 2:
        last = calendar.monthrange(year, month)[1]
        return f"{year:04d}-{month:02d}-01:{year:04d}-{month:02d}-{last:02d}"
    return f"{value}:{value}"


def batches(out: Path) -> Iterator[Path]:
    """The batch folders written so far, in order."""
    yield from sorted((out / UWAZI_DIR).glob("batch-*"))
