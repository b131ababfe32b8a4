"""The Uwazi template and thesauri matching the questionnaire(s) of an output folder.

Uwazi (HURIDOCS) imports a CSV whose headers are template property *names*; it derives a
property's name from its label (``safeName``: lower case, spaces and most punctuation to ``_``;
``geolocation`` properties get a ``_geolocation`` suffix). Labels here are plain ASCII letters,
digits and single spaces, so the name is the same in both of Uwazi's naming modes. Every property
carries only the keys Uwazi's template schema allows (``additionalProperties: false``).

Question types map to: text → ``text``; long text → ``markdown`` (Uwazi collapses whitespace in
text fields, markdown keeps the witness's lines); choice and yes/no → ``select``; multi-choice →
``multiselect`` (each with its own thesaurus, labels in the staff language); date → ``daterange``
(a witness's "2020-08" is the whole month); number → ``numeric``; location → ``geolocation``;
files → the entity's attachments plus the "Evidence files" markdown with their custody facts.
See docs/casework.md for the import, step by step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from intake.offline.labels import labels_for
from intake.offline.layout import Layout
from intake.offline.questions import StaffQuestion
from intake.offline.spreadsheet import guard_cell

TEMPLATE_NAME = "Witness testimony"
RESERVED = frozenset({"id", "title", "file", "attachments", "creationdate", "editdate"})
_TYPES = {
    "text": "text",
    "long_text": "markdown",
    "choice": "select",
    "yes_no": "select",
    "multi_choice": "multiselect",
    "date": "daterange",
    "number": "numeric",
    "location": "geolocation",
}
#: fixed properties: (key, label, Uwazi type)
FIXED = (
    ("submission_id", "Submission id", "text"),
    ("submitted", "Submitted", "date"),
    ("witness_language", "Witness language", "select"),
    ("questionnaire", "Questionnaire", "text"),
    ("sensitive", "Sensitive answers", "text"),
    ("skipped", "Skipped questions", "text"),
    ("evidence_files", "Evidence files", "markdown"),
    ("custody", "Chain of custody", "markdown"),
)
COMMON_PROPERTIES = [
    {"label": "Title", "name": "title", "isCommonProperty": True, "type": "text",
     "prioritySorting": False, "generatedId": False},
    {"label": "Date added", "name": "creationDate", "isCommonProperty": True, "type": "date",
     "prioritySorting": False},
    {"label": "Date modified", "name": "editDate", "isCommonProperty": True, "type": "date",
     "prioritySorting": False},
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Property:
    """One template property: what it shows (``key``: a fixed key or a question id)."""

    key: str
    label: str
    type: str
    question: StaffQuestion | None = None
    #: ``place``: the typed description of a location question (its point is the geolocation)
    part: str = ""

    @property
    def name(self) -> str:
        """The name Uwazi derives from the label (both naming modes agree on ASCII labels)."""
        base = self.label.lower().replace(" ", "_")
        return f"{base}_geolocation" if self.type == "geolocation" else base

    @property
    def thesaurus(self) -> str | None:
        """The thesaurus name of a select/multiselect property."""
        return f"{TEMPLATE_NAME}: {self.label}" if self.type in ("select", "multiselect") else None


def properties(layout: Layout) -> list[Property]:
    """The fixed properties, then one per question (files excluded: they are attachments)."""
    out = [Property(key, label, kind) for key, label, kind in FIXED]
    taken = {p.name for p in out} | RESERVED
    for q in layout.ordered():
        kind = _TYPES.get(q.type)
        if kind is None:
            continue
        label = _label(q.id)
        while not taken.isdisjoint(_names(label, q.type)):
            label = f"Q {label}"
        taken.update(_names(label, q.type))
        out.append(Property(q.id, label, kind, q))
        if q.type == "location":  # a witness may type a place instead of sharing a point
            out.append(Property(q.id, f"{label} described", "text", q, part="place"))
    return out


def _names(label: str, qtype: str) -> set[str]:
    """Every CSV column name (and label's name) one question takes: a location's derived
    ``_geolocation`` and ``described`` columns too, so that no two columns share a name."""
    base = label.lower().replace(" ", "_")
    return {base, f"{base}_geolocation", f"{base}_described"} if qtype == "location" else {base}


def _label(question_id: str) -> str:
    """``detained_by`` → ``Detained by``: ASCII letters, digits and single spaces only."""
    words = "".join(c if c.isascii() and c.isalnum() else " " for c in question_id).split()
    text = " ".join(words) or "question"
    return text[0].upper() + text[1:]


def thesaurus_values(prop: Property, language: str) -> list[str]:
    """The labels of a select/multiselect property, as the CSV will write them."""
    t = labels_for(language)
    if prop.key == "witness_language":
        return [t.get(f"lang_{code}", code) for code in ("en", "be", "ru", "uk")]
    q = prop.question
    if q is None:
        return []
    if q.type == "yes_no":
        return [t["yes"], t["no"]]
    return [select_label(label) for _, label in q.options]


def select_label(label: str) -> str:
    """A thesaurus label Uwazi's CSV import cannot misread: no ``|`` (value separator) and no
    ``::`` (group separator); guarded against formulas as every text cell of import.csv is, here
    so that a cell still equals its thesaurus label exactly."""
    return guard_cell(" ".join(label.replace("|", "/").replace("::", ":").split()))


def template_json(layout: Layout) -> dict[str, Any]:
    """The body of ``POST /api/templates``; each select's ``content`` is a placeholder
    ``thesaurus:<name>`` for the ``_id`` the thesaurus gets when it is created."""
    props = []
    for prop in properties(layout):
        item: dict[str, Any] = {"label": prop.label, "type": prop.type, "name": prop.name}
        if prop.thesaurus is not None:
            item["content"] = f"thesaurus:{prop.thesaurus}"
            item["filter"] = True
        if prop.type in ("date", "daterange", "numeric"):
            item["filter"] = True
        if prop.type == "markdown":
            item["fullWidth"] = True
        props.append(item)
    return {
        "name": TEMPLATE_NAME,
        "color": "#1f4e8c",
        "commonProperties": COMMON_PROPERTIES,
        "properties": props,
    }


def thesauri_json(layout: Layout) -> list[dict[str, Any]]:
    """Bodies of ``POST /api/thesauris``, one per select/multiselect property."""
    out = []
    for prop in properties(layout):
        if prop.thesaurus is None:
            continue
        values = thesaurus_values(prop, layout.language)
        out.append(
            {"name": prop.thesaurus, "values": [{"label": v} for v in dict.fromkeys(values)]}
        )
    return out


def describe(layout: Layout) -> Mapping[str, str]:
    """CSV header → what it holds, for the import notes written next to the files."""
    return {prop.name: f"{prop.type}: {prop.question.short if prop.question else prop.label}"
            for prop in properties(layout)}  # fmt: skip
