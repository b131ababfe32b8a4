"""Uwazi import files checked against the rules of Uwazi's own CSV import code.

The rules (docs/casework.md, from huridocs/uwazi ``app/api/csv``): ``import.csv`` at the zip root;
headers are property names as ``safeName`` makes them from labels; ``attachments`` cells are
split on ``|`` and each piece must equal a zip entry name exactly; dates ``YYYY-MM-DD``; ranges
``from:to``; geolocation ``lat|lon`` under ``<name>_geolocation``; select values are thesaurus
labels; a template property has only the keys the schema allows.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

import crypto
from intake.cli import main as cli
from intake.offline import uwazi, uwazi_template
from intake.offline.uwazi import date_range, markdown_text
from tests.support.casework_folder import decrypt, key_file, sealed_folder

PROPERTY_KEYS = {
    "_id", "label", "name", "isCommonProperty", "type", "prioritySorting", "generatedId",
    "content", "relationType", "inherit", "filter", "noLabel", "fullWidth", "defaultfilter",
    "required", "sortable", "showInCard", "style", "nestedProperties", "query",
    "denormalizedProperty", "targetTemplates",
}  # fmt: skip
TYPES = {"date", "daterange", "geolocation", "image", "link", "markdown", "media", "multidate",
         "multidaterange", "multiselect", "nested", "numeric", "preview", "relationship", "select",
         "text", "generatedid", "newRelationship"}  # fmt: skip


def new_safe_name(label: str) -> str:
    """Uwazi's ``generateNewSafeName`` (app/shared/propertyNames.ts), transcribed."""
    name = re.sub(r'[#|\\/*?"<>=|\s:.\[\]%]', "_", label.strip())
    return re.sub(r"^[_|\-+$]", "", name, count=1).lower()


