"""Rough numbers as witnesses write them (issue 11, point 10): about, ranges, words."""

from __future__ import annotations

import pytest

from intake.engine.numbers import NumberReading, read_rough_number


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("12", NumberReading(12)),
        ("2,5", NumberReading(2.5)),
        ("1 000", NumberReading(1000)),
        ("about 5", NumberReading(5, None, True)),
        ("~5", NumberReading(5, None, True)),
        ("100+", NumberReading(100, None, True)),
        ("каля 5", NumberReading(5, None, True)),
        ("около пяти", NumberReading(5, None, True)),
        ("близько п’яти", NumberReading(5, None, True)),
        ("больше 100", NumberReading(100, None, True)),
        ("5-6", NumberReading(5, 6)),
        ("5–6", NumberReading(5, 6)),
        ("5 or 6", NumberReading(5, 6)),
        ("от 5 до 6", NumberReading(5, 6)),
        ("ад 5 да 6", NumberReading(5, 6)),
        ("від 5 до 6", NumberReading(5, 6)),
        ("пять-шесть", NumberReading(5, 6)),
        ("three", NumberReading(3)),
        ("тры", NumberReading(3)),
        ("трое", NumberReading(3)),
        ("чатыры", NumberReading(4)),
        ("двадцать пять", NumberReading(25)),
        ("twenty-five", NumberReading(25)),
        ("two hundred and five", NumberReading(205)),
        ("5 человек", NumberReading(5)),
        ("около 20 человек", NumberReading(20, None, True)),
    ],
)
def test_rough_numbers_are_read(text: str, reading: NumberReading) -> None:
    assert read_rough_number(text) == reading


@pytest.mark.parametrize("text", ["hello", "несколько", "1e9", "10 10", "6-5", "²", "9" * 5000])
def test_what_is_not_one_number_is_not_read(text: str) -> None:
    assert read_rough_number(text) is None
