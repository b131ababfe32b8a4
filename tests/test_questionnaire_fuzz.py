"""The loader never crashes on a damaged file: it reports problems, or loads a valid model."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from intake.questionnaire.loader import _build
from intake.questionnaire.problems import Collector

SAMPLE = tomllib.loads(
    (Path(__file__).parent / "questionnaires" / "sample.toml").read_text(encoding="utf-8")
)
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5000),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.sampled_from(["en", "ru", "detained", "beaten", "yes_no", "choice", "de", ""]),
    st.lists(st.sampled_from(["en", "ru", "beaten", 1]), max_size=3),
    st.builds(dict),
    st.fixed_dictionaries({"en": st.just("x")}),
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path into a nested dict/list."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += paths(value, (*prefix, index))
    return out


ALL_PATHS = paths(SAMPLE)


@settings(max_examples=300, deadline=None)
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(ALL_PATHS), st.one_of(JUNK, st.just("<delete>"))),
        min_size=1,
        max_size=4,
    )
)
def test_damaged_files_give_problems_not_crashes(edits: list[tuple[tuple[Any, ...], Any]]) -> None:
    data = copy.deepcopy(SAMPLE)
    for path, value in edits:
        parent: Any = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            if value == "<delete>":
                del parent[path[-1]]
            else:
                parent[path[-1]] = copy.deepcopy(value)  # never alias: TOML has no cycles
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed or replaced this path
    c = Collector("fuzz.toml")
    questionnaire = _build(c, data, "fuzz.toml")
    assert (questionnaire is None) == bool(c.problems)
    for problem in c.problems:
        assert problem.file == "fuzz.toml"
        assert problem.field
        assert str(problem)
