"""strictjson: the checks that skip work (strings only walked when an escape could make a lone
surrogate; depth walked over containers only) must refuse exactly what the full walk refuses."""

from __future__ import annotations

import pytest

from intake.submission import strictjson


@pytest.mark.parametrize(
    "text",
    [
        b'["\\ud800"]',
        b'{"\\udc00": 1}',  # in a key
        b'{"a": [{"b": "x\\uDFFFy"}]}',  # upper-case hex, deep inside
        '["\ud800"]',  # a str given directly may hold one without any escape
    ],
)
def test_a_lone_surrogate_is_refused_wherever_it_is(text: bytes | str) -> None:
    with pytest.raises(strictjson.StrictJSONError, match="lone UTF-16 surrogate"):
        strictjson.loads(text)


def test_an_escaped_pair_and_an_escaped_backslash_are_text() -> None:
    assert strictjson.loads(b'["\\ud83d\\ude00", "\\\\ud800"]') == ["\U0001f600", "\\ud800"]


@pytest.mark.parametrize("depth", [33, 500, 200_000])
def test_nesting_deeper_than_the_limit_is_refused(depth: int) -> None:
    for opener, closer in (("[", "]"), ('{"k":', "}")):
        text = opener * depth + "1" + closer * depth
        with pytest.raises(strictjson.StrictJSONError, match="nested deeper than 32"):
            strictjson.loads(text.encode())


def test_nesting_at_the_limit_is_accepted() -> None:
    text = '{"a": ' * 31 + "[1]" + "}" * 31
    assert strictjson.loads(text.encode()) is not None


def test_check_tree_walks_everything_itself() -> None:
    with pytest.raises(strictjson.StrictJSONError, match="lone UTF-16 surrogate"):
        strictjson.check_tree({"ok": [1, {"\ud800": 2}]})
    deep: list[object] = []
    for _ in range(40):
        deep = [deep]
    with pytest.raises(strictjson.StrictJSONError, match="nested deeper"):
        strictjson.check_tree(deep)
