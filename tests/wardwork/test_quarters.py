import datetime as dt

import pytest
from django.utils import translation

from wardwork.quarters import Quarter


def test_label_is_vietnamese_by_default():
    with translation.override("vi"):
        assert str(Quarter(2021, 1)) == "Quý I/2021"
        assert str(Quarter(2020, 4)) == "Quý IV/2020"


def test_label_in_english():
    with translation.override("en"):
        assert str(Quarter(2021, 3)) == "Quarter III/2021"


@pytest.mark.parametrize(
    "text",
    ["I/2021", "1/2021", "2021-Q1", "Quý I/2021", "quy 1/2021", " i / 2021 ", "2021 Q1", "Q1/2021"],
)
def test_parse_accepts_the_forms_people_type(text):
    assert Quarter.parse(text) == Quarter(2021, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("IV/2020", Quarter(2020, 4)), ("III/2022", Quarter(2022, 3)), ("2023-Q2", Quarter(2023, 2))],
)
def test_parse_every_quarter_number(text, expected):
    assert Quarter.parse(text) == expected


@pytest.mark.parametrize("text", ["", "V/2021", "5/2021", "2021", "I/21", "2021-Q0", "quý/2021"])
def test_parse_rejects_what_is_not_a_quarter(text):
    with pytest.raises(ValueError, match="Not a quarter"):
        Quarter.parse(text)


def test_constructor_rejects_bad_numbers():
    with pytest.raises(ValueError):
        Quarter(2021, 0)
    with pytest.raises(ValueError):
        Quarter(2021, 5)


def test_bounds():
    assert Quarter(2021, 1).start == dt.date(2021, 1, 1)
    assert Quarter(2021, 1).end == dt.date(2021, 3, 31)
    assert Quarter(2020, 1).end == dt.date(2020, 3, 31)
    assert Quarter(2021, 2).end == dt.date(2021, 6, 30)
    assert Quarter(2021, 4).start == dt.date(2021, 10, 1)
    assert Quarter(2021, 4).end == dt.date(2021, 12, 31)


def test_next_and_previous_cross_years():
    assert Quarter(2020, 4).next() == Quarter(2021, 1)
    assert Quarter(2021, 1).previous() == Quarter(2020, 4)
    assert Quarter(2021, 2).next() == Quarter(2021, 3)
    assert Quarter(2021, 3).previous() == Quarter(2021, 2)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2021, 4, 13), Quarter(2021, 2)),
        (dt.date(2020, 12, 30), Quarter(2020, 4)),
        (dt.date(2021, 1, 1), Quarter(2021, 1)),
        (dt.date(2021, 3, 31), Quarter(2021, 1)),
    ],
)
def test_containing(day, expected):
    assert Quarter.containing(day) == expected
    assert day in expected


def test_ordering_and_hashing():
    quarters = [Quarter(2021, 2), Quarter(2020, 4), Quarter(2021, 1)]
    assert sorted(quarters) == [Quarter(2020, 4), Quarter(2021, 1), Quarter(2021, 2)]
    assert len({Quarter(2021, 1), Quarter.parse("I/2021")}) == 1


def test_slug_round_trips():
    assert Quarter(2021, 1).slug == "2021-Q1"
    assert Quarter.parse(Quarter(2021, 4).slug) == Quarter(2021, 4)
