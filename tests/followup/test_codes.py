"""Follow-up codes: 24 random digits, six groups, typed back however a phone writes digits."""

from __future__ import annotations

import pytest

from intake.followup.codes import DIGITS, last_group, new_code, parse_code, shown


def test_new_codes_are_24_random_digits_shown_in_six_groups() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == DIGITS
        assert code.isascii()
        assert code.isdigit()
    code = "482109375512806422907315"
    assert shown(code) == "4821 0937 5512 8064 2290 7315"
    assert last_group(code) == "7315"


@pytest.mark.parametrize(
    "typed",
    [
        "482109375512806422907315",
        "4821 0937 5512 8064 2290 7315",
        " 4821-0937-5512-8064-2290-7315\n",
        "4821.0937.5512.8064.2290.7315",
        "４８２１０９３７５５１２８０６４２２９０７３１５",  # full-width digits
        "٤٨٢١٠٩٣٧٥٥١٢٨٠٦٤٢٢٩٠٧٣١٥",  # Arabic-Indic digits
    ],
)
def test_a_code_reads_back_however_it_is_typed(typed: str) -> None:
    assert parse_code(typed) == "482109375512806422907315"


@pytest.mark.parametrize(
    "typed",
    ["", "4821", "4821 0937 5512 8064 2290 731", "4821 0937 5512 8064 2290 73155",
     "4821 0937 5512 8064 2290 731x", "²482109375512806422907315", "1" * 10_000],
)  # fmt: skip
def test_anything_else_is_not_a_code(typed: str) -> None:
    assert parse_code(typed) is None
