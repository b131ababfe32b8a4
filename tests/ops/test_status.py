"""Ages as operators read them."""

from __future__ import annotations

from intake.ops.status import age


def test_ages() -> None:
    assert [age(x) for x in (-1, 59, 60, 3599, 3660, 86400 + 7200)] == [
        "0 s",
        "59 s",
        "1 min",
        "59 min",
        "1 h 1 min",
        "1 d 2 h",
    ]
