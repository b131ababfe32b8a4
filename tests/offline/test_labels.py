"""The report's labels exist in every language."""

from __future__ import annotations

from intake.offline.labels import labels_for, languages


def test_every_language_has_every_label() -> None:
    reference = set(labels_for("en"))
    assert {"en", "be", "ru", "uk"} <= languages()
    for language in languages():
        assert set(labels_for(language)) == reference
    assert labels_for("pt-BR") == labels_for("en")  # unknown: English
