"""speakable(): numbers, years, times, dates, ordinals, money, counts, abbreviations and symbols as words."""

from __future__ import annotations

import pytest

from castbook.normalize import cardinal, heading_title, ordinal, speakable, year


@pytest.mark.parametrize(("text", "spoken"), [
    ("In 1981 she was 21.", "In nineteen eighty-one she was twenty-one."),
    ("It was 2005.", "It was two thousand five."),
    ("the 1980s and the '90s", "the nineteen eighties and the nineties"),
    ("At 3:45 the ferry came.", "At three forty-five the ferry came."),
    ("At 9:05 and at 10:00.", "At nine oh five and at ten o'clock."),
    ("Meet at 7pm.", "Meet at seven P M."),
    ("On March 3rd, 1981.", "On March third, nineteen eighty-one."),
    ("Published: 2019-03-02", "Published: March second, twenty nineteen"),
    ("the 21st and the 2nd", "the twenty-first and the second"),
    ("It cost $3.50.", "It cost three dollars and fifty cents."),
    ("a £1 coin and €20", "a one pound coin and twenty euros"),
    ("2.9K reads", "two point nine thousand reads"),
    ("1,200,000 stars", "one million two hundred thousand stars"),
    ("salt & pepper", "salt and pepper"),
    ("45% of them", "forty-five percent of them"),
    ("Mr. Tanaka met Dr. Avery on St. Agnes Street.", "Mister Tanaka met Doctor Avery on Saint Agnes Street."),
    ("Mrs. Delgado lives on Elm St.", "Missus Delgado lives on Elm Street"),
    ("3.5 cups", "three point five cups"),
    ("No numbers here.", "No numbers here."),
])
def test_speakable(text: str, spoken: str) -> None:
    assert speakable(text) == spoken


def test_words() -> None:
    assert cardinal(0) == "zero" and cardinal(115) == "one hundred fifteen"
    assert ordinal(12) == "twelfth" and ordinal(40) == "fortieth" and ordinal(101) == "one hundred first"
    assert year(1900) == "nineteen hundred" and year(1905) == "nineteen oh five" and year(2024) == "twenty twenty-four"


def test_heading_titles_read_roman_numerals_only_in_headings() -> None:
    assert heading_title("Part II: The Coast") == "Part two: The Coast"
    assert heading_title("Chapter 4") == "Chapter four"
    assert heading_title("I Go to Styles") == "I Go to Styles"


def test_idempotent() -> None:
    once = speakable("Dr. Reyes paid $3.50 at 3:45 in 1981.")
    assert speakable(once) == once
