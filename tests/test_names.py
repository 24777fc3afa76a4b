"""Output file names from hostile titles stay inside the folder and are portable."""

import pytest

from castbook.names import safe_filename


@pytest.mark.parametrize("title, expected", [
    ("Chapter 3: The Storm", "Chapter 3 The Storm"),
    ("../../etc/passwd", "etc passwd"),
    ("a\\b/c\x00d\ne", "a b c d e"),
    ("CON", "_CON"),
    ("nul.txt", "_nul.txt"),
    ("...", "untitled"),
    ("", "untitled"),
    ("  Prologue.  ", "Prologue"),
])
def test_safe_filename(title, expected):
    assert safe_filename(title) == expected


def test_long_titles_are_cut_on_bytes():
    name = safe_filename("é" * 500)
    assert len(name.encode()) <= 120 and set(name) == {"é"}
