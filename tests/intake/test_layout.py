"""The layout rules of the three packages, checked (the import rules are `lint-imports` contracts
in pyproject.toml, run by `make test`).

No two modules share a file name, so a name says which module is meant (``render.py`` ×2 was
the kind of thing this stops); every folder of code is a package whose ``__init__`` says in one
line what lives there, which is how a newcomer finds the folder of each arrow of the diagram.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from tests.support.paths import ROOT

PACKAGES = ("crypto", "intake", "bot")
FREE_NAMES = {"__init__.py", "__main__.py"}


def _modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "__pycache__" not in path.parts
    )


def _folders() -> list[Path]:
    return sorted({path.parent for path in _modules()})


def test_no_two_modules_share_a_file_name() -> None:
    places: dict[str, list[str]] = defaultdict(list)
    for path in _modules():
        if path.name not in FREE_NAMES:
            places[path.name].append(str(path.relative_to(ROOT)))
    assert len(places) > 50  # the scan sees the tree
    shared = {name: where for name, where in places.items() if len(where) > 1}
    assert not shared, f"modules sharing a file name: {shared}"


@pytest.mark.parametrize("folder", _folders(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_folder_says_in_one_line_what_lives_there(folder: Path) -> None:
    init = folder / "__init__.py"
    assert init.is_file(), f"{folder.relative_to(ROOT)} holds code but is not a package"
    docstring = ast.get_docstring(ast.parse(init.read_text("utf-8")), clean=False)
    assert docstring, f"{init.relative_to(ROOT)} has no docstring"
    lines = docstring.split("\n")
    summary = lines[0]
    assert summary.strip() == summary, f"{init.relative_to(ROOT)}: summary line is padded"
    assert summary.endswith("."), f"{init.relative_to(ROOT)}: {summary!r} is not one line"
    assert len(summary) <= 96, f"{init.relative_to(ROOT)}: summary longer than a line"
    if len(lines) > 1:
        assert lines[1] == "", f"{init.relative_to(ROOT)}: the summary runs on to a second line"