def old_safe_name(label: str) -> str:
    return re.sub(r"[^a-z0-9]", "_", label.strip(), flags=re.I).lower()


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    base = tmp_path_factory.mktemp("uwazi")
    identity = crypto.generate_identity(post_quantum=False)
    sealed_folder(base / "src", 40, identity, hostile=0.3)
    key = key_file(base, identity)
    out = base / "out"
    assert decrypt(base / "src", key, out, "--uwazi") == 0
    return out, key, base


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _template(out: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    template = json.loads((out / "uwazi" / "template.json").read_text())
    thesauri = json.loads((out / "uwazi" / "thesauri.json").read_text())
    return template, thesauri


def test_template_fits_uwazis_schema_and_names(exported: tuple[Path, Path, Path]) -> None:
    template, thesauri = _template(exported[0])
    assert any(p["name"] == "title" for p in template["commonProperties"])
    names = [p["name"] for p in template["properties"]]
    assert len(names) == len(set(names))
    assert not {"title", "id", "file", "attachments"} & set(names)
    by_name = {t["name"]: t for t in thesauri}
    for prop in template["properties"]:
        assert set(prop) <= PROPERTY_KEYS, prop
        assert prop["type"] in TYPES
        base = (
            prop["name"].removesuffix("_geolocation")
            if prop["type"] == "geolocation"
            else prop["name"]
        )
        assert new_safe_name(prop["label"]) == old_safe_name(prop["label"]) == base
        if prop["type"] in ("select", "multiselect"):
            assert prop["content"].removeprefix("thesaurus:") in by_name
    for thesaurus in thesauri:
        labels = [v["label"] for v in thesaurus["values"]]
        assert len({x.lower() for x in labels}) == len(labels)
        assert all("|" not in x and "::" not in x for x in labels)
    assert any(p["type"] == "daterange" for p in template["properties"])
    assert any(p["type"] == "markdown" for p in template["properties"])


def test_zip_layout_and_cells_follow_the_import_rules(exported: tuple[Path, Path, Path]) -> None:
    out = exported[0]
    template, thesauri = _template(out)
    props = {p["name"]: p for p in template["properties"]}
    labels = {t["name"]: {v["label"].strip().lower() for v in t["values"]} for t in thesauri}
    batch = out / "uwazi" / "batch-001"
    plain = _csv((batch / "import.csv").read_text("utf-8"))
    assert len(plain) == 40
    assert "attachments" not in plain[0]  # a CSV-only import cannot carry files
    seen_rows = 0
    for path in sorted(batch.glob("import-*.zip")):
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            assert "import.csv" in names  # at the root, exactly that name
            rows = _csv(z.read("import.csv").decode("utf-8"))
            listed = [p for r in rows if r["attachments"] for p in r["attachments"].split("|")]
            assert sorted(listed) == sorted(n for n in names if n != "import.csv")
            assert all("/" not in n and n == n.strip() for n in names)
        seen_rows += len(rows)
        for row in rows:
            assert next(iter(row)) == "title"
            assert set(row) - {"title", "attachments"} <= set(props)
            for name, cell in row.items():
                if not cell or name in ("title", "attachments"):
                    continue
                kind = props[name]["type"]
                if kind == "date":
                    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", cell)
                elif kind == "daterange":
                    start, end = cell.split(":")
                    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", start)
                    assert start <= end
                elif kind == "geolocation":
                    lat, lon = map(float, cell.split("|"))
                    assert -90 <= lat <= 90
                    assert -180 <= lon <= 180
                elif kind == "numeric":
                    assert str(float(cell)) == cell or str(int(cell)) == cell
                elif kind in ("select", "multiselect"):
                    thesaurus = props[name]["content"].removeprefix("thesaurus:")
                    pieces = cell.split("|") if kind == "multiselect" else [cell]
                    assert {p.strip().lower() for p in pieces} <= labels[thesaurus], (name, cell)
                elif kind == "markdown":
                    assert not re.search(r"(?<!\\)[<>\[\]()!]", cell)
    assert seen_rows == 40


def test_split_into_zips_of_at_most_the_limit(
    exported: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, key, base = exported
    monkeypatch.setattr(uwazi, "MAX_ZIP", 20_000)
    out = tmp_path / "out"
    assert decrypt(base / "src", key, out, "--uwazi") == 0
    zips = sorted((out / "uwazi" / "batch-001").glob("import-*.zip"))
    assert len(zips) > 1
    receipts: list[str] = []
    for path in zips:
        with zipfile.ZipFile(path) as z:
            rows = _csv(z.read("import.csv").decode())
        receipts += [r["title"] for r in rows]
        assert path.stat().st_size <= 20_000 or len(rows) == 1
    assert len(receipts) == len(set(receipts)) == 40


def test_each_export_holds_only_what_is_new(
    exported: tuple[Path, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, key, _ = exported
    assert cli(["uwazi", str(out)]) == 0
    assert "nothing new" in capsys.readouterr().out
    more = tmp_path / "more"
    sealed_folder(more, 3, crypto.parse_identity(key.read_text().split()[-1]), seed=9, start=900)
    from intake.offline import indexes

    monkeypatch.setattr(indexes, "_rebuild", lambda *a: pytest.fail("uwazi/ is no submission"))
    assert decrypt(more, key, out, "--uwazi") == 0
    rows = _csv((out / "uwazi" / "batch-002" / "import.csv").read_text())
    assert len(rows) == 3
    exported_ids = (out / "uwazi" / "exported.txt").read_text().split()
    assert len(exported_ids) == len(set(exported_ids)) == 43


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2020", "2020-01-01:2020-12-31"), ("2020-02", "2020-02-01:2020-02-29"),
     ("2021-02", "2021-02-01:2021-02-28"), ("2020-08-10", "2020-08-10:2020-08-10")],
)  # fmt: skip
def test_partial_dates_become_ranges(value: str, expected: str) -> None:
    assert date_range(value) == expected


def test_markdown_cannot_link_load_or_inject() -> None:
    text = markdown_text("![x](http://evil.example/p.png) <img src=x> [a](javascript:1)\n=2+3")
    assert not re.search(r"(?<!\\)[<>\[\]()!]", text)  # every markup character escaped
    assert text.split("\\\n")[1].startswith("\\=")  # a line break kept; no formula start


def test_a_location_is_a_point_or_the_place_the_witness_typed() -> None:
    from intake.offline.layout import Layout
    from intake.offline.questions import QuestionBook
    from intake.offline.uwazi import _csv_text

    layout = Layout(language="en")
    rows = [
        {"id": f"01LOC{n}", "r": f"R{n}", "t": "2026-01-01T00:00:00Z", "l": "en", "q": "x",
         "qv": 1, "f": [], "c": {}, "a": [["where", "location", value, None, 0]]}
        for n, value in enumerate([{"latitude": 53.9, "longitude": 27.56}, {"text": "Okrestina"}])
    ]  # fmt: skip
    for row in rows:
        layout.absorb({"row": row, "prompts": {"where": "Where?"}}, QuestionBook.load())
    props = uwazi.properties(layout)
    point, typed = _csv(_csv_text(props, [(r, None) for r in rows], "en"))
    assert point["where_geolocation"] == "53.9|27.56"
    assert point["where_described"] == ""
    assert typed["where_geolocation"] == ""
    assert typed["where_described"] == "Okrestina"


def test_the_export_reads_the_folder_without_following_links(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A prepared folder cannot make the export copy files from elsewhere: ids of the cache that
    are not submission folders are ignored, an attachment or uwazi/ that is a link is refused."""
    identity = crypto.generate_identity(post_quantum=False)
    sealed_folder(tmp_path / "src", 8, identity, seed=3)
    out = tmp_path / "out"
    assert decrypt(tmp_path / "src", key_file(tmp_path, identity), out) == 0
    attachment = sorted(out.glob("*/attachments/*"))[0]
    original = attachment.read_bytes()
    elsewhere = tmp_path / "elsewhere"  # a "submission" outside the folder, named by the cache
    shutil.copytree(attachment.parent.parent, elsewhere)
    summary = json.loads((elsewhere / "summary.json").read_text())
    summary["row"]["id"] = "elsewhere"
    (elsewhere / "summary.json").write_text(json.dumps(summary))
    ids = out / ".intake-index" / "ids.txt"
    ids.write_text(ids.read_text() + "../elsewhere\n")
    secret = tmp_path / "secret.bin"
    secret.write_bytes(b"not part of this folder")
    attachment.unlink()
    attachment.symlink_to(secret)
    assert cli(["uwazi", str(out)]) == 2
    assert f"{attachment} is a symbolic link, refused" in capsys.readouterr().err

    attachment.unlink()
    attachment.write_bytes(original)
    assert cli(["uwazi", str(out)]) == 0
    contents: dict[str, bytes] = {}
    for path in (out / "uwazi").glob("batch-*/import-*.zip"):
        with zipfile.ZipFile(path) as z:
            contents.update((n, z.read(n)) for n in z.namelist() if n != "import.csv")
    name = uwazi.entry_name(attachment.parent.parent.name, f"attachments/{attachment.name}")
    assert contents[name] == original
    assert not any(n.startswith("elsewhere-") for n in contents)
    assert b"not part of this folder" not in b"".join(contents.values())

    moved = tmp_path / "uwazi-moved"
    (out / "uwazi").rename(moved)
    (out / "uwazi").symlink_to(moved)
    assert cli(["uwazi", str(out)]) == 2
    assert f"{out / 'uwazi'} is a symbolic link" in capsys.readouterr().err


def _layout_of(rows: list[dict[str, Any]], prompts: dict[str, str]) -> Any:
    from intake.offline.layout import Layout
    from intake.offline.questions import QuestionBook

    layout = Layout(language="en")
    for row in rows:
        layout.absorb({"row": row, "prompts": prompts}, QuestionBook.load())
    return layout


def _row(answers: list[list[Any]]) -> dict[str, Any]:
    return {"id": "01COLS", "r": "R1", "t": "2026-01-01T00:00:00Z", "l": "en", "q": "x",
            "qv": 1, "f": [], "c": {}, "a": answers}  # fmt: skip


@pytest.mark.parametrize("first_location", [True, False])
def test_derived_column_names_never_collide(first_location: bool) -> None:
    """A text question ``place_geolocation`` beside a location ``place`` made two columns of one
    name, and so did ``x_described``; derived names are part of the uniqueness check."""
    point = {"latitude": 53.9, "longitude": 27.56}
    answers = [["place", "location", point, None, 0], ["x", "location", point, None, 0]]
    texts = [["place_geolocation", "text", "a", None, 0], ["x_described", "text", "b", None, 0]]
    row = _row(answers + texts if first_location else texts + answers)
    layout = _layout_of([row], {})
    names = [p.name for p in uwazi.properties(layout)]
    assert len(names) == len(set(names)), names
    labels = [p.label.lower() for p in uwazi.properties(layout)]
    assert len(labels) == len(set(labels)), labels
    header = next(csv.reader(io.StringIO(uwazi._csv_text(uwazi.properties(layout), [], "en"))))
    assert len(header) == len(set(header)), header


def test_import_csv_guards_formulas_as_index_csv_does() -> None:
    """Full-width ＝ was left alone in import.csv (index.csv guards it); numbers keep their sign."""
    row = _row([["f6", "text", "\uff1d1+1", None, 0], ["n", "number", -5, None, 0],
                ["c", "choice", "k", ["=HYPERLINK(1)"], 0]])  # fmt: skip
    layout = _layout_of([row], {"f6": "F6", "n": "N", "c": "C"})
    (cells,) = _csv(uwazi._csv_text(uwazi.properties(layout), [(row, None)], "en"))
    assert cells["f6"] == "'\uff1d1+1"
    assert cells["c"] == "'=HYPERLINK(1)"
    assert cells["n"] == "-5"
    (prop,) = [p for p in uwazi.properties(layout) if p.key == "c"]
    assert uwazi_template.thesaurus_values(prop, "en") == ["'=HYPERLINK(1)"]  # cell == label
