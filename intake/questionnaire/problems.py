"""Problems found while loading a questionnaire, and the one error that carries them all.

The loader never stops at the first problem: an author fixing a file wants the whole list. Every
problem names the file, the question (when there is one) and the field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a questionnaire file.

    ``field`` is a dotted path inside the question (``prompt.be``, ``when.question``,
    ``options[2].id``) or, without a question, inside the file (``consent.text.uk``, ``languages``).
    """

    file: str
    field: str
    message: str
    question: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.field == "-":  # the file as a whole (unreadable, not TOML)
            return f"{where}: {self.message}"
        if self.question is not None:
            return f"{where}: question '{self.question}': field '{self.field}': {self.message}"
        return f"{where}: field '{self.field}': {self.message}"


class QuestionnaireError(ValueError):
    """The questionnaire could not be loaded; ``problems`` lists every reason (at least one)."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in questionnaire"
        super().__init__(head + ":\n" + "\n".join(str(p) for p in self.problems))


class Collector:
    """Accumulates problems for one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, field: str, message: str, question: str | None = None) -> None:
        """Record one problem."""
        self.problems.append(Problem(self.file, field, message, question))

    def unknown_keys(
        self, table: dict[str, object], allowed: set[str], prefix: str, question: str | None = None
    ) -> None:
        """Report keys not in ``allowed`` (usually a typo such as ``promt``)."""
        for key in table:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.add(prefix + key, f"unknown field (known: {known})", question)


def describe(value: object) -> str:
    """A TOML value as an author would write it, for messages (never Python's ``None``/``True``)."""
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    try:
        return json.dumps(value, ensure_ascii=False, default=str)[:80]
    except ValueError:  # an infinite or NaN float inside a list
        return str(value)[:80]
