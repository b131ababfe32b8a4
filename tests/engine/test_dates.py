"""The date reader: a table of what witnesses type and what it becomes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.engine.dates import DateReading, format_date, month_of, parse_date, with_year
from intake.questionnaire import load_default

TODAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("10.08.2020", "2020-08-10"),
        ("10.8.2020", "2020-08-10"),
        ("10-08-2020", "2020-08-10"),
        ("2020-08-10", "2020-08-10"),
        ("10.08.20", "2020-08-10"),
        ("10.08.99", "1999-08-10"),
        ("13/04/2020", "2020-04-13"),  # only one reading is a date
        ("04/13/2020", "2020-04-13"),
        ("10/10/2020", "2020-10-10"),  # both readings agree
        ("10 Aug 2020", "2020-08-10"),
        ("10 August 2020", "2020-08-10"),
        ("August 10, 2020", "2020-08-10"),
        ("10th august 2020", "2020-08-10"),
        ("10 августа 2020", "2020-08-10"),
        ("10 августа 2020 г.", "2020-08-10"),
        ("10 авг. 2020", "2020-08-10"),
        ("10 жніўня 2020", "2020-08-10"),
        ("10 жнiўня 2020", "2020-08-10"),  # Latin i typed for і
        ("10 серпня 2020", "2020-08-10"),
        ("10 серпня 2020 р.", "2020-08-10"),
        ("1 сакавіка 2021", "2021-03-01"),
        ("12 мая 2021 года", "2021-05-12"),
        ("08.2020", "2020-08"),
        ("8/2020", "2020-08"),
        ("2020-08", "2020-08"),
        ("August 2020", "2020-08"),
        ("август 2020", "2020-08"),
        ("сент 2021", "2021-09"),
        ("2020", "2020"),
        ("2020 год", "2020"),
        ("  25.11.2026 ", "2026-11-25"),  # today
    ],
)
def test_accepted(text: str, iso: str) -> None:
    reading = parse_date(text, TODAY)
    assert reading.kind == "ok", reading
    assert reading.values == (iso,)


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("03/04/2020", ("2020-04-03", "2020-03-04")),
        ("1/2/21", ("2021-02-01", "2021-01-02")),
    ],
)
def test_ambiguous(text: str, readings: tuple[str, str]) -> None:
    assert parse_date(text, TODAY).kind == "ambiguous"
    assert parse_date(text, TODAY).values == readings


@pytest.mark.parametrize("text", ["26.11.2026", "2027", "12.2026", "01/02/2030"])
def test_future_refused(text: str) -> None:
    assert parse_date(text, TODAY).kind == "future"


@pytest.mark.parametrize(
    "text",
    ["", "yesterday", "31.02.2020", "10.13.2020", "10 Blah 2020", "10 ма 2020", "10 12"],
)
def test_invalid(text: str) -> None:
    assert parse_date(text, TODAY).kind == "invalid"


def test_one_reading_in_the_future_leaves_the_other() -> None:
    assert parse_date("11/12/2026", TODAY).values == ("2026-11-12",)


def test_month_names_and_abbreviations() -> None:
    assert month_of("лют") == 2
    assert month_of("Sept.") == 9
    assert month_of("ма") is None  # март or май: refused rather than guessed
    assert month_of("мая") == 5


def test_format_in_each_language() -> None:
    q = load_default()
    assert format_date("2020-08-10", q.ui["en"]) == "10 August 2020"
    assert format_date("2020-08", q.ui["en"]) == "08.2020"
    assert format_date("2020", q.ui["en"]) == "2020"
    for lang in ("be", "ru", "uk"):
        assert format_date("2020-08-10", q.ui[lang]) != "10 August 2020"


MONTHS_RU = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"


MONTHS_UK = "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня"


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=dt.date(1950, 1, 1), max_value=TODAY))
def test_any_past_date_in_any_common_form_reads_back(day: dt.date) -> None:
    iso = day.isoformat()
    ru = MONTHS_RU.split()[day.month - 1]
    uk = MONTHS_UK.split()[day.month - 1]
    forms = [
        day.strftime("%d.%m.%Y"),
        f"{day.day}.{day.month}.{day.year}",
        iso,
        f"{day.day} {day.strftime('%B')} {day.year}",
        f"{day.day} {day.strftime('%b')} {day.year}",
        f"{day.day} {ru} {day.year} г.",
        f"{day.day} {uk} {day.year} р.",
    ]
    for text in forms:
        assert parse_date(text, TODAY) == DateReading("ok", (iso,)), text
    slashed = parse_date(day.strftime("%d/%m/%Y"), TODAY)
    assert iso in slashed.values
    assert parse_date(day.strftime("%m.%Y"), TODAY).values == (iso[:7],)


# ── issue 11, point 10: a day and month without a year asks for the year; too early says so ───


@pytest.mark.parametrize(
    ("text", "partial"),
    [("10 August", "08-10"), ("10 жніўня", "08-10"), ("10.08", "08-10"), ("August", "08")],
)
def test_a_day_and_month_without_a_year_asks_for_it(text: str, partial: str) -> None:
    reading = parse_date(text, TODAY)
    assert reading.kind == "need_year"
    assert reading.values == (partial,)
    assert with_year(partial, "2020", TODAY).values[0].startswith("2020-08")
    assert with_year(partial, "20 г.", TODAY).values[0].startswith("2020-08")


def test_the_year_answer_may_be_a_whole_date_and_must_exist() -> None:
    assert with_year("08-10", "10.08.2019", TODAY).values == ("2019-08-10",)
    assert with_year("02-29", "2021", TODAY).kind == "invalid"
    assert with_year("08-10", "soon", TODAY).kind == "invalid"


def test_a_year_long_ago_is_named_back() -> None:
    assert parse_date("1850", TODAY) == DateReading("too_early", ("1850",))
    assert parse_date("10.08.1850", TODAY).kind == "too_early"
